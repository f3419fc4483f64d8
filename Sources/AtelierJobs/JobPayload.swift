import AtelierDomain
import AtelierStorage
import AtelierTelemetry
import Foundation

/// A kind of job: a small value type with a stable name and the queue it goes to.
public protocol JobPayload: Codable, Sendable {
    /// Stable name stored with each job; never rename it.
    static var kind: String { get }
    static var queue: String { get }
    /// What the job is about (an order id): lets the watchdog find it, and every span and log line carry it.
    var subject: String? { get }
}

extension JobPayload {
    public var subject: String? { nil }
}

/// A handler gave up on a job for good: it goes to the dead letters at once, without retries.
public struct PermanentJobError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// The start of a dead job's error when no retry could have fixed it.
    public static let marker = "permanent: "
}

/// A handler cannot run its job yet (it waits for another one): the job goes back to the queue
/// until `until`, and this claim does not count as an attempt.
public struct JobDeferral: Error, CustomStringConvertible {
    public var until: Date
    public var reason: String
    public init(until: Date, reason: String) {
        self.until = until
        self.reason = reason
    }
    public var description: String { "deferred: \(reason)" }
}

/// Runs jobs of one kind. Handlers must be idempotent: running a job twice changes nothing the second time.
public protocol JobHandler: Sendable {
    var kind: String { get }
    var queue: String { get }
    /// True when the handler marks its job done itself, in the transaction that writes its result
    /// (``StoreTransaction/complete(_:at:)``): one transaction a job instead of two.
    var completesInTransaction: Bool { get }
    func handle(_ job: JobRecord) async throws
}

extension JobHandler {
    public var completesInTransaction: Bool { false }
}

extension StoreTransaction {
    /// Marks a claimed job done in this transaction (for handlers that complete in their own transaction).
    public func complete(_ job: JobRecord, at now: Date) async throws {
        try await completeJob(id: job.id, worker: job.leasedBy ?? "", at: now)
    }
}

/// A handler for a typed payload.
public struct TypedJobHandler<Payload: JobPayload>: JobHandler {
    let body: @Sendable (Payload, JobRecord) async throws -> Void
    public let completesInTransaction: Bool

    /// With `completesInTransaction`, `body` must call ``StoreTransaction/complete(_:at:)`` in the
    /// transaction of every outcome that does not throw.
    public init(
        _ type: Payload.Type = Payload.self, completesInTransaction: Bool = false,
        body: @escaping @Sendable (Payload, JobRecord) async throws -> Void
    ) {
        self.body = body
        self.completesInTransaction = completesInTransaction
    }

    public var kind: String { Payload.kind }
    public var queue: String { Payload.queue }

    public func handle(_ job: JobRecord) async throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        } catch {
            throw PermanentJobError("job \(job.id) has a payload that is not a \(Payload.kind): \(error)")
        }
        try await body(payload, job)
    }
}

extension StoreTransaction {
    /// Enqueues `payload` in this transaction: the job exists if and only if the transaction commits.
    @discardableResult
    public func enqueue<P: JobPayload>(_ payload: P, at runAt: Date, maxAttempts: Int) async throws -> Int64 {
        let json = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        return try await enqueue(
            NewJob(
                queue: P.queue, kind: P.kind, payload: json, runAt: runAt, maxAttempts: maxAttempts, subject: payload.subject,
                traceContext: TraceContext.current()))
    }
}
