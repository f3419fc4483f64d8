import AtelierDomain
import AtelierGeometry
import AtelierJobs
import AtelierStorage
import AtelierTelemetry
import AtelierText
import Foundation

/// Partners and their keys (admins), their auto-approval policy (sellers), and what a partner does
/// through the partner API: instant quotes, orders with their model, reading and cancelling them.
public struct PartnerService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    // MARK: Administration

    /// What an admin gives to create a partner.
    public struct NewPartner: Sendable, Codable, Hashable {
        public var name: String
        public var email: String
        /// Highest total approved without a seller, in the price list's currency; nil: none.
        public var autoApproveUpToMinor: Int64?
        public var requestsPerMinute: Int?
        public var burst: Int?

        public init(name: String, email: String, autoApproveUpToMinor: Int64? = nil, requestsPerMinute: Int? = nil, burst: Int? = nil) {
            self.name = name
            self.email = email
            self.autoApproveUpToMinor = autoApproveUpToMinor
            self.requestsPerMinute = requestsPerMinute
            self.burst = burst
        }
    }

    /// A partner with its keys (never the keys themselves).
    public struct PartnerOverview: Sendable {
        public var partner: Partner
        public var keys: [PartnerKey]

        public init(partner: Partner, keys: [PartnerKey]) {
            self.partner = partner
            self.keys = keys
        }
    }

    /// A key as it is shown once, when it is made.
    public struct IssuedKey: Sendable {
        public var key: PartnerKey
        public var secret: String
    }

    /// Creates a partner: its account (which owns its orders, and cannot sign in with a password) and
    /// its settings; with `withKey`, its first API key too, in the same transaction.
    public func createPartner(_ request: NewPartner, withKey: Bool = false, by admin: Principal) async throws -> (Partner, IssuedKey?) {
        try requireRole(admin, .admin)
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.unicodeScalars.count <= 100 else {
            throw DomainError.invalid("A partner name of 1 to 100 characters is required.")
        }
        let email = try AccountService.validatedEmail(request.email)
        let now = context.time.now()
        var limit: Money?
        if let minor = request.autoApproveUpToMinor {
            limit = Money(minorUnits: minor, currency: try await context.store.reader.priceList().currency)
        }
        let partner = try Partner(
            id: context.newID(), name: name, email: email, autoApproval: AutoApprovalPolicy(limit: limit),
            requestsPerMinute: request.requestsPerMinute ?? 600, burst: request.burst ?? 60, createdAt: now
        ).validated()
        // No password: the hash is not a bcrypt hash, so no password ever matches it.
        let account = UserAccount(id: partner.id, email: email, name: name, role: .partner, passwordHash: "!", createdAt: now)
        let key = withKey ? newKey(partnerID: partner.id) : nil
        do {
            try await context.store.write { tx in
                try await tx.insert(user: account)
                try await tx.insert(partner: partner)
                if let key { try await tx.insert(partnerKey: key.key) }
            }
        } catch StorageError.conflict {
            throw DomainError.invalid("An account with the e-mail \(email) already exists.")
        }
        return (partner, key)
    }

    /// A new key: the secret, shown once, and what is stored of it (its SHA-256 and first characters).
    private func newKey(partnerID: String) -> IssuedKey {
        let secret = "atk_" + randomToken(bytes: 32)
        return IssuedKey(
            key: PartnerKey(
                id: context.newID(), partnerID: partnerID, prefix: String(secret.prefix(12)), keyHash: sha256Hex(Data(secret.utf8)),
                createdAt: context.time.now()), secret: secret)
    }

    /// Changes a partner's auto-approval limit and rate (sellers and admins).
    public func updatePolicy(
        partnerID: String, autoApproveUpToMinor: Int64??, requestsPerMinute: Int?, burst: Int?, by staff: Principal
    ) async throws -> Partner {
        try requireRole(staff, .seller, .admin)
        return try await context.store.write { tx in
            guard var partner = try await tx.partner(id: partnerID) else {
                throw DomainError.notFound("Partner \(partnerID) does not exist.")
            }
            if let limit = autoApproveUpToMinor {
                let currency = try await tx.priceList().currency
                partner.autoApproval = AutoApprovalPolicy(limit: limit.map { Money(minorUnits: $0, currency: currency) })
            }
            if let requestsPerMinute { partner.requestsPerMinute = requestsPerMinute }
            if let burst { partner.burst = burst }
            try await tx.update(partner: try partner.validated())
            return partner
        }
    }

    public func partners(by staff: Principal) async throws -> [PartnerOverview] {
        try requireRole(staff, .seller, .admin)
        var result: [PartnerOverview] = []
        for partner in try await context.store.reader.partners() {
            result.append(PartnerOverview(partner: partner, keys: try await context.store.reader.partnerKeys(partnerID: partner.id)))
        }
        return result
    }

    public func partner(id: String, by staff: Principal) async throws -> PartnerOverview {
        try requireRole(staff, .seller, .admin)
        guard let partner = try await context.store.reader.partner(id: id) else {
            throw DomainError.notFound("Partner \(id) does not exist.")
        }
        return PartnerOverview(partner: partner, keys: try await context.store.reader.partnerKeys(partnerID: id))
    }

    /// Makes a new key. A partner holds at most two active keys, so it can rotate: take the new
    /// key into use, then revoke the old one.
    public func issueKey(partnerID: String, by admin: Principal) async throws -> IssuedKey {
        try requireRole(admin, .admin)
        let issued = newKey(partnerID: partnerID)
        let key = issued.key
        try await context.store.write { tx in
            guard try await tx.partner(id: partnerID) != nil else { throw DomainError.notFound("Partner \(partnerID) does not exist.") }
            let active = try await tx.partnerKeys(partnerID: partnerID).filter { $0.revokedAt == nil }
            guard active.count < PartnerKey.maxActive else {
                throw DomainError.invalid(
                    "Partner \(partnerID) already holds \(PartnerKey.maxActive) active keys; revoke one (\(active.map(\.prefix).joined(separator: ", "))) first."
                )
            }
            try await tx.insert(partnerKey: key)
        }
        return issued
    }

    public func revokeKey(partnerID: String, keyID: String, by admin: Principal) async throws {
        try requireRole(admin, .admin)
        let now = context.time.now()
        let revoked = try await context.store.write { tx in try await tx.revokePartnerKey(id: keyID, partnerID: partnerID, at: now) }
        guard revoked else { throw DomainError.notFound("Partner \(partnerID) has no active key \(keyID).") }
    }

    /// The partner a key belongs to, or nil for an unknown or revoked key.
    public func authenticate(key: String) async throws -> (Partner, keyID: String)? {
        guard key.hasPrefix("atk_"), key.count < 100 else { return nil }
        guard let (partnerKey, partner) = try await context.store.reader.partnerKey(hash: sha256Hex(Data(key.utf8))) else { return nil }
        return (partner, partnerKey.id)
    }

    // MARK: The partner's own use cases

    public func priceList() async throws -> PriceList { try await context.store.reader.priceList() }

    /// Prices a model without storing anything; the upload's file is removed.
    public func instantQuote(
        material: String, finishes: [String], upload: SpooledModel, filename: String?, by partner: Principal
    ) async throws -> (Quote, ModelInfo) {
        try await context.estimate(
            material: material, finishes: finishes, upload: upload, filename: filename, owner: partner.userID,
            asker: .partner(partner.userID))
    }

    /// What a partner sends to order.
    public struct NewPartnerOrder: Sendable, Hashable {
        public var material: String
        public var finishes: [String]
        public var reference: String?
        public var filename: String?
        /// The model as it arrived (its file is removed when the order is made or refused).
        public var model: SpooledModel

        public init(material: String, finishes: [String], reference: String?, filename: String?, model: SpooledModel) {
            self.material = material
            self.finishes = finishes
            self.reference = reference
            self.filename = filename
            self.model = model
        }

        /// Equal requests have equal fingerprints (the model by its hash).
        var fingerprint: String {
            "\(material)|\(finishes.joined(separator: ","))|\(reference ?? "")|\(filename ?? "")|\(model.hash)"
        }
    }

    /// The order as the first response showed it; a retry with the same `Idempotency-Key` shows it again.
    public struct CreatedOrder: Sendable, Codable {
        public var order: Order
        public var history: [HistoryEntry]
        public var replayed: Bool

        enum CodingKeys: String, CodingKey { case order, history }

        init(order: Order, history: [HistoryEntry], replayed: Bool) {
            self.order = order
            self.history = history
            self.replayed = replayed
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            order = try container.decode(Order.self, forKey: .order)
            history = try container.decode([HistoryEntry].self, forKey: .history)
            replayed = true
        }
    }

    /// Creates the order, attaches the model and submits it, in one transaction with its pricing job
    /// and its webhook events. The model is analysed and put into the model store first, so a
    /// refused file, or a store that is away, records nothing.
    public func createOrder(_ request: NewPartnerOrder, by partner: Principal, idempotencyKey: String?) async throws -> CreatedOrder {
        defer { request.model.remove() }
        try requireRole(partner, .partner)
        let id = context.newID()
        return try await context.orderSpan("order.create", orderID: id) {
            if let reference = request.reference, reference.isEmpty || reference.unicodeScalars.count > 100 {
                throw DomainError.invalid("A reference has 1 to 100 characters.")
            }
            try await context.offered(material: request.material, finishes: request.finishes)
            let scope = "partner.create:\(partner.userID)"
            let fingerprint = request.fingerprint
            // A retry must not pay for the analysis again.
            if let replay = try await Self.replay(context.store.reader, scope: scope, key: idempotencyKey, fingerprint: fingerprint) {
                return replay
            }
            try await context.checkHoldings(of: partner, newOrder: true, addingModelBytes: request.model.size)
            let filename = ModelIntake.cleanFilename(request.filename)
            let info = try await context.intake(request.model, filename: filename, owner: partner.userID)
            let now = context.time.now()
            return try await Idempotency.once(key: idempotencyKey) {
                try await context.store.write { tx in
                    if let replay = try await Self.replay(tx, scope: scope, key: idempotencyKey, fingerprint: fingerprint) {
                        return replay
                    }
                    var (order, created) = try Order.start(
                        id: id, customer: partner, materialCode: request.material, finishCodes: request.finishes,
                        reference: request.reference, traceContext: TraceContext.current(), at: now)
                    var history = [created]
                    history += try order.attachModel(hash: info.hash, filename: filename, by: partner, at: now)
                    history.append(try order.submit(by: partner, at: now, promise: context.configuration.stallPolicy.promise))
                    try await tx.insert(model: info, at: now)
                    try await tx.create(order, history: history, pricingAttempts: context.configuration.jobMaxAttempts)
                    let result = CreatedOrder(order: order, history: history, replayed: false)
                    try await Idempotency.remember(
                        tx, scope: scope, key: idempotencyKey, fingerprint: fingerprint, resultID: id, at: now,
                        response: String(decoding: try JSONEncoder.sorted.encode(result), as: UTF8.self))
                    return result
                }
            }
        }
    }

    /// The first response to an earlier request with this key, as it was stored.
    private static func replay(_ reader: any StoreReader, scope: String, key: String?, fingerprint: String) async throws -> CreatedOrder? {
        guard let record = try await Idempotency.earlier(reader, scope: scope, key: key, fingerprint: fingerprint),
            let response = record.response
        else { return nil }
        return try JSONDecoder().decode(CreatedOrder.self, from: Data(response.utf8))
    }

    public func order(id: String, partner: Principal) async throws -> OrderDetails {
        try requireRole(partner, .partner)
        return try await OrderReading(context: context).details(id: id, viewer: partner)
    }

    public func orders(partner: Principal, status: OrderStatus?, updatedSince: Date?, page: PageRequest) async throws -> Page<Order> {
        try requireRole(partner, .partner)
        return try await context.store.reader.orders(
            OrderFilter(status: status, customerID: partner.userID, updatedSince: updatedSince), page: page
        ).map(\.forCustomer)
    }

    public func cancel(orderID: String, reason: String, partner: Principal) async throws -> OrderDetails {
        try requireRole(partner, .partner)
        _ = try await ShopService(context: context).cancel(orderID: orderID, reason: reason, by: partner)
        return try await order(id: orderID, partner: partner)
    }

    /// Where the partner's order goes; allowed until it is shipped, and replaced when given again.
    public func setDelivery(orderID: String, delivery: DeliveryDetails, partner: Principal) async throws -> DeliveryDetails {
        try requireRole(partner, .partner)
        let now = context.time.now()
        try await context.store.write { tx in
            let order = try await tx.visibleOrder(id: orderID, to: partner)
            guard ![.shipped, .closed, .cancelled].contains(order.status) else {
                throw DomainError.invalid("Order \(orderID) is \(order.status.rawValue): its address stays as it was.")
            }
            try await tx.setDelivery(delivery, orderID: orderID, at: now)
        }
        return delivery
    }

    private func requireRole(_ actor: Principal, _ roles: Role...) throws {
        guard roles.contains(actor.role) else { throw AuthenticationError.forbidden(role: actor.role, needed: roles) }
    }
}
