import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird

/// The sellers' API: `/api/crm`.
struct CRMController {
    let crm: CRMService
    let watchdog: WatchdogService

    /// An order past its status's time budget, and who must act.
    struct StalledResponse: Encodable {
        var order: OrderResponse
        var responsible: Responsible
        var inStatusSince: Date
        var budgetSeconds: Double
        var overdueSeconds: Double
    }

    struct StalledBoard: ResponseEncodable {
        var counts: [String: Int]
        var orders: [StalledResponse]
    }

    struct NoteBody: Decodable { var note: String? }
    struct CancelBody: Decodable { var reason: String }
    struct NewNote: Decodable {
        var kind: OrderNote.Kind?
        var body: String
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        /// Orders, filtered by `status` and searched by `q` (order id prefix, tracking number, customer e-mail or name).
        group.get("orders") { request, context -> PageResponse<OrderResponse> in
            _ = try context.require(.seller, .admin)
            let filter = OrderFilter(status: try request.status("status"), search: request.uri.queryParameters["q"].map(String.init))
            return PageResponse(try await crm.orders(filter, page: try request.pageRequest()), OrderResponse.init)
        }
        group.get("orders/{id}") { _, context -> OrderDetailsResponse in
            let seller = try context.require(.seller, .admin)
            return OrderDetailsResponse(try await crm.order(id: try context.parameters.require("id"), viewer: seller), includeNotes: true)
        }
        /// Confirms the order for manufacturing: `MANUFACTURING_APPROVED`.
        group.post("orders/{id}/approve") { request, context -> OrderResponse in
            let seller = try context.require(.seller, .admin)
            let body = try await request.decode(NoteBody.self, context: context, orEmpty: NoteBody(note: nil))
            return OrderResponse(try await crm.approve(orderID: try context.parameters.require("id"), note: body.note, by: seller))
        }
        group.post("orders/{id}/cancel") { request, context -> OrderResponse in
            let seller = try context.require(.seller, .admin)
            let body = try await request.decode(as: CancelBody.self, context: context)
            return OrderResponse(try await crm.cancel(orderID: try context.parameters.require("id"), reason: body.reason, by: seller))
        }
        /// Closes a shipped order by hand: `CLOSED`.
        group.post("orders/{id}/close") { request, context -> OrderResponse in
            let seller = try context.require(.seller, .admin)
            let body = try await request.decode(NoteBody.self, context: context, orEmpty: NoteBody(note: nil))
            return OrderResponse(try await crm.close(orderID: try context.parameters.require("id"), note: body.note, by: seller))
        }
        /// Adds a note or a complaint.
        group.post("orders/{id}/notes") { request, context -> EditedResponse<OrderNote> in
            let seller = try context.require(.seller, .admin)
            let body = try await request.decode(as: NewNote.self, context: context)
            let note = try await crm.addNote(
                orderID: try context.parameters.require("id"), kind: body.kind ?? .note, body: body.body, by: seller)
            return EditedResponse(status: .created, response: note)
        }
        /// The stalled board: every order past its status's time budget, most overdue first, with who must act.
        group.get("stalled") { _, context -> StalledBoard in
            _ = try context.require(.seller, .admin)
            let stalled = try await watchdog.stalledOrders().sorted { $0.overdueBy > $1.overdueBy }
            var counts: [String: Int] = [:]
            for stall in stalled { counts[stall.order.status.rawValue, default: 0] += 1 }
            return StalledBoard(
                counts: counts,
                orders: stalled.map {
                    StalledResponse(
                        order: OrderResponse($0.order), responsible: $0.responsible, inStatusSince: $0.order.statusSince,
                        budgetSeconds: $0.budget, overdueSeconds: $0.overdueBy)
                })
        }
        /// Customers, searched by `q` (e-mail or name).
        group.get("customers") { request, context -> PageResponse<UserResponse> in
            _ = try context.require(.seller, .admin)
            let page = try await crm.customers(search: request.uri.queryParameters["q"].map(String.init), page: try request.pageRequest())
            return PageResponse(page, UserResponse.init)
        }
    }
}
