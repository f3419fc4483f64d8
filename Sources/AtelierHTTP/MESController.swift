import AtelierDomain
import AtelierServices
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
        /// Counts per status and the newest orders of one status (default `MANUFACTURING_APPROVED`), by cursor.
        group.get("dashboard") { request, context -> DashboardResponse in
            _ = try context.require(.operator, .admin)
            let status = try request.status("status") ?? .manufacturingApproved
            let dashboard = try await mes.dashboard(status: status, page: try request.pageRequest())
            return DashboardResponse(
                counts: Dictionary(uniqueKeysWithValues: dashboard.counts.map { ($0.key.rawValue, $0.value) }),
                status: status, orders: PageResponse(dashboard.orders, OrderResponse.init))
        }
        group.get("orders/{id}") { _, context -> OrderDetailsResponse in
            let worker = try context.require(.operator, .admin)
            return OrderDetailsResponse(try await mes.order(id: try context.parameters.require("id"), viewer: worker), includeNotes: true)
        }
        /// The model file, to print and cast.
        group.get("orders/{id}/model") { _, context -> Response in
            let worker = try context.require(.operator, .admin)
            let details = try await mes.order(id: try context.parameters.require("id"), viewer: worker)
            guard let model = details.model, let bytes = try await mes.modelBytes(hash: model.hash) else {
                throw Problem(status: .notFound, type: "not-found", detail: "Order \(details.order.id) has no model.")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .contentDisposition: attachment(filename: model.filename)],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        /// Takes the order into work: `MANUFACTURING_STARTED`. 409 names who was faster.
        group.post("orders/{id}/take") { _, context -> OrderResponse in
            let worker = try context.require(.operator)
            return OrderResponse(try await mes.take(orderID: try context.parameters.require("id"), by: worker))
        }
        group.post("orders/{id}/complete") { _, context -> OrderResponse in
            let worker = try context.require(.operator)
            return OrderResponse(try await mes.complete(orderID: try context.parameters.require("id"), by: worker))
        }
        group.post("orders/{id}/package") { _, context -> OrderResponse in
            let worker = try context.require(.operator)
            return OrderResponse(try await mes.package(orderID: try context.parameters.require("id"), by: worker))
        }
        group.post("orders/{id}/ship") { request, context -> OrderResponse in
            let worker = try context.require(.operator)
            let body = try await request.decode(as: ShipBody.self, context: context)
            return OrderResponse(
                try await mes.ship(orderID: try context.parameters.require("id"), trackingNumber: body.trackingNumber, by: worker))
        }
        /// Orders I took.
        group.get("my/orders") { request, context -> PageResponse<OrderResponse> in
            let worker = try context.require(.operator)
            return PageResponse(try await mes.myOrders(worker, page: try request.pageRequest()), OrderResponse.init)
        }
        /// What I earned: the labour of every order I took and made.
        group.get("my/earnings") { _, context -> EarningsResponse in
            let worker = try context.require(.operator)
            let earnings = try await mes.earnings(worker)
            return EarningsResponse(
                earned: earnings.earned, inWork: earnings.inWork,
                orders: earnings.rows.map { .init(orderId: $0.orderID, status: $0.status, labour: $0.labour, takenAt: $0.takenAt) })
        }
    }
}
