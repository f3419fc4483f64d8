import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation

/// The operators' use cases: the dashboard, take an order, make, pack and ship it, earnings.
public struct MESService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// Counts per status and one page of one status, newest first.
    public struct Dashboard: Sendable {
        public var counts: [OrderStatus: Int]
        public var status: OrderStatus
        public var orders: Page<Order>
        /// The orders of the page whose model breaks a casting rule of its alloy (their thumbnails are marked).
        public var notCastable: Set<String>
    }

    public func dashboard(status: OrderStatus, page: PageRequest) async throws -> Dashboard {
        let reader = context.store.reader
        async let counts = self.counts()
        async let summaries = reader.orderSummaries(OrderFilter(status: status), page: page)
        let listed = try await summaries
        return Dashboard(
            counts: try await counts, status: status, orders: listed.map(\.order),
            notCastable: Set(listed.items.filter { $0.castable == false }.map(\.order.id)))
    }

    /// Orders per status, as the dashboard counts them.
    public func counts() async throws -> [OrderStatus: Int] { try await context.store.reader.statusCounts() }

    public func order(id: String, viewer: Principal) async throws -> OrderDetails {
        try await OrderReading(context: context).details(id: id, viewer: viewer)
    }

    /// Takes an approved order: `MANUFACTURING_STARTED`. Of several operators at once, exactly one wins;
    /// the others are told who took it.
    public func take(orderID: String, by worker: Principal) async throws -> Order {
        try await context.orderCommand("order.take", orderID: orderID, by: worker) { order, now in [try order.take(by: worker, at: now)] }
    }

    public func complete(orderID: String, by worker: Principal) async throws -> Order {
        try await context.orderCommand("order.complete", orderID: orderID, by: worker) { order, now in
            [try order.complete(by: worker, at: now)]
        }
    }

    public func package(orderID: String, by worker: Principal) async throws -> Order {
        try await context.orderCommand("order.package", orderID: orderID, by: worker) { order, now in
            [try order.package(by: worker, at: now)]
        }
    }

    /// Hands the piece to the carrier with its tracking number: `SHIPPED`.
    public func ship(orderID: String, trackingNumber: String, by worker: Principal) async throws -> Order {
        let tracking = trackingNumber.trimmingCharacters(in: .whitespaces)
        return try await context.orderCommand(
            "order.ship", orderID: orderID, by: worker,
            check: { tx in
                if let other = try await tx.order(trackingNumber: tracking), other.id != orderID {
                    throw DomainError.invalid("Tracking number \(tracking) already belongs to order \(other.id).")
                }
            }
        ) { order, now in [try order.ship(trackingNumber: tracking, by: worker, at: now)] }
    }

    public func myOrders(_ worker: Principal, page: PageRequest) async throws -> Page<Order> {
        try await context.store.reader.orders(OrderFilter(assigneeID: worker.userID), page: page)
    }

    /// The operator's orders with what the lists show beside them (the casting check's verdict).
    public func myOrderSummaries(_ worker: Principal, page: PageRequest) async throws -> Page<OrderSummary> {
        try await context.store.reader.orderSummaries(OrderFilter(assigneeID: worker.userID), page: page)
    }

    /// What an operator has earned (orders made, i.e. completed or later) and has in work.
    public struct Earnings: Sendable {
        public var earned: Money
        public var inWork: Money
        public var rows: [EarningRow]
    }

    /// The operator who took an order is paid its labour line once the piece is made.
    public func earnings(_ worker: Principal) async throws -> Earnings {
        let rows = try await context.store.reader.earnings(operatorID: worker.userID)
        let currency = rows.compactMap(\.labour?.currency).first ?? "EUR"
        var earned = Money.zero(currency), inWork = Money.zero(currency)
        for row in rows {
            guard let labour = row.labour else { continue }
            switch row.status {
            case .manufacturingCompleted, .packaging, .shipped, .closed: earned = try earned + labour
            case .manufacturingStarted: inWork = try inWork + labour
            default: break
            }
        }
        return Earnings(earned: earned, inWork: inWork, rows: rows)
    }
}

extension MESService {
    /// A stored model's file, to manufacture it.
    public func modelFile(hash: String) async throws -> ModelFile {
        try await context.modelFile(hash: hash)
    }
}
