import AtelierText
import Foundation

/// The e-mails a customer gets: one per event of an order, and those about the account itself.
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
    /// It is late in a step (the watchdog found it past the step's budget): the new promised day.
    case late
    /// A new account's link that confirms its e-mail address.
    case verifyEmail = "verify-email"
    /// A link that sets a new password, asked for on the sign-in page.
    case accountRecovery = "account-recovery"

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
        case .placed, .priced, .shipped, .cancelled, .late, .verifyEmail, .accountRecovery: true
        case .approved, .delivered: false
        }
    }

    /// The single-use link an account e-mail carries, if it is one.
    public var tokenPurpose: AccountTokenPurpose? {
        switch self {
        case .verifyEmail: .verifyEmail
        case .accountRecovery: .accountRecovery
        default: nil
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
    /// The order it tells of; nil for an e-mail about the account.
    public var orderID: String?
    public var userID: String
    public var createdAt: Date
    public var sentAt: Date?

    public init(id: Int64, key: String, kind: CustomerEmailKind, orderID: String?, userID: String, createdAt: Date, sentAt: Date?) {
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
/// quote, if priced; none for an account e-mail) and the customer it goes to.
public struct EmailDraft: Sendable, Equatable {
    public var email: OutgoingEmail
    public var order: Order?
    public var quote: Quote?
    public var customerName: String
    public var customerEmail: String
    /// The language the customer reads: the e-mail is written in it.
    public var language: Language
    /// Whether the customer gets the e-mails that are not essential, and the token of the link
    /// that stops them (nil until the first such e-mail makes it).
    public var progressEmails: Bool
    public var emailToken: String?

    public init(
        email: OutgoingEmail, order: Order?, quote: Quote?, customerName: String, customerEmail: String, language: Language = .english,
        progressEmails: Bool = true, emailToken: String? = nil
    ) {
        self.progressEmails = progressEmails
        self.emailToken = emailToken
        self.email = email
        self.order = order
        self.quote = quote
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.language = language
    }
}

/// What a single-use account link does. Only its SHA-256 is stored; the link itself exists only in
/// the e-mail.
public enum AccountTokenPurpose: String, Codable, Sendable, CaseIterable {
    case verifyEmail = "verify-email"
    case accountRecovery = "account-recovery"

    /// How long a link works: an hour to set a new password (whoever reads the mailbox later
    /// cannot use it), a week to confirm an address.
    public var lifetime: TimeInterval {
        switch self {
        case .verifyEmail: 7 * 24 * 3600
        case .accountRecovery: 3600
        }
    }
}

/// A single-use account link as stored: its hash, whose it is, until when it works, and when it was used.
public struct AccountToken: Sendable, Equatable {
    public var tokenHash: String
    public var userID: String
    public var purpose: AccountTokenPurpose
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(tokenHash: String, userID: String, purpose: AccountTokenPurpose, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.purpose = purpose
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    /// Whether the link may still be used at `now`.
    public func isUsable(at now: Date) -> Bool { usedAt == nil && now < expiresAt }
}
