import AtelierDomain
import AtelierGeometry
import AtelierJobs
import AtelierStorage
import AtelierTelemetry
import AtelierText
import Foundation

/// The customers' use cases: catalog, create, attach a model, submit, read and list orders.
public struct ShopService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// What a customer sends to start an order.
    public struct NewOrder: Sendable, Codable, Hashable {
        public var material: String
        public var finishes: [String]
        /// A ready-made piece of the catalog; its model is attached at once.
        public var catalogItem: String?

        public init(material: String, finishes: [String] = [], catalogItem: String? = nil) {
            self.material = material
            self.finishes = finishes
            self.catalogItem = catalogItem
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            material = try container.decode(String.self, forKey: .material)
            finishes = try container.decodeIfPresent([String].self, forKey: .finishes) ?? []
            catalogItem = try container.decodeIfPresent(String.self, forKey: .catalogItem)
        }
    }

    /// The result of a request with an `Idempotency-Key`: `replayed` when it answered an earlier one.
    public struct Outcome: Sendable {
        public var order: Order
        public var replayed: Bool
    }

    public func catalog() async throws -> [CatalogItem] { try await context.store.reader.catalog() }

    /// A catalog piece with what it costs "from" in each metal offered: its model in that metal
    /// without finishes, priced by the current price list as its order would be.
    public struct Offer: Sendable {
        public var item: CatalogItem
        public var prices: [(material: Material, total: Money)]
    }

    /// The catalog with prices from, per metal, by the rules `asker`'s order would be priced by.
    public func offers(for asker: FlagContext = .anonymous) async throws -> [Offer] {
        let reader = context.store.reader
        let list = try await reader.priceList()
        let rules = PricingRules(v2: context.flags.value(.pricingRulesV2, asker, defaultValue: false))
        var offers: [Offer] = []
        for item in try await reader.catalog() {
            guard let model = try await reader.model(hash: item.modelHash) else {
                offers.append(Offer(item: item, prices: []))
                continue
            }
            let prices = list.materials.filter(\.active).compactMap { material -> (material: Material, total: Money)? in
                guard
                    let quote = try? QuoteCalculator.quote(
                        metrics: model.metrics, materialCode: material.code, finishCodes: [], priceList: list, rules: rules)
                else { return nil }
                return (material, quote.total)
            }
            offers.append(Offer(item: item, prices: prices))
        }
        return offers
    }

    public func priceList() async throws -> PriceList { try await context.store.reader.priceList() }

    /// What each alloy can be cast in: the walls and details a model needs, for anyone designing one.
    public func castingRules() async throws -> CastingRules { try await context.store.reader.castingRules() }

    /// Starts an order (`INITIATED`; `FILE_UPLOADED` too for a catalog piece).
    public func createOrder(_ request: NewOrder, by customer: Principal, idempotencyKey: String?) async throws -> Outcome {
        let id = context.newID()
        return try await context.orderSpan("order.create", orderID: id) {
            try await context.checkHoldings(of: customer, newOrder: true)
            try await context.offered(material: request.material, finishes: request.finishes)
            let now = context.time.now()
            let fingerprint = sha256Hex(try JSONEncoder.sorted.encode(request))
            return try await Idempotency.once(key: idempotencyKey) {
                try await context.store.write { tx in
                    if let replay = try await Idempotency.replay(
                        tx, scope: "shop.create:\(customer.userID)", key: idempotencyKey, fingerprint: fingerprint)
                    {
                        return Outcome(order: try await tx.visibleOrder(id: replay, to: customer), replayed: true)
                    }
                    var item: CatalogItem?
                    if let itemID = request.catalogItem {
                        guard let found = try await tx.catalogItem(id: itemID) else {
                            throw DomainError.notFound("The catalog has no piece '\(itemID)'.")
                        }
                        item = found
                    }
                    var (order, created) = try Order.start(
                        id: id, customer: customer, materialCode: request.material, finishCodes: request.finishes,
                        catalogItemID: item?.id, traceContext: TraceContext.current(), at: now)
                    var history = [created]
                    if let item {
                        history += try order.attachModel(hash: item.modelHash, filename: item.modelFilename, by: customer, at: now)
                    }
                    try await tx.create(order, history: history, pricingAttempts: context.configuration.jobMaxAttempts)
                    try await Idempotency.remember(
                        tx, scope: "shop.create:\(customer.userID)", key: idempotencyKey, fingerprint: fingerprint, resultID: id, at: now)
                    return Outcome(order: order, replayed: false)
                }
            }
        }
    }

    /// Starts an order with its model, uploaded or made by the constructor, in one transaction:
    /// `INITIATED` then `FILE_UPLOADED`. The model is analysed and put into the model store first,
    /// so a refused file, or a store that is away, records nothing. The upload's file is removed.
    /// `note` goes on the history entry of the model (what was designed).
    public func createOrder(
        _ request: NewOrder, model upload: SpooledModel, filename: String?, note: String? = nil, by customer: Principal
    ) async throws -> Order {
        defer { upload.remove() }
        let id = context.newID()
        return try await context.orderSpan("order.create", orderID: id) {
            try await context.checkHoldings(of: customer, newOrder: true, addingModelBytes: upload.size)
            try await context.offered(material: request.material, finishes: request.finishes)
            let name = ModelIntake.cleanFilename(filename)
            let info = try await context.intake(upload, filename: name, owner: customer.userID)
            let now = context.time.now()
            return try await context.store.write { tx in
                var (order, created) = try Order.start(
                    id: id, customer: customer, materialCode: request.material, finishCodes: request.finishes,
                    traceContext: TraceContext.current(), at: now)
                var history = [created]
                history += try order.attachModel(hash: info.hash, filename: name, by: customer, at: now)
                if let note { history[history.count - 1].note = note }
                try await tx.insert(model: info, at: now)
                try await tx.create(order, history: history, pricingAttempts: context.configuration.jobMaxAttempts)
                return order
            }
        }
    }

    /// Starts an order for a piece built in the constructor: the server makes its model.
    /// An engraving adds the engraving finish.
    public func createOrder(design: JewelryDesign, material: String, finishes: [String], by customer: Principal) async throws -> Order {
        let (design, bytes, finishes) = try cast(design, finishes: finishes)
        return try await createOrder(
            NewOrder(material: material, finishes: finishes), model: try await context.uploads.spool(bytes), filename: design.filename,
            // The note is written in the customer's words: it is their description of the piece.
            note: Phrase("Designed in the constructor: \(design.summaryPhrase)").localized, by: customer)
    }

    /// What a design would cost, stored nowhere: the constructor's estimate.
    /// `requester` is who asks (an account, or the client address of an anonymous visitor): each
    /// has a share of the threads that analyse models.
    public func estimate(design: JewelryDesign, material: String, finishes: [String], requester: String) async throws -> (Quote, ModelInfo)
    {
        let (design, bytes, finishes) = try cast(design, finishes: finishes)
        return try await estimate(
            material: material, finishes: finishes, upload: try await context.uploads.spool(bytes), filename: design.filename,
            requester: requester)
    }

    /// The validated design, the model that is cast (metal only, binary STL) and its finishes: an
    /// engraving adds the engraving finish.
    private func cast(_ design: JewelryDesign, finishes: [String]) throws -> (JewelryDesign, [UInt8], [String]) {
        let design = try design.validated()
        var finishes = finishes
        if !design.engraving.isEmpty, !finishes.contains("engraving") { finishes.append("engraving") }
        return (design, MeshWriter.binarySTL(design.mesh(withStone: false).soup, header: "Atelier constructor"), finishes)
    }

    /// The model of a design as a binary STL, with its stone shown where it will be set (a preview).
    public func preview(design: JewelryDesign) throws -> [UInt8] {
        MeshWriter.binarySTL(try design.validated().mesh(withStone: true).soup, header: "Atelier constructor preview")
    }

    /// What a model would cost in a material and finishes, stored nowhere: the shop's estimate
    /// before ordering. The price of the order itself comes from the pricing worker. The upload's
    /// file is removed.
    public func estimate(
        material: String, finishes: [String], upload: SpooledModel, filename: String?, requester: String
    ) async throws -> (Quote, ModelInfo) {
        let (quote, info) = try await context.estimate(
            material: material, finishes: finishes, upload: upload, filename: filename, owner: requester,
            asker: requester.hasPrefix("client:") ? .anonymous : .customer(requester))
        return (quote.forCustomer, info)
    }

    /// Attaches (or replaces) the order's model: `FILE_UPLOADED`. A refused file, or a model store
    /// that is away, stores nothing. The upload's file is removed.
    public func attachModel(orderID: String, filename: String?, upload: SpooledModel, by customer: Principal) async throws -> (
        Order, ModelInfo
    ) {
        defer { upload.remove() }
        return try await context.orderSpan("order.attach-model", orderID: orderID) {
            let name = ModelIntake.cleanFilename(filename)
            // Check the order before the (possibly long) analysis, so a wrong order fails fast.
            _ = try await OrderReading(context: context).visibleOrder(id: orderID, to: customer)
            try await context.checkHoldings(of: customer, newOrder: false, addingModelBytes: upload.size)
            let info = try await context.intake(upload, filename: name, owner: customer.userID)
            let now = context.time.now()
            let order = try await context.store.write { tx in
                let order = try await tx.change(orderID: orderID, by: customer, pricingAttempts: context.configuration.jobMaxAttempts) {
                    order in
                    try order.attachModel(hash: info.hash, filename: name, by: customer, at: now)
                }
                try await tx.insert(model: info, at: now)
                return order
            }
            return (order, info)
        }
    }

    /// Places the order: `SUBMITTED`, and the pricing job in the same transaction.
    public func submit(orderID: String, delivery: DeliveryDetails?, by customer: Principal, idempotencyKey: String?) async throws
        -> Outcome
    {
        try await context.orderSpan("order.submit", orderID: orderID) {
            let now = context.time.now()
            let promise = context.configuration.stallPolicy.promise
            return try await Idempotency.once(key: idempotencyKey) {
                try await context.store.write { tx in
                    if let replay = try await Idempotency.replay(
                        tx, scope: "shop.submit:\(customer.userID)", key: idempotencyKey, fingerprint: orderID)
                    {
                        return Outcome(order: try await tx.visibleOrder(id: replay, to: customer), replayed: true)
                    }
                    let order = try await tx.change(orderID: orderID, by: customer, pricingAttempts: context.configuration.jobMaxAttempts) {
                        order in
                        [try order.submit(by: customer, at: now, promise: promise)]
                    }
                    // A piece is placed with where it goes: given now, or kept from an earlier try.
                    if let delivery {
                        try await tx.setDelivery(delivery, orderID: orderID, savingFor: customer.userID, at: now)
                    } else if try await tx.orderSnapshot(id: orderID, withNotes: false)?.delivery == nil {
                        throw DomainError.invalid("Say where the piece goes: the recipient, a phone number and the delivery address.")
                    }
                    try await Idempotency.remember(
                        tx, scope: "shop.submit:\(customer.userID)", key: idempotencyKey, fingerprint: orderID, resultID: orderID, at: now)
                    return Outcome(order: order, replayed: false)
                }
            }
        }
    }

    /// The addresses the customer ordered to before, the most recent first: the checkout offers them.
    public func savedDeliveries(of customer: Principal) async throws -> [DeliveryDetails] {
        try await context.store.reader.savedDeliveries(userID: customer.userID)
    }

    /// Withdraws the order (allowed before manufacturing starts).
    public func cancel(orderID: String, reason: String, by customer: Principal) async throws -> Order {
        try await context.orderCommand("order.cancel", orderID: orderID, by: customer) { order, now in
            [try order.cancel(reason: reason, by: customer, at: now)]
        }
    }

    public func order(id: String, viewer: Principal) async throws -> OrderDetails {
        try await OrderReading(context: context).details(id: id, viewer: viewer)
    }

    public func myOrders(_ customer: Principal, page: PageRequest) async throws -> Page<Order> {
        try await context.store.reader.orders(OrderFilter(customerID: customer.userID), page: page).map(\.forCustomer)
    }
}
