import AtelierDomain
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird

/// The web shop's API for customers: `/api/shop`.
struct ShopController {
    typealias Context = SignedInContext<Audiences.Customers>
    let shop: ShopService
    let models: ModelBodyReader

    struct CancelBody: Decodable { var reason: String }

    struct ModelUploadResponse: ResponseEncodable {
        var order: OrderResponse
        var model: ModelResponse
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("catalog", use: catalog)
            .get("price-list", use: priceList)
            .get("casting-rules", use: castingRules)
        group.signedIn(Audiences.Customers.self)
            .post("orders", use: createOrder)
            .get("orders", use: myOrders)
            .get("orders/{id}", use: order)
            .put("orders/{id}/model", use: uploadModel)
            .post("orders/{id}/submit", use: submit)
            .post("orders/{id}/cancel", use: cancel)
    }

    /// Ready-made pieces.
    @Sendable func catalog(_ request: Request, context: AtelierRequestContext) async throws -> [CatalogItem] {
        try await shop.catalog()
    }

    /// Materials and finishes with their prices.
    @Sendable func priceList(_ request: Request, context: AtelierRequestContext) async throws -> PriceList {
        try await shop.priceList()
    }

    /// The walls and details each alloy needs to be cast.
    @Sendable func castingRules(_ request: Request, context: AtelierRequestContext) async throws -> CastingRules {
        try await shop.castingRules()
    }

    /// Starts an order (`INITIATED`); with `catalogItem`, the piece's model is attached (`FILE_UPLOADED`).
    @Sendable func createOrder(_ request: Request, context: Context) async throws -> EditedResponse<OrderResponse> {
        let body = try await request.decode(as: ShopService.NewOrder.self, context: context)
        let outcome = try await shop.createOrder(body, by: context.principal, idempotencyKey: request.idempotencyKey)
        return created(OrderResponse(outcome.order), replayed: outcome.replayed)
    }

    /// My orders, most recently changed first.
    @Sendable func myOrders(_ request: Request, context: Context) async throws -> PageResponse<OrderResponse> {
        PageResponse(try await shop.myOrders(context.principal, page: try request.pageRequest()), OrderResponse.init)
    }

    /// One of my orders with its model, quote and history.
    @Sendable func order(_ request: Request, context: Context) async throws -> OrderDetailsResponse {
        let details = try await shop.order(id: try context.parameters.require("id"), viewer: context.principal)
        return OrderDetailsResponse(details, includeNotes: false)
    }

    /// Uploads the model (binary STL, ASCII STL or OBJ as the raw body; `?filename=`): `FILE_UPLOADED`.
    @Sendable func uploadModel(_ request: Request, context: Context) async throws -> ModelUploadResponse {
        let id = try context.parameters.require("id")
        let upload = try await models.read(request)
        let filename = request.uri.queryParameters["filename"].map(String.init) ?? request.headers[.filename]
        let (order, model) = try await shop.attachModel(orderID: id, filename: filename, upload: upload, by: context.principal)
        return ModelUploadResponse(order: OrderResponse(order), model: ModelResponse(model))
    }

    struct SubmitBody: Decodable {
        var delivery: DeliveryInput?
    }

    /// Places the order (`SUBMITTED`) with where it goes; pricing follows by itself.
    @Sendable func submit(_ request: Request, context: Context) async throws -> EditedResponse<OrderResponse> {
        let body = try await request.decode(SubmitBody.self, context: context, orEmpty: SubmitBody())
        let outcome = try await shop.submit(
            orderID: try context.parameters.require("id"), delivery: try body.delivery?.checked(), by: context.principal,
            idempotencyKey: request.idempotencyKey)
        return EditedResponse(
            status: .ok, headers: outcome.replayed ? [.idempotentReplayed: "true"] : [:], response: OrderResponse(outcome.order))
    }

    /// Withdraws the order, allowed until manufacturing starts.
    @Sendable func cancel(_ request: Request, context: Context) async throws -> OrderResponse {
        let body = try await request.decode(as: CancelBody.self, context: context)
        return OrderResponse(
            try await shop.cancel(orderID: try context.parameters.require("id"), reason: body.reason, by: context.principal))
    }
}
