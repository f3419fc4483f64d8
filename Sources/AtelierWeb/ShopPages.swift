import AtelierDomain
import AtelierGeometry
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// The shop: the catalog, design your own (upload), the constructor, my orders.
struct ShopPages {
    let site: WebSite
    var shop: ShopService { site.useCases.shop }
    var models: ModelBodyReader {
        ModelBodyReader(maxBytes: site.useCases.context.configuration.maxModelBytes, uploads: site.useCases.context.uploads)
    }

    /// The price of a model before ordering, as the pages' scripts read it.
    struct Estimate: ResponseEncodable {
        struct Line: Codable { var label: String, amount: String }
        var lines: [Line]
        var total: String
        var grams: String
        var volumeCM3: String
        var size: String
        var triangles: Int
        var watertight: Bool

        init(_ quote: Quote, _ model: ModelInfo) {
            lines = quote.lines.map { Line(label: Views.label(of: $0), amount: Views.money($0.amount)) }
            total = Views.money(quote.total)
            grams = Views.number(quote.metalWeightGrams)
            volumeCM3 = Views.number(model.metrics.volumeMM3 / 1000, decimals: 3)
            let dimensions = model.boundingBoxSizeMM.map { Views.number($0, decimals: 1) }.joined(separator: " × ")
            size = Phrase("\(dimensions) mm").localized
            triangles = model.metrics.triangles
            watertight = model.watertight
        }
    }

    struct Created: ResponseEncodable { var id: String, location: String }
    struct Status: ResponseEncodable { var status: OrderStatus }

    typealias Customer = SignedInContext<Audiences.Customers>

    struct PieceView {
        /// What the piece costs from, in one metal.
        struct PriceFrom {
            var metal: String
            var amount: String
        }
        var id: String
        var name: String
        var description: String
        var prices: [PriceFrom] = []
        /// For a ring: its size in the three systems.
        var size: String?

        init(_ item: CatalogItem, prices: [(material: Material, total: Money)] = []) {
            id = item.id
            name = Views.name(item.name)
            description = Views.name(item.description)
            self.prices = prices.map { PriceFrom(metal: Views.name($0.material.name), amount: Views.money($0.total)) }
            size = item.ringInnerDiameterMM.map(Views.ringSize)
        }
    }

    struct CatalogPage: PageModel {
        var chrome: Chrome?
        var items: [PieceView]
    }

    struct PiecePage: PageModel {
        var chrome: Chrome?
        var item: PieceView
        var choices: Choices
    }

    struct DesignPage: PageModel {
        var chrome: Chrome?
        var choices: Choices
        var maxMB: Int
        var maxBytes: Int
    }

    struct ConstructorPage: PageModel {
        struct Range {
            var min: String
            var max: String
            /// Plain numbers (`1.5`): they are also the limits of the form's number fields.
            init(_ range: ClosedRange<Double>) {
                min = String(format: "%g", range.lowerBound)
                max = String(format: "%g", range.upperBound)
            }
        }
        struct Ranges {
            var ru = Range(JewelryDesign.sizeRange[.ru]!)
            var eu = Range(JewelryDesign.sizeRange[.eu]!)
            var us = Range(JewelryDesign.sizeRange[.us]!)
            var width = Range(JewelryDesign.widthRange)
            var length = Range(JewelryDesign.lengthRange)
            var stone = Range(JewelryDesign.stoneRange)
            var engraving = JewelryDesign.engravingLimit
        }
        /// One row of the size guide: the same finger in each system.
        struct SizeRow {
            var ru: String
            var eu: String
            var us: String
        }
        var chrome: Chrome?
        var choices: Choices
        var ranges = Ranges()
        /// The system the form starts in: Russian sizes for a Russian reader, EU otherwise.
        var standard: String
        var size: String
        var ruFirst: Bool
        var sizeGuide: [SizeRow]

        init(choices: Choices, language: Language) {
            self.choices = choices
            ruFirst = language == .russian
            standard = ruFirst ? "ru" : "eu"
            size = ruFirst ? "17" : "54"
            sizeGuide = stride(from: 15.0, through: 22.0, by: 0.5).map { diameter in
                let eu = JewelryDesign(sizeStandard: .ru, size: diameter).size(in: .eu)
                let us = JewelryDesign(sizeStandard: .ru, size: diameter).size(in: .us)
                return SizeRow(
                    ru: Views.number(diameter, decimals: 1), eu: Views.number(eu, decimals: 0), us: Views.number(us, decimals: 2))
            }
        }
    }

