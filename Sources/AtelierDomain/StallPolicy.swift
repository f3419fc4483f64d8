import Foundation

/// Who must act for an order to leave a status.
public enum Responsible: String, Sendable, Codable, CaseIterable {
    /// Atelier's own workers: a stall here is re-driven automatically.
    case machine
    case customer
    case seller
    case `operator`
    case carrier
}

/// How long an order may stay in each status before it counts as stalled, and who must act then.
public struct StallPolicy: Sendable, Hashable {
    /// Time budgets in seconds, per watched status.
    public var budgets: [OrderStatus: TimeInterval]
    /// The promise to the customer: from submit to delivery.
    public var promise: TimeInterval

    public init(budgets: [OrderStatus: TimeInterval] = StallPolicy.defaultBudgets, promise: TimeInterval = 21 * 86_400) {
        self.budgets = budgets
        self.promise = promise
    }

    /// Minutes for machine steps, a day for people who approve, take and ship, more where work takes time.
    public static let defaultBudgets: [OrderStatus: TimeInterval] = [
        .submitted: 5 * 60,
        .priceCalculated: 86_400,
        .manufacturingApproved: 86_400,
        .manufacturingStarted: 7 * 86_400,
        .manufacturingCompleted: 86_400,
        .packaging: 86_400,
        .shipped: 10 * 86_400,
    ]

    /// Who must move an order on from `status`.
    public static func responsible(for status: OrderStatus) -> Responsible {
        switch status {
        case .initiated, .fileUploaded: .customer
        case .submitted: .machine
        case .priceCalculated: .seller
        case .manufacturingApproved, .manufacturingStarted, .manufacturingCompleted, .packaging: .operator
        case .shipped: .carrier
        case .closed, .cancelled: .seller
        }
    }

    /// What an order in `status` still needs at most: the budget of this status and of each after it.
    public func remaining(from status: OrderStatus) -> TimeInterval {
        budgets.filter { $0.key >= status }.map(\.value).reduce(0, +)
    }

    /// Statuses that have a budget, in lifecycle order.
    public var watchedStatuses: [OrderStatus] { budgets.keys.sorted() }
}

/// An order that has been in its status longer than its budget.
public struct StalledOrder: Sendable, Hashable {
    public var order: Order
    public var budget: TimeInterval
    public var overdueBy: TimeInterval
    public var responsible: Responsible

    public init(order: Order, budget: TimeInterval, now: Date) {
        self.order = order
        self.budget = budget
        self.overdueBy = now.timeIntervalSince(order.statusSince) - budget
        self.responsible = StallPolicy.responsible(for: order.status)
    }
}
