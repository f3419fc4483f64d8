import AtelierDomain
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird

/// The web shop's API for customers: `/api/shop`.
struct ShopController {
    let shop: ShopService
    let maxModelBytes: Int

    struct CancelBody: Decodable { var reason: String }

    struct ModelUploadResponse: ResponseEncodable {
        var order: OrderResponse
        var model: ModelResponse
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        /// Ready-made pieces.
        group.get("catalog") { _, _ -> [CatalogItem] in try await shop.catalog() }
        /// Materials and finishes with their prices.
        group.get("price-list") { _, _ -> PriceList in try await shop.priceList() }
        /// Starts an order (`INITIATED`); with `catalogItem`, the piece's model is attached (`FILE_UPLOADED`).
        group.post("orders") { request, context -> EditedResponse<OrderResponse> in
            let customer = try context.require(.customer)
            let body = try await request.decode(as: ShopService.NewOrder.self, context: context)
            let outcome = try await shop.createOrder(body, by: customer, idempotencyKey: request.idempotencyKey)
            return created(OrderResponse(outcome.order), replayed: outcome.replayed)
        }
        /// My orders, most recently changed first.
        group.get("orders") { request, context -> PageResponse<OrderResponse> in
            let customer = try context.require(.customer)
            return PageResponse(try await shop.myOrders(customer, page: try request.pageRequest()), OrderResponse.init)
        }
        /// One of my orders with its model, quote and history.
        group.get("orders/{id}") { _, context -> OrderDetailsResponse in
            let customer = try context.require(.customer)
            let details = try await shop.order(id: try context.parameters.require("id"), viewer: customer)
            return OrderDetailsResponse(details, includeNotes: false)
        }
        /// Uploads the model (binary STL, ASCII STL or OBJ as the raw body; `?filename=`): `FILE_UPLOADED`.
        group.put("orders/{id}/model") { request, context -> ModelUploadResponse in
            let customer = try context.require(.customer)
            let id = try context.parameters.require("id")
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maxModelBytes)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw Problem(
                    status: .contentTooLarge, type: "model-too-large",
                    detail: "The model file is larger than the limit of \(maxModelBytes) bytes.")
            }
            let filename = request.uri.queryParameters["filename"].map(String.init) ?? request.headers[.filename]
            let (order, model) = try await shop.attachModel(
                orderID: id, filename: filename, bytes: Array(buffer.readableBytesView), by: customer)
            return ModelUploadResponse(order: OrderResponse(order), model: ModelResponse(model))
        }
        /// Places the order (`SUBMITTED`); pricing follows by itself.
        group.post("orders/{id}/submit") { request, context -> EditedResponse<OrderResponse> in
            let customer = try context.require(.customer)
            let outcome = try await shop.submit(
                orderID: try context.parameters.require("id"), by: customer, idempotencyKey: request.idempotencyKey)
            return EditedResponse(
                status: .ok, headers: outcome.replayed ? [.idempotentReplayed: "true"] : [:], response: OrderResponse(outcome.order))
        }
        /// Withdraws the order, allowed until manufacturing starts.
        group.post("orders/{id}/cancel") { request, context -> OrderResponse in
            let customer = try context.require(.customer)
            let body = try await request.decode(as: CancelBody.self, context: context)
            return OrderResponse(try await shop.cancel(orderID: try context.parameters.require("id"), reason: body.reason, by: customer))
        }
    }
}
