import AtelierDomain
import Foundation

/// The database behind Atelier: one write transaction per use case, and snapshot reads.
///
/// Adapters: ``SQLiteStore`` (embedded, the default). Every adapter passes the same conformance suite.
public protocol Store: Sendable {
    /// Runs `body` in one write transaction: everything it wrote commits together or not at all.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T
    /// Read-only queries; each call sees one consistent snapshot.
    var reader: any StoreReader { get }
    /// Creates or upgrades the schema (forward-only, versioned).
    func migrate() async throws
    /// Whether the database answers.
    func ping() async throws
    /// A stream that yields whenever a committed transaction enqueued jobs on one of `queues`
    /// (wakes idle workers of those queues only).
    func jobSignals(queues: Set<String>) -> AsyncStream<Void>
    /// Leases up to `limit` due jobs of `queues` to `worker` until `leaseUntil`, in one statement.
    func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord]
}

extension Store {
    public func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord] {
        try await write { tx in try await tx.claimJobs(queues: queues, worker: worker, limit: limit, now: now, leaseUntil: leaseUntil) }
    }
}

/// Queries that need no transaction: the reads of every aggregate's port (Ports.swift).
public protocol StoreReader: OrderReads, AccountReads, CatalogReads, JobQueueReads, PartnerReads, WebhookReads, MailReads, FlagReads {}

/// Reads and writes inside one transaction: the reads and changes of every aggregate's port.
public protocol StoreTransaction: StoreReader, OrderWrites, AccountWrites, CatalogWrites, JobQueueWrites, PartnerWrites, WebhookWrites,
    MailWrites, FlagWrites
{}

/// An order and what its page shows, as one snapshot of the database saw them.
public struct OrderSnapshot: Sendable {
    public var order: Order
    public var model: ModelInfo?
    public var quote: Quote?
    public var history: [HistoryEntry]
    /// Empty unless asked for.
    public var notes: [OrderNote]
    /// Where it goes; nil until it is placed (and for a partner's order without one).
    public var delivery: DeliveryDetails?
}

/// A stored `Idempotency-Key`: the request it answered and the resource it made.
public struct IdempotencyRecord: Sendable, Hashable {
    public var scope: String
    public var key: String
    public var requestHash: String
    public var resultID: String
    public var createdAt: Date
    /// The first response's body, where the API answers a retry with exactly that.
    public var response: String?

    public init(scope: String, key: String, requestHash: String, resultID: String, createdAt: Date, response: String? = nil) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
        self.resultID = resultID
        self.createdAt = createdAt
        self.response = response
    }
}

/// A failure of the database itself (not of business rules).
public enum StorageError: Error, Sendable, CustomStringConvertible {
    /// A uniqueness rule was hit.
    case conflict(String)
    /// The database cannot be reached or is overloaded: try again later.
    case unavailable(String)
    /// The database asked for the transaction to be run again (deadlock, serialization).
    case retry(String)
    /// Another transaction held a lock past the lock timeout, or a statement ran past its limit:
    /// try again shortly; the database itself is fine.
    case busy(String)
    /// Any other error the database reported.
    case failed(String)
    /// The server refused this instance, or the settings cannot work: a wrong password or database
    /// name, a certificate not trusted, TLS asked of a server without it. Waiting does not help; a
    /// person must change the settings (requests meanwhile are answered as ``unavailable(_:)`` is).
    case refused(String)

    public var description: String {
        switch self {
        case let .conflict(message): message
        case let .unavailable(message): "The database is unavailable: \(message)"
        case let .retry(message): "The transaction must be retried: \(message)"
        case let .busy(message): "The database is busy: \(message)"
        case let .failed(message): "The database reported an error: \(message)"
        case let .refused(message): message
        }
    }

    /// Whether a person must change the settings before the database can be used.
    public var isRefusal: Bool {
        if case .refused = self { return true }
        return false
    }
}