    struct MyOrdersPage: PageModel {
        var chrome: Chrome?
        var orders: [OrderRow]
        var next: String?
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("/", use: catalog)
            .get("catalog/{id}", use: piece)
            .get("design", use: design)
            .get("constructor", use: constructor)
            .get("constructor/model.stl", use: constructorModel)
            .get("constructor/estimate", use: constructorEstimate)
        group.signedIn(Audiences.Customers.self)
            .post("orders", use: orderPiece)
            .post("design/estimate", use: designEstimate)
            .post("design/order", use: orderDesign)
            .post("constructor/order", use: orderConstruction)
            .get("orders", use: myOrders)
            .get("orders/{id}", use: order)
            .get("orders/{id}/status", use: orderStatus)
            .post("orders/{id}/submit", use: submit)
            .post("orders/{id}/cancel", use: cancel)
    }

    @Sendable func catalog(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let items = try await shop.offers(for: context.principal.map(FlagContext.of) ?? .anonymous).map {
            PieceView($0.item, prices: $0.prices)
        }
        return site.page("catalog", CatalogPage(items: items), title: "Alexandrite jewelry", request: request, context: context)
    }

    @Sendable func piece(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let offer = try await shop.offers(for: context.principal.map(FlagContext.of) ?? .anonymous).first(where: { $0.item.id == id })
        else {
            throw DomainError.notFound("The catalog has no piece '\(id)'.")
        }
        let item = offer.item
        let page = PiecePage(
            item: PieceView(item, prices: offer.prices),
            choices: Choices(try await shop.priceList(), material: item.defaultMaterial))
        return site.page("piece", page, title: Phrase(verbatim: Views.name(item.name)), request: request, context: context)
    }

    /// Orders a catalog piece.
    @Sendable func orderPiece(_ request: Request, context: Customer) async throws -> Response {
        let form = try await request.form(context: context)
        let outcome = try await shop.createOrder(
            .init(
                material: try form.required("material", label: "A metal"), finishes: form.all("finish"), catalogItem: form["catalogItem"]),
            by: context.principal, idempotencyKey: nil)
        return site.redirect("/orders/\(outcome.order.id)", flash: "Your order is started. Check it and place it.")
    }

    @Sendable func design(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let page = DesignPage(choices: Choices(try await shop.priceList()), maxMB: models.maxBytes / 1_048_576, maxBytes: models.maxBytes)
        return site.page("design", page, title: "Design your own", request: request, context: context)
    }

    /// The price of an uploaded model before ordering; nothing is stored.
    @Sendable func designEstimate(_ request: Request, context: Customer) async throws -> Estimate {
        let query = Form(query: request)
        let material = try query.required("material", label: "A metal")
        let upload = try await models.read(request)
        let (quote, model) = try await shop.estimate(
            material: material, finishes: query.all("finish"), upload: upload,
            filename: request.query("filename"), requester: context.principal.userID)
        return Estimate(quote, model)
    }

    /// Orders an uploaded model: the order and its model in one transaction.
    @Sendable func orderDesign(_ request: Request, context: Customer) async throws -> Created {
        let query = Form(query: request)
        let material = try query.required("material", label: "A metal")
        let upload = try await models.read(request)
        let order = try await shop.createOrder(
            .init(material: material, finishes: query.all("finish")), model: upload,
            filename: request.query("filename"), by: context.principal)
        return Created(id: order.id, location: "/orders/\(order.id)")
    }

    @Sendable func constructor(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        site.page(
            "constructor", ConstructorPage(choices: Choices(try await shop.priceList()), language: Addressee.current.language),
            title: "Constructor", request: request,
            context: context)
    }

