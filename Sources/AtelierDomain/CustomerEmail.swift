import Foundation

/// The e-mails a customer gets about an order, one per event.
public enum CustomerEmailKind: String, Codable, Sendable, CaseIterable {
    /// The order reached the workshop (submitted).
    case placed
    /// Its price is known.
    case priced
    /// A seller approved it for manufacturing.
    case approved
    /// It left the workshop, with its tracking number.
    case shipped
    /// The carrier delivered it.
    case delivered
    /// It was cancelled, with the reason.
    case cancelled

    /// What the order's history says happened, as the e-mail it calls for; nil for the moves a
    /// customer is not written about (their own uploads, the workshop's inner steps).
    public static func kind(for entry: HistoryEntry) -> CustomerEmailKind? {
        guard entry.from != entry.to else { return nil }
        switch entry.to {
        case .submitted: return .placed
        case .priceCalculated: return .priced
        case .manufacturingApproved: return .approved
        case .shipped: return .shipped
        case .closed: return entry.actorRole == .carrier ? .delivered : nil
        case .cancelled: return .cancelled
        default: return nil
        }
    }

    /// Essential e-mails go to everyone: they are about money or the piece itself. The others a
    /// customer can stop with the link in every e-mail.
    public var isEssential: Bool {
        switch self {
        case .placed, .priced, .shipped, .cancelled: true
        case .approved, .delivered: false
        }
    }
}

/// One e-mail as Atelier keeps it: recorded in the transaction of the change it tells of, sent by a
/// job, marked sent after the server took it.
public struct OutgoingEmail: Sendable, Equatable {
    public var id: Int64
    /// One e-mail per key, ever: `order:<id>:<kind>`.
    public var key: String
    public var kind: CustomerEmailKind
    public var orderID: String
    public var userID: String
    public var createdAt: Date
    public var sentAt: Date?

    public init(id: Int64, key: String, kind: CustomerEmailKind, orderID: String, userID: String, createdAt: Date, sentAt: Date?) {
        self.id = id
        self.key = key
        self.kind = kind
        self.orderID = orderID
        self.userID = userID
        self.createdAt = createdAt
        self.sentAt = sentAt
    }

    /// The key of the e-mail of `kind` about `orderID`.
    public static func key(orderID: String, kind: CustomerEmailKind) -> String { "order:\(orderID):\(kind.rawValue)" }
}

/// What the mail worker needs to write one e-mail, read at once: the e-mail, its order (with the
/// quote, if priced) and the customer it goes to.
public struct EmailDraft: Sendable, Equatable {
    public var email: OutgoingEmail
    public var order: Order
    public var quote: Quote?
    public var customerName: String
    public var customerEmail: String

    public init(email: OutgoingEmail, order: Order, quote: Quote?, customerName: String, customerEmail: String) {
        self.email = email
        self.order = order
        self.quote = quote
        self.customerName = customerName
        self.customerEmail = customerEmail
    }
}
