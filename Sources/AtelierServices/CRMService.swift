import AtelierDomain
import AtelierStorage
import Foundation

/// The sellers' use cases: find orders and customers, approve, cancel, close, notes and complaints.
public struct CRMService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    public func orders(_ filter: OrderFilter, page: PageRequest) async throws -> Page<Order> {
        var filter = filter
        filter.search = InputLimits.search(filter.search)
        return try await context.store.reader.orders(filter, page: page)
    }

    /// The orders with their customers and totals: the sellers' list.
    public func orderSummaries(_ filter: OrderFilter, page: PageRequest) async throws -> Page<OrderSummary> {
        var filter = filter
        filter.search = InputLimits.search(filter.search)
        return try await context.store.reader.orderSummaries(filter, page: page)
    }

    /// Who ordered: the customer's account, for the order's page.
    public func customer(of order: Order) async throws -> UserAccount? {
        try await context.store.reader.user(id: order.customerID)
    }

    public func order(id: String, viewer: Principal) async throws -> OrderDetails {
        try await OrderReading(context: context).details(id: id, viewer: viewer)
    }

    public func customers(search: String?, page: PageRequest) async throws -> Page<UserAccount> {
        try await context.store.reader.users(role: .customer, search: InputLimits.search(search), page: page)
    }

    /// The order may go to manufacturing: `MANUFACTURING_APPROVED`.
    public func approve(orderID: String, note: String?, by seller: Principal) async throws -> Order {
        try await context.orderCommand("order.approve", orderID: orderID, by: seller) { order, now in
            [try order.approve(by: seller, at: now, note: note)]
        }
    }

    /// Cancels with a reason (any time before `SHIPPED`).
    public func cancel(orderID: String, reason: String, by seller: Principal) async throws -> Order {
        try await context.orderCommand("order.cancel", orderID: orderID, by: seller) { order, now in
            [try order.cancel(reason: reason, by: seller, at: now)]
        }
    }

    /// Closes a shipped order by hand (when the carrier's message does not come).
    public func close(orderID: String, note: String?, by seller: Principal) async throws -> Order {
        try await context.orderCommand("order.close", orderID: orderID, by: seller) { order, now in
            [try order.close(by: seller, at: now, note: note ?? "closed by hand")]
        }
    }

    /// Records a note or a complaint on an order.
    public func addNote(orderID: String, kind: OrderNote.Kind, body: String, by seller: Principal) async throws -> OrderNote {
        let note = try OrderNote(orderID: orderID, author: seller, kind: kind, body: body, createdAt: context.time.now())
        try await context.store.write { tx in
            _ = try await tx.visibleOrder(id: orderID, to: seller)
            try await tx.insert(note: note)
        }
        return note
    }
}
