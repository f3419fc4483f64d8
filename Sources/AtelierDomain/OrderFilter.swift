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

/// An order as a seller's list shows it: with who ordered it and what it costs.
public struct OrderSummary: Sendable, Hashable {
    public var order: Order
    public var customerName: String?
    public var customerEmail: String?
    /// The quote's total, once priced.
    public var total: Money?
    /// Whether the pricing job's casting check found the model castable (nil: not checked).
    public var castable: Bool?

    public init(order: Order, customerName: String?, customerEmail: String?, total: Money?, castable: Bool? = nil) {
        self.order = order
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.total = total
        self.castable = castable
    }
}
