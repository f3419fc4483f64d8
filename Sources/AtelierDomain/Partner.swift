import AtelierText
import Foundation

/// A seller's rule that lets partner orders skip the wait in `PRICE_CALCULATED`:
/// an order priced at most `limit` is approved for manufacturing at once.
public struct AutoApprovalPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The highest total approved automatically; nil means every order waits for a seller.
    public var limit: Money?

    public init(limit: Money? = nil) { self.limit = limit }

    public static let off = AutoApprovalPolicy()

    public func approves(_ total: Money) -> Bool {
        guard let limit, limit.currency == total.currency else { return false }
        return total.minorUnits <= limit.minorUnits
    }

    public var description: String { phrase.description }

    /// The policy in words for a person.
    public var phrase: Phrase { limit.map { "the auto-approval limit of \($0)" } ?? "no auto-approval" }
}

/// An external jewelry seller with access to the partner API.
public struct Partner: Sendable, Hashable, Codable {
    /// The same id as the partner's account: orders of the partner have it as their customer.
    public var id: String
    public var name: String
    public var email: String
    public var autoApproval: AutoApprovalPolicy
    /// Requests per minute each key may make on average (the token bucket's refill rate).
    public var requestsPerMinute: Int
    /// Requests a key may make in a burst (the bucket's size).
    public var burst: Int
    public var createdAt: Date

    public init(
        id: String, name: String, email: String, autoApproval: AutoApprovalPolicy = .off, requestsPerMinute: Int = 600, burst: Int = 60,
        createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.autoApproval = autoApproval
        self.requestsPerMinute = requestsPerMinute
        self.burst = burst
        self.createdAt = createdAt
    }

    /// Checks what an admin typed in.
    public func validated() throws -> Partner {
        guard requestsPerMinute >= 1, requestsPerMinute <= 1_000_000 else {
            throw DomainError.invalid("A rate of 1 to 1,000,000 requests per minute is required, got \(requestsPerMinute).")
        }
        guard burst >= 1, burst <= 100_000 else { throw DomainError.invalid("A burst of 1 to 100,000 requests is required, got \(burst).") }
        if let limit = autoApproval.limit, limit.minorUnits < 0 || limit.minorUnits > Money.limit {
            throw DomainError.invalid(
                "An auto-approval limit is an amount between 0 and \(Money(minorUnits: Money.limit, currency: "").major).")
        }
        return self
    }

    public var principal: Principal { Principal(userID: id, role: .partner, name: name) }
}

/// An API key of a partner. The key itself is shown once; only its SHA-256 is kept.
public struct PartnerKey: Sendable, Hashable, Codable {
    public var id: String
    public var partnerID: String
    /// The first characters of the key, to tell keys apart in lists.
    public var prefix: String
    public var keyHash: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, partnerID = "partnerId", prefix, createdAt, revokedAt, lastUsedAt
        case keyHash
    }

    public init(id: String, partnerID: String, prefix: String, keyHash: String, createdAt: Date) {
        self.id = id
        self.partnerID = partnerID
        self.prefix = prefix
        self.keyHash = keyHash
        self.createdAt = createdAt
    }

    /// A partner holds at most this many active keys: the current one and its replacement.
    public static let maxActive = 2
}
