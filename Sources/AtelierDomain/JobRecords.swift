import Foundation

/// A job to add to the queue.
public struct NewJob: Sendable, Hashable {
    public var queue: String
    public var kind: String
    /// JSON payload.
    public var payload: String
    public var runAt: Date
    public var maxAttempts: Int
    /// What the job is about (an order id), to find it again.
    public var subject: String?
    /// The W3C trace context of the span that enqueued it, so the job continues that trace.
    public var traceContext: String?

    public init(
        queue: String, kind: String, payload: String, runAt: Date, maxAttempts: Int, subject: String? = nil, traceContext: String? = nil
    ) {
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.subject = subject
        self.traceContext = traceContext
    }
}

/// Where a job is in its life.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case ready, running, done, dead
}

/// A job as stored in the queue table.
public struct JobRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var queue: String
    public var kind: String
    public var payload: String
    public var state: JobState
    /// Claims so far, this one included.
    public var attempts: Int
    public var maxAttempts: Int
    /// When a ready job is due, or when a running job's lease ends.
    public var runAt: Date
    public var leasedBy: String?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var subject: String?
    public var traceContext: String?
    /// Times the job was taken from the dead letters and put back in its queue.
    public var redrives: Int = 0

    public init(
        id: Int64, queue: String, kind: String, payload: String, state: JobState, attempts: Int, maxAttempts: Int, runAt: Date,
        leasedBy: String? = nil, lastError: String? = nil, createdAt: Date, updatedAt: Date, subject: String? = nil,
        traceContext: String? = nil, redrives: Int = 0
    ) {
        self.id = id
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.leasedBy = leasedBy
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.subject = subject
        self.traceContext = traceContext
        self.redrives = redrives
    }
}

/// Jobs per queue and state.
public struct JobCount: Sendable, Hashable, Codable {
    public var queue: String
    public var state: JobState
    public var count: Int
    /// When the oldest job in this queue and state was created.
    public var oldestCreatedAt: Date

    public init(
        queue: String, state: JobState, count: Int, oldestCreatedAt: Date
    ) {
        self.queue = queue
        self.state = state
        self.count = count
        self.oldestCreatedAt = oldestCreatedAt
    }
}
