import Foundation

/// Which orders a list shows.
public struct OrderFilter: Sendable, Hashable {
    public var status: OrderStatus?
    public var customerID: String?
    public var assigneeID: String?
    /// Matches an order id prefix, a tracking number, or the customer's e-mail or name.
    public var search: String?
    /// Only orders changed at or after this instant.
    public var updatedSince: Date?

    public init(
        status: OrderStatus? = nil, customerID: String? = nil, assigneeID: String? = nil, search: String? = nil, updatedSince: Date? = nil
    ) {
        self.status = status
        self.customerID = customerID
        self.assigneeID = assigneeID
        self.search = search
        self.updatedSince = updatedSince
    }
}
