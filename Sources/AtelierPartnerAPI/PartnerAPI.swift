import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The partner API's operations, as generated from `openapi.yaml`: each one calls one use case and
/// maps the result to the contract's types. Errors are thrown and become problem+json in
/// ``PartnerErrorMiddleware``.
struct PartnerAPI: APIProtocol {
    let partners: PartnerService
    let webhooks: WebhookService
    /// The reader of model files, with the limit every upload route has.
    let models: ModelBodyReader

    /// The partner of the current request, put there by ``PartnerGateMiddleware``.
    private var partner: Principal {
        get throws {
            guard let partner = PartnerRequest.current?.partner else { throw AuthenticationError.notSignedIn }
            return partner.principal
        }
    }

    func listMaterials(_ input: Operations.ListMaterials.Input) async throws -> Operations.ListMaterials.Output {
        _ = try partner
        let list = try await partners.priceList()
        let money = { (minor: Int64) in Components.Schemas.Money(minorUnits: minor, currency: list.currency) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        version: list.version, currency: list.currency,
                        materials: list.materials.filter(\.active).map {
                            .init(
                                code: $0.code, name: $0.name, densityGPerCM3: $0.densityGPerCM3, pricePerGram: money($0.pricePerGramMinor))
                        },
                        finishes: list.finishes.map { .init(code: $0.code, name: $0.name, price: money($0.priceMinor)) }))))
    }

    func createQuote(_ input: Operations.CreateQuote.Input) async throws -> Operations.CreateQuote.Output {
        let partner = try partner
        guard case let .binary(body) = input.body else { throw Problem.badRequest("The body must be the model file.") }
        try Self.limit(input.query.finish)
        let upload = try await receive(body)
        let (quote, model) = try await partners.instantQuote(
            material: input.query.material, finishes: input.query.finish ?? [], upload: upload, filename: nil, by: partner)
        let size = zip(model.boundingBoxMaxMM, model.boundingBoxMinMM).map { $0 - $1 }
        return .ok(
            .init(
                body: .json(
                    .init(
                        quote: Self.quote(quote),
                        model: .init(
                            volumeMM3: model.metrics.volumeMM3, surfaceAreaMM2: model.metrics.surfaceAreaMM2,
                            triangles: model.metrics.triangles, shells: model.metrics.shells, watertight: model.watertight,
                            boundingBoxMM: size)))))
    }

    func createOrder(_ input: Operations.CreateOrder.Input) async throws -> Operations.CreateOrder.Output {
        let partner = try partner
        guard case let .binary(body) = input.body else { throw Problem.badRequest("The body must be the model file.") }
        try Self.limit(input.query.finish)
        try Self.limit(input.query.filename, 200, "filename")
        let upload = try await receive(body)
        let created = try await partners.createOrder(
            .init(
                material: input.query.material, finishes: input.query.finish ?? [], reference: input.query.reference,
                filename: input.query.filename, model: upload),
            by: partner, idempotencyKey: input.headers.idempotencyKey)
        return .created(
            .init(
                headers: .init(location: "/v1/orders/\(created.order.id)", idempotentReplayed: created.replayed ? ._true : ._false),
                body: .json(Self.order(created.order, quote: nil, history: created.history))))
    }

    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        let partner = try partner
        let page = try Self.page(cursor: input.query.cursor, limit: input.query.limit)
        let status = try input.query.status.map { try Self.status($0.rawValue) }
        let result = try await partners.orders(partner: partner, status: status, updatedSince: input.query.updatedSince, page: page)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: try result.items.map { order in
                            .init(
                                id: order.id, reference: order.reference, status: try Self.status(order.status),
                                statusSince: order.statusSince, material: order.materialCode, finishes: order.finishCodes,
                                promisedBy: order.promisedBy, trackingNumber: order.trackingNumber, createdAt: order.createdAt,
                                updatedAt: order.updatedAt)
                        }, nextCursor: result.next?.token))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let details = try await partners.order(id: input.path.orderId, partner: try partner)
        return .ok(.init(body: .json(Self.order(details.order, quote: details.quote, history: details.history))))
    }

    func cancelOrder(_ input: Operations.CancelOrder.Input) async throws -> Operations.CancelOrder.Output {
        guard case let .json(request) = input.body else { throw Problem.badRequest("The body must be JSON with a reason.") }
        try Self.limit(request.reason, 500, "reason")
        let details = try await partners.cancel(orderID: input.path.orderId, reason: request.reason, partner: try partner)
        return .ok(.init(body: .json(Self.order(details.order, quote: details.quote, history: details.history))))
    }

    func setOrderDelivery(_ input: Operations.SetOrderDelivery.Input) async throws -> Operations.SetOrderDelivery.Output {
        guard case let .json(request) = input.body else { throw Problem.badRequest("The body must be JSON with the address.") }
        let delivery = try DeliveryDetails(
            recipient: request.recipient, phone: request.phone, country: request.country ?? "RU", postalCode: request.postalCode,
            city: request.city, street: request.street, note: request.note)
        let kept = try await partners.setDelivery(orderID: input.path.orderId, delivery: delivery, partner: try partner)
        return .ok(
            .init(
                body: .json(
                    .init(
                        recipient: kept.recipient, phone: kept.phone, country: kept.country, postalCode: kept.postalCode, city: kept.city,
                        street: kept.street, note: kept.note))))
    }

    func listWebhookEndpoints(_ input: Operations.ListWebhookEndpoints.Input) async throws -> Operations.ListWebhookEndpoints.Output {
        let endpoints = try await webhooks.endpoints(partner: try partner)
        return .ok(.init(body: .json(.init(items: endpoints.map(Self.endpoint)))))
    }

    func createWebhookEndpoint(_ input: Operations.CreateWebhookEndpoint.Input) async throws -> Operations.CreateWebhookEndpoint.Output {
        guard case let .json(request) = input.body else { throw Problem.badRequest("The body must be JSON with a url.") }
        let (endpoint, secret) = try await webhooks.register(url: request.url, description: request.description, partner: try partner)
        return .created(.init(body: .json(.init(endpoint: Self.endpoint(endpoint), secret: secret))))
    }

    func disableWebhookEndpoint(_ input: Operations.DisableWebhookEndpoint.Input) async throws -> Operations.DisableWebhookEndpoint.Output {
        let endpoint = try await webhooks.disable(endpointID: input.path.endpointId, partner: try partner)
        return .ok(.init(body: .json(Self.endpoint(endpoint))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        try Self.limit(input.query.orderId, 64, "order_id")
        let page = try Self.page(cursor: input.query.cursor, limit: input.query.limit)
        let state = input.query.state.flatMap { DeliveryState(rawValue: $0.rawValue) }
        let result = try await webhooks.deliveries(partner: try partner, state: state, orderID: input.query.orderId, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.delivery), nextCursor: result.next?.token))))
    }

    func replayWebhookDelivery(_ input: Operations.ReplayWebhookDelivery.Input) async throws -> Operations.ReplayWebhookDelivery.Output {
        let partner = try partner
        guard let id = Int64(input.path.deliveryId) else {
            throw DomainError.notFound("You have no webhook delivery \(input.path.deliveryId).")
        }
        return .accepted(.init(body: .json(Self.delivery(try await webhooks.replay(deliveryID: id, partner: partner)))))
    }

    // MARK: Mapping

    /// The model file of the body, received into an upload file as it arrives.
    private func receive(_ body: HTTPBody) async throws -> SpooledModel {
        var declared: Int?
        if case let .known(length) = body.length { declared = Int(clamping: length) }
        return try await models.read(chunks: body, declaredLength: declared)
    }

    /// The contract's length limits, which the generated code does not check.
    static func limit(_ value: String?, _ maxLength: Int, _ name: String) throws {
        guard let value else { return }
        guard !value.isEmpty, value.unicodeScalars.count <= maxLength else {
            throw Problem.badRequest("\(name) must have 1 to \(maxLength) characters, not \(value.unicodeScalars.count).")
        }
    }

    static func limit(_ finishes: [String]?) throws {
        guard let finishes else { return }
        guard finishes.count <= 10 else { throw Problem.badRequest("At most 10 finishes, not \(finishes.count).") }
        for finish in finishes { try limit(finish, 40, "finish") }
    }

    /// The contract's page: a cursor of 1 to 200 characters, a limit of 1 to 100.
    static func page(cursor: String?, limit: Int?) throws -> PageRequest {
        try Self.limit(cursor, 200, "cursor")
        return try PageRequest.parsed(cursor: cursor, limit: limit.map(String.init), maxLimit: 100)
    }

    static func status(_ status: OrderStatus) throws -> Components.Schemas.OrderStatus {
        guard let value = Components.Schemas.OrderStatus(rawValue: status.rawValue) else {
            throw Problem(status: .internalServerError, type: "internal", detail: "Unknown status \(status.rawValue).")
        }
        return value
    }

    static func status(_ raw: String) throws -> OrderStatus {
        guard let status = OrderStatus(rawValue: raw) else { throw Problem.badRequest("Unknown status \(raw).") }
        return status
    }

    static func money(_ money: Money) -> Components.Schemas.Money { .init(minorUnits: money.minorUnits, currency: money.currency) }

    static func quote(_ quote: Quote) -> Components.Schemas.Quote {
        .init(
            material: quote.materialCode, finishes: quote.finishCodes, metalWeightGrams: quote.metalWeightGrams,
            lines: quote.lines.map { .init(code: $0.code, label: $0.label, amount: money($0.amount)) }, total: money(quote.total),
            priceListVersion: quote.priceListVersion)
    }

    static func order(_ order: Order, quote: Quote?, history: [HistoryEntry]) -> Components.Schemas.Order {
        .init(
            id: order.id, reference: order.reference,
            status: Components.Schemas.OrderStatus(rawValue: order.status.rawValue) ?? .initiated, statusSince: order.statusSince,
            material: order.materialCode, finishes: order.finishCodes, modelFilename: order.modelFilename, quote: quote.map(Self.quote),
            promisedBy: order.promisedBy, trackingNumber: order.trackingNumber, cancelReason: order.cancelReason,
            createdAt: order.createdAt, updatedAt: order.updatedAt,
            history: history.map { entry in
                .init(
                    from: entry.from.flatMap { Components.Schemas.OrderStatus(rawValue: $0.rawValue) },
                    to: Components.Schemas.OrderStatus(rawValue: entry.to.rawValue) ?? .initiated, at: entry.at,
                    actorRole: entry.actorRole.rawValue, note: entry.note)
            })
    }

    static func endpoint(_ health: WebhookEndpointHealth) -> Components.Schemas.WebhookEndpoint {
        .init(
            id: health.endpoint.id, url: health.endpoint.url, description: health.endpoint.description, active: health.endpoint.active,
            createdAt: health.endpoint.createdAt, pending: health.pending, failed: health.failed, lastSuccessAt: health.lastSuccessAt,
            lastFailureAt: health.lastFailureAt, lastError: health.lastError)
    }

    static func delivery(_ delivery: WebhookDelivery) -> Components.Schemas.Delivery {
        .init(
            id: String(delivery.id), eventId: "evt_\(delivery.eventID)", endpointId: delivery.endpointID, orderId: delivery.orderID,
            eventType: delivery.eventType, state: Components.Schemas.DeliveryState(rawValue: delivery.state.rawValue) ?? .pending,
            attempts: delivery.attempts, lastStatusCode: delivery.lastStatusCode, lastError: delivery.lastError,
            createdAt: delivery.createdAt, deliveredAt: delivery.deliveredAt, replayOf: delivery.replayOf.map { String($0) })
    }
}
