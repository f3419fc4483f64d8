import AtelierDomain
import AtelierGeometry
import AtelierHTTP
import AtelierServices
import Foundation
import Hummingbird

/// The shop: the catalog, design your own (upload), the constructor, my orders.
struct ShopPages {
    let site: WebSite
    var shop: ShopService { site.useCases.shop }
    var maxModelBytes: Int { site.useCases.context.configuration.meshLimits.maxBytes }

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
            lines = quote.lines.map { Line(label: $0.label, amount: $0.amount.description) }
            total = quote.total.description
            grams = Views.number(quote.metalWeightGrams)
            volumeCM3 = Views.number(model.metrics.volumeMM3 / 1000, decimals: 3)
            size = model.boundingBoxSizeMM.map { Views.number($0, decimals: 1) }.joined(separator: " × ") + " mm"
            triangles = model.metrics.triangles
            watertight = model.watertight
        }
    }

    struct Created: ResponseEncodable { var id: String, location: String }
    struct Status: ResponseEncodable { var status: OrderStatus }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("/") { request, context in
            let catalog = try await shop.catalog()
            return site.page(
                "catalog", ["items": catalog.map { ["id": $0.id, "name": $0.name, "description": $0.description] }],
                title: "Alexandrite jewelry",
                request: request, context: context)
        }
        group.get("catalog/{id}") { request, context in
            let id = try context.parameters.require("id")
            guard let item = try await shop.catalog().first(where: { $0.id == id }) else {
                throw DomainError.notFound("The catalog has no piece '\(id)'.")
            }
            var values = Views.choices(try await shop.priceList(), material: item.defaultMaterial)
            values["item"] = ["id": item.id, "name": item.name, "description": item.description]
            return site.page("piece", values, title: item.name, request: request, context: context)
        }
        /// Orders a catalog piece.
        group.post("orders") { request, context -> Response in
            let customer = try context.require(.customer)
            let form = try await request.form(context: context)
            let outcome = try await shop.createOrder(
                .init(
                    material: try form.required("material", label: "A metal"), finishes: form.all("finish"),
                    catalogItem: form["catalogItem"]),
                by: customer, idempotencyKey: nil)
            return site.redirect("/orders/\(outcome.order.id)", flash: "Your order is started. Check it and place it.")
        }

        group.get("design") { request, context in
            var values = Views.choices(try await shop.priceList())
            values["maxMB"] = maxModelBytes / 1_048_576
            return site.page("design", values, title: "Design your own", request: request, context: context)
        }
        /// The price of an uploaded model before ordering; nothing is stored.
        group.post("design/estimate") { request, context -> Estimate in
            let customer = try context.require(.customer)
            let bytes = try await request.bytes(limit: maxModelBytes)
            let (quote, model) = try await shop.estimate(
                material: try Form(query: request).required("material", label: "A metal"), finishes: Form(query: request).all("finish"),
                bytes: bytes, filename: request.query("filename"), requester: customer.userID)
            return Estimate(quote, model)
        }
        /// Orders an uploaded model: the order and its model in one transaction.
        group.post("design/order") { request, context -> Created in
            let customer = try context.require(.customer)
            let query = Form(query: request)
            let bytes = try await request.bytes(limit: maxModelBytes)
            let order = try await shop.createOrder(
                .init(material: try query.required("material", label: "A metal"), finishes: query.all("finish")), model: bytes,
                filename: request.query("filename"), by: customer)
            return Created(id: order.id, location: "/orders/\(order.id)")
        }

        group.get("constructor") { request, context in
            var values = Views.choices(try await shop.priceList())
            values["ranges"] = [
                "eu": range(JewelryDesign.sizeRange[.eu]!), "us": range(JewelryDesign.sizeRange[.us]!),
                "width": range(JewelryDesign.widthRange), "length": range(JewelryDesign.lengthRange),
                "stone": range(JewelryDesign.stoneRange),
                "engraving": JewelryDesign.engravingLimit,
            ]
            return site.page("constructor", values, title: "Constructor", request: request, context: context)
        }
        /// The model of a design with its stone, for the preview.
        group.get("constructor/model.stl") { request, _ -> Response in
            let bytes = try shop.preview(design: try design(Form(query: request)))
            return Response(
                status: .ok, headers: [.contentType: "model/stl", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.get("constructor/estimate") { request, context -> Estimate in
            let form = Form(query: request)
            let requester = context.principal?.userID ?? "client:" + (context.clientAddress(request) ?? "unknown")
            let (quote, model) = try await shop.estimate(
                design: try design(form), material: try form.required("material", label: "A metal"), finishes: form.all("finish"),
                requester: requester)
            return Estimate(quote, model)
        }
        group.post("constructor/order") { request, context -> Response in
            let customer = try context.require(.customer)
            let form = try await request.form(context: context)
            let order = try await shop.createOrder(
                design: try design(form), material: try form.required("material", label: "A metal"), finishes: form.all("finish"),
                by: customer)
            return site.redirect("/orders/\(order.id)", flash: "Your design is saved with its model. Check it and place the order.")
        }

        group.get("orders") { request, context in
            let customer = try context.require(.customer)
            let page = try await shop.myOrders(customer, page: try pageRequest(request))
            var values: [String: Any] = ["orders": page.items.map(Views.order)]
            values.merge(Views.page(page, path: "/orders", query: []), uniquingKeysWith: { $1 })
            return site.page("my-orders", values, title: "My orders", request: request, context: context)
        }
        group.get("orders/{id}") { request, context in
            let customer = try context.require(.customer)
            let details = try await shop.order(id: try context.parameters.require("id"), viewer: customer)
            var values = Views.details(details)
            values["canSubmit"] = details.order.status == .fileUploaded
            values["canCancel"] = details.allowedMoves.contains(.cancelled)
            if !details.order.status.isTerminal { values["poll"] = "/orders/\(details.order.id)/status" }
            return site.page("order", values, title: "Order \(details.order.id.prefix(8))", request: request, context: context)
        }
        group.get("orders/{id}/status") { _, context -> Status in
            let customer = try context.require(.customer)
            return Status(status: try await shop.order(id: try context.parameters.require("id"), viewer: customer).order.status)
        }
        group.post("orders/{id}/submit") { _, context -> Response in
            let customer = try context.require(.customer)
            let id = try context.parameters.require("id")
            _ = try await shop.submit(orderID: id, by: customer, idempotencyKey: nil)
            return site.redirect("/orders/\(id)", flash: "Your order is placed. Its price appears here in a moment.")
        }
        group.post("orders/{id}/cancel") { request, context -> Response in
            let customer = try context.require(.customer)
            let id = try context.parameters.require("id")
            let form = try await request.form(context: context)
            _ = try await shop.cancel(
                orderID: id, reason: form["reason"].flatMap { $0.isEmpty ? nil : $0 } ?? "withdrawn by the customer", by: customer)
            return site.redirect("/orders/\(id)", flash: "Your order is cancelled.")
        }
    }

    private func range(_ range: ClosedRange<Double>) -> [String: Any] {
        ["min": Views.number(range.lowerBound, decimals: 1), "max": Views.number(range.upperBound, decimals: 1)]
    }

    /// A design from the constructor's fields.
    private func design(_ form: Form) throws -> JewelryDesign {
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ label: String, default value: T) throws -> T
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
