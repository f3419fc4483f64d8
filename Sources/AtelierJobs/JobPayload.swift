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
    /// Does the job's work and marks it done with `done`, which only the runner makes: in the
    /// transaction that writes the work's result, or in one of its own after the work. Throws to
    /// have the runner retry, defer (``JobDeferral``) or dead-letter (``PermanentJobError``) it.
    func handle(_ job: JobRecord, store: any Store, done: JobCompletion) async throws
}

/// Marks one claimed job done, in a transaction: the runner makes one for each job it runs, so a
/// job's work never needs to know its queue row.
public struct JobCompletion: Sendable {
    let body: @Sendable (any StoreTransaction) async throws -> Void

    init(_ body: @escaping @Sendable (any StoreTransaction) async throws -> Void) { self.body = body }

    /// Marks the job done in `tx`; a handler calls it once, in the transaction that ends the work.
    public func mark(in tx: any StoreTransaction) async throws { try await body(tx) }
}

/// A handler for a typed payload.
public struct TypedJobHandler<Payload: JobPayload>: JobHandler {
    enum Work: Sendable {
        case alone(@Sendable (Payload) async throws -> Void)
        case inTransaction(@Sendable (Payload, any StoreTransaction) async throws -> Void)
        case prepared(
            @Sendable (Payload) async throws -> any Sendable, @Sendable (Payload, any Sendable, any StoreTransaction) async throws -> Void)
    }
    let work: Work

    /// `body` does the work with transactions of its own (or none); the job is marked done after
    /// it, in one more.
    public init(_ type: Payload.Type = Payload.self, body: @escaping @Sendable (Payload) async throws -> Void) {
        work = .alone(body)
    }

    /// `body` does the work in one transaction, which the handler opens; the job is marked done in
    /// that same transaction, so the result and the job's end commit together (one transaction a
    /// job instead of two).
    public init(
        _ type: Payload.Type = Payload.self, inTransaction body: @escaping @Sendable (Payload, any StoreTransaction) async throws -> Void
    ) {
        work = .inTransaction(body)
    }

    /// `prepare` does the slow part outside any transaction (reading a file, a long computation),
    /// then `body` writes its result in one transaction, which ends the job too. `body` sees the
    /// rows as they are then, and must check again what `prepare` assumed of them.
    public init<Prepared: Sendable>(
        _ type: Payload.Type = Payload.self, prepare: @escaping @Sendable (Payload) async throws -> Prepared,
        inTransaction body: @escaping @Sendable (Payload, Prepared, any StoreTransaction) async throws -> Void
    ) {
        work = .prepared(
            { try await prepare($0) },
            { payload, prepared, tx in
                // Only `prepare` makes the value, so it is always a `Prepared`.
                guard let prepared = prepared as? Prepared else { throw PermanentJobError("a \(Payload.kind) job was prepared wrongly") }
                try await body(payload, prepared, tx)
            })
    }

    public var kind: String { Payload.kind }
    public var queue: String { Payload.queue }

    public func handle(_ job: JobRecord, store: any Store, done: JobCompletion) async throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        } catch {
            throw PermanentJobError("job \(job.id) has a payload that is not a \(Payload.kind): \(error)")
        }
        switch work {
        case let .alone(body):
            try await body(payload)
            try await store.write { tx in try await done.mark(in: tx) }
        case let .inTransaction(body):
            try await store.write { tx in
                try await body(payload, tx)
                try await done.mark(in: tx)
            }
        case let .prepared(prepare, body):
            let prepared = try await prepare(payload)
            try await store.write { tx in
                try await body(payload, prepared, tx)
                try await done.mark(in: tx)
            }
        }
    }
}

extension JobQueueWrites {
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
