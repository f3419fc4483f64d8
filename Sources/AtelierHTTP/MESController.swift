import AtelierDomain
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// The operators' API: `/api/mes`.
struct MESController {
    let mes: MESService

    struct ShipBody: Decodable { var trackingNumber: String }

    struct DashboardResponse: ResponseEncodable {
        var counts: [String: Int]
        var status: OrderStatus
        var orders: PageResponse<OrderResponse>
        /// The orders of the page whose model breaks a casting rule of its alloy.
        var notCastable: [String]
    }

    struct EarningsResponse: ResponseEncodable {
        struct Row: Codable {
            var orderId: String
            var status: OrderStatus
            var labour: Money?
            var takenAt: Date
        }
        var earned: Money
        var inWork: Money
        var orders: [Row]
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Workshop.self)
            .get("dashboard", use: dashboard)
            .get("orders/{id}", use: order)
            .get("orders/{id}/model", use: model)
        group.signedIn(Audiences.Operators.self)
            .post("orders/{id}/take", use: take)
            .post("orders/{id}/complete", use: complete)
            .post("orders/{id}/package", use: package)
            .post("orders/{id}/ship", use: ship)
            .get("my/orders", use: myOrders)
            .get("my/earnings", use: earnings)
    }

    /// Counts per status and the newest orders of one status (default `MANUFACTURING_APPROVED`), by cursor.
    @Sendable func dashboard(_ request: Request, context: SignedInContext<Audiences.Workshop>) async throws -> DashboardResponse {
        let status = try request.status("status") ?? .manufacturingApproved
        let dashboard = try await mes.dashboard(status: status, page: try request.pageRequest())
        return DashboardResponse(
            counts: Dictionary(uniqueKeysWithValues: dashboard.counts.map { ($0.key.rawValue, $0.value) }),
            status: status, orders: PageResponse(dashboard.orders, OrderResponse.init), notCastable: dashboard.notCastable.sorted())
    }

    @Sendable func order(_ request: Request, context: SignedInContext<Audiences.Workshop>) async throws -> OrderDetailsResponse {
        OrderDetailsResponse(try await mes.order(id: try context.parameters.require("id"), viewer: context.principal), includeNotes: true)
    }

    /// The model file, to print and cast.
    @Sendable func model(_ request: Request, context: SignedInContext<Audiences.Workshop>) async throws -> Response {
        let details = try await mes.order(id: try context.parameters.require("id"), viewer: context.principal)
        guard let model = details.model else {
            throw Problem(status: .notFound, type: "not-found", detail: "Order \(details.order.id) has no model.")
        }
        return try await ModelDownload.response(
            for: try await mes.modelFile(hash: model.hash), request: request,
            headers: [
                .contentType: "application/octet-stream", .contentDisposition: attachment(filename: model.filename),
                .cacheControl: "private, no-cache",
            ])
    }

    /// Takes the order into work: `MANUFACTURING_STARTED`. 409 names who was faster.
    @Sendable func take(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> OrderResponse {
        OrderResponse(try await mes.take(orderID: try context.parameters.require("id"), by: context.principal))
    }

    @Sendable func complete(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> OrderResponse {
        OrderResponse(try await mes.complete(orderID: try context.parameters.require("id"), by: context.principal))
    }

    @Sendable func package(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> OrderResponse {
        OrderResponse(try await mes.package(orderID: try context.parameters.require("id"), by: context.principal))
    }

    @Sendable func ship(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> OrderResponse {
        let body = try await request.decode(as: ShipBody.self, context: context)
        return OrderResponse(
            try await mes.ship(orderID: try context.parameters.require("id"), trackingNumber: body.trackingNumber, by: context.principal))
    }

    /// Orders I took.
    @Sendable func myOrders(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> PageResponse<OrderResponse> {
        PageResponse(try await mes.myOrders(context.principal, page: try request.pageRequest()), OrderResponse.init)
    }

    /// What I earned: the labour of every order I took and made.
    @Sendable func earnings(_ request: Request, context: SignedInContext<Audiences.Operators>) async throws -> EarningsResponse {
        let earnings = try await mes.earnings(context.principal)
        return EarningsResponse(
            earned: earnings.earned, inWork: earnings.inWork,
            orders: earnings.rows.map { .init(orderId: $0.orderID, status: $0.status, labour: $0.labour, takenAt: $0.takenAt) })
    }
}
