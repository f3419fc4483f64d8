import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird

/// The sellers' API: `/api/crm`.
struct CRMController {
    typealias Context = SignedInContext<Audiences.Sellers>
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
        group.signedIn(Audiences.Sellers.self)
            .get("orders", use: orders)
            .get("orders/{id}", use: order)
            .post("orders/{id}/approve", use: approve)
            .post("orders/{id}/cancel", use: cancel)
            .post("orders/{id}/close", use: close)
            .post("orders/{id}/notes", use: addNote)
            .get("stalled", use: stalled)
            .get("customers", use: customers)
    }

    /// Orders, filtered by `status` and searched by `q` (order id prefix, tracking number, customer e-mail or name).
    @Sendable func orders(_ request: Request, context: Context) async throws -> PageResponse<OrderResponse> {
        let filter = OrderFilter(status: try request.status("status"), search: request.uri.queryParameters["q"].map(String.init))
        return PageResponse(try await crm.orders(filter, page: try request.pageRequest()), OrderResponse.init)
    }

    @Sendable func order(_ request: Request, context: Context) async throws -> OrderDetailsResponse {
        OrderDetailsResponse(try await crm.order(id: try context.parameters.require("id"), viewer: context.principal), includeNotes: true)
    }

    /// Confirms the order for manufacturing: `MANUFACTURING_APPROVED`.
    @Sendable func approve(_ request: Request, context: Context) async throws -> OrderResponse {
        let body = try await request.decode(NoteBody.self, context: context, orEmpty: NoteBody(note: nil))
        return OrderResponse(try await crm.approve(orderID: try context.parameters.require("id"), note: body.note, by: context.principal))
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> OrderResponse {
        let body = try await request.decode(as: CancelBody.self, context: context)
        return OrderResponse(
            try await crm.cancel(orderID: try context.parameters.require("id"), reason: body.reason, by: context.principal))
    }

    /// Closes a shipped order by hand: `CLOSED`.
    @Sendable func close(_ request: Request, context: Context) async throws -> OrderResponse {
        let body = try await request.decode(NoteBody.self, context: context, orEmpty: NoteBody(note: nil))
        return OrderResponse(try await crm.close(orderID: try context.parameters.require("id"), note: body.note, by: context.principal))
    }

    /// Adds a note or a complaint.
    @Sendable func addNote(_ request: Request, context: Context) async throws -> EditedResponse<OrderNote> {
        let body = try await request.decode(as: NewNote.self, context: context)
        let note = try await crm.addNote(
            orderID: try context.parameters.require("id"), kind: body.kind ?? .note, body: body.body, by: context.principal)
        return EditedResponse(status: .created, response: note)
    }

    /// The stalled board: every order past its status's time budget, most overdue first, with who must act.
    @Sendable func stalled(_ request: Request, context: Context) async throws -> StalledBoard {
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
    @Sendable func customers(_ request: Request, context: Context) async throws -> PageResponse<UserResponse> {
        let page = try await crm.customers(search: request.uri.queryParameters["q"].map(String.init), page: try request.pageRequest())
        return PageResponse(page, UserResponse.init)
    }
}