    /// The model of a design with its stone, for the preview.
    @Sendable func constructorModel(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let bytes = try shop.preview(design: try design(Form(query: request)))
        return Response(
            status: .ok, headers: [.contentType: "model/stl", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func constructorEstimate(_ request: Request, context: AtelierRequestContext) async throws -> Estimate {
        let form = Form(query: request)
        // A visitor is known by their address; a request without one (no socket: the tests' router)
        // is its own visitor, bound only by the pool's queue, never by another's share.
        let requester = context.principal?.userID ?? "client:" + (context.clientAddress(request) ?? "unknown-\(UUID().uuidString)")
        let (quote, model) = try await shop.estimate(
            design: try design(form), material: try form.required("material", label: "A metal"), finishes: form.all("finish"),
            requester: requester)
        return Estimate(quote, model)
    }

    @Sendable func orderConstruction(_ request: Request, context: Customer) async throws -> Response {
        let form = try await request.form(context: context)
        let order = try await shop.createOrder(
            design: try design(form), material: try form.required("material", label: "A metal"), finishes: form.all("finish"),
            by: context.principal)
        return site.redirect("/orders/\(order.id)", flash: "Your design is saved with its model. Check it and place the order.")
    }

    @Sendable func myOrders(_ request: Request, context: Customer) async throws -> Response {
        let page = try await shop.myOrders(context.principal, page: try pageRequest(request))
        return site.page(
            "my-orders", MyOrdersPage(orders: page.items.map(OrderRow.init), next: Views.next(page, path: "/orders", query: [])),
            title: "My orders", request: request, context: context)
    }

    @Sendable func order(_ request: Request, context: Customer) async throws -> Response {
        try await orderPage(request, context: context)
    }

    /// The order's page; with `typed` (a checkout that had a mistake), its fields as they were sent.
    private func orderPage(
        _ request: Request, context: Customer, typed: Form? = nil, status: HTTPResponse.Status = .ok, error: Phrase? = nil
    ) async throws -> Response {
        let details = try await shop.order(id: try context.parameters.require("id"), viewer: context.principal)
        var page = OrderPage(details)
        page.canSubmit = details.order.status == .fileUploaded
        page.canCancel = details.allowedMoves.contains(.cancelled)
        if page.canSubmit {
            let saved = try await shop.savedDeliveries(of: context.principal)
            page.checkout =
                typed.map { CheckoutForm(typed: $0, saved: saved) }
                ?? CheckoutForm(saved: saved, chosen: request.query("address").flatMap(Int.init) ?? 0)
        }
        if !details.order.status.isTerminal { page.poll = "/orders/\(details.order.id)/status" }
        return site.page(
            "order", page, title: "Order \(details.order.id.prefix(8))", request: request, context: context, status: status, error: error)
    }

    @Sendable func orderStatus(_ request: Request, context: Customer) async throws -> Status {
        Status(status: try await shop.order(id: try context.parameters.require("id"), viewer: context.principal).order.status)
    }

    @Sendable func submit(_ request: Request, context: Customer) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.form(context: context)
        do {
            let delivery = try DeliveryInput(
                recipient: form["recipient"] ?? "", phone: form["phone"] ?? "", country: form["country"],
                postalCode: form["postalCode"] ?? "",
                city: form["city"] ?? "", street: form["street"] ?? "", note: form["note"]
            ).checked()
            _ = try await shop.submit(orderID: id, delivery: delivery, by: context.principal, idempotencyKey: nil)
        } catch let error as DomainError {
            guard case .invalid = error else { throw error }
            return try await orderPage(request, context: context, typed: form, status: .unprocessableContent, error: error.phrase)
        }
        return site.redirect("/orders/\(id)", flash: "Your order is placed. Its price appears here in a moment.")
    }

    @Sendable func cancel(_ request: Request, context: Customer) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.form(context: context)
        _ = try await shop.cancel(
            orderID: id, reason: form["reason"].flatMap { $0.isEmpty ? nil : $0 } ?? "withdrawn by the customer", by: context.principal)
        return site.redirect("/orders/\(id)", flash: "Your order is cancelled.")
    }

    /// A design from the constructor's fields.
    private func design(_ form: Form) throws -> JewelryDesign {
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ label: Phrase, default value: T) throws -> T
        where T.RawValue == String {
            guard let text = form[name], !text.isEmpty else { return value }
            guard let chosen = T(rawValue: text) else {
                throw Problem(
                    status: .unprocessableContent, type: "invalid",
                    detail: "\(label) '\(text)' is not offered; choose \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return chosen
        }
        return JewelryDesign(
            kind: try choice("kind", "A piece", default: .ring), profile: try choice("profile", "A band profile", default: .comfort),
            sizeStandard: try choice("standard", "A size standard", default: .eu),
            size: try form.number("size", label: "The ring size", default: 54),
            widthMM: try form.number("width", label: "The band width", default: 4), shape: try choice("shape", "A shape", default: .round),
            lengthMM: try form.number("length", label: "The pendant's height", default: 18),
            setting: try choice("setting", "A setting", default: .none),
            stoneMM: try form.number("stone", label: "The stone's diameter", default: 5), engraving: form["engraving"] ?? "")
    }
}

func pageRequest(_ request: Request, limit: Int = 25) throws -> PageRequest {
    try PageRequest.parsed(cursor: request.query("cursor"), limit: request.query("limit") ?? String(limit), maxLimit: 100)
}
