import AtelierDomain
import AtelierStorage
import AtelierTelemetry
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Tracing

/// How a worker claims and retries jobs.
public struct JobRunnerConfiguration: Sendable {
    /// How long a claimed job is reserved before another worker may take it again.
    public var lease: Duration = .seconds(60)
    /// Polling interval when no signal arrives (other processes enqueue without waking us).
    public var pollInterval: Duration = .milliseconds(500)
    /// Jobs run at the same time by one worker.
    public var concurrency: Int = 4
    /// The version of the program, a label of the job metrics.
    public var version: String = "unknown"
    /// First retry delay; doubles each attempt, up to `maxBackoff`, with ±50 % jitter.
    public var baseBackoff: Duration = .seconds(1)
    public var maxBackoff: Duration = .seconds(300)
    /// A pause after claiming a job and before running it. Zero in production; failure drills
    /// (and the test that kills a worker mid-job) set it to hold jobs in flight.
    public var drillDelay: Duration = .zero
    /// On graceful shutdown, how long the jobs in flight may still take; then they are stopped and
    /// handed back to the queue at once (not when their lease runs out).
    public var shutdownGrace: Duration = .seconds(10)

    public init() {}
}

/// A worker: claims due jobs of its queues with a lease, runs their handlers, retries failures
/// with exponential backoff and jitter, and dead-letters a job after its last attempt.
///
/// On graceful shutdown it stops claiming, lets the jobs it is running finish for
/// `shutdownGrace`, and hands back at once the ones it has not started or could not finish: they
/// are due again now for another worker, without waiting for their lease.
public final class JobRunner: Service, Sendable {
    let store: any Store
    let queues: [String]
    let handlers: [String: any JobHandler]
    let configuration: JobRunnerConfiguration
    let time: any TimeSource
    let random: @Sendable () -> Double
    let logger: Logger
    public let workerID: String
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let inFlight = Atomic<Int>(0)
    /// Whether the last claim took as many jobs as it asked for, so more may be due: a job that
    /// ends then claims again. Otherwise the queue was drained, and only a signal (or the poll)
    /// brings new work; claiming after every job would mostly find nothing.
    private let backlog = Atomic<Bool>(false)

    public init(
        store: any Store, handlers: [any JobHandler], configuration: JobRunnerConfiguration = JobRunnerConfiguration(),
        time: any TimeSource = SystemTime(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger, workerID: String = "worker-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    ) {
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.queues = Array(Set(handlers.map(\.queue))).sorted()
        self.configuration = configuration
        self.time = time
        self.random = random
        self.logger = logger
        self.workerID = workerID
    }

    public func run() async throws {
        // Subscribe before the first claim: a job committed before this line is found by that claim,
        // one committed after it wakes us.
        let signals = store.jobSignals(queues: Set(queues))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { outer in
                outer.addTask {
                    for await _ in signals { self.wakeup.signal() }
                }
                await withDiscardingTaskGroup { jobs in
                    while !self.stopping.load(ordering: .relaxed) {
                        let free = self.configuration.concurrency - self.inFlight.load(ordering: .relaxed)
                        guard free > 0 else {
                            await self.wakeup.wait(timeout: self.configuration.pollInterval)
                            continue
                        }
                        let claimed: [JobRecord]
                        do {
                            claimed = try await self.claim(limit: free)
                        } catch {
                            self.logger.error("could not claim jobs", metadata: ["error": "\(error)"])
                            try? await Task.sleep(for: self.configuration.pollInterval)
                            continue
                        }
                        self.backlog.store(claimed.count == free, ordering: .relaxed)
                        for job in claimed {
                            self.inFlight.add(1, ordering: .relaxed)
                            jobs.addTask {
                                await self.process(job)
                                self.inFlight.subtract(1, ordering: .relaxed)
                                if self.backlog.load(ordering: .relaxed) { self.wakeup.signal() }
                            }
                        }
                        if claimed.count < free {
                            await self.wakeup.wait(timeout: self.configuration.pollInterval)
                        }
                    }
                    // Stopping: the jobs in flight get their grace, then are cancelled (and handed back).
                    let deadline = ContinuousClock.now + self.configuration.shutdownGrace
                    while self.inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    if self.inFlight.load(ordering: .relaxed) > 0 {
                        self.logger.warning("jobs still running at the end of the shutdown grace are handed back")
                        jobs.cancelAll()
                    }
                }
                outer.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wakeup.signal()
        }
    }

    /// Claims and runs, one after another, every job that is due now. Returns how many ran.
    @discardableResult
    public func runDueJobs() async throws -> Int {
        var count = 0
        while true {
            let claimed = try await claim(limit: 16)
            if claimed.isEmpty { return count }
            for job in claimed { await process(job) }
            count += claimed.count
        }
    }

    func claim(limit: Int) async throws -> [JobRecord] {
        let now = time.now()
        let leaseUntil = now.addingTimeInterval(configuration.lease.seconds)
        let queues = self.queues, worker = workerID
        return try await store.claimJobs(queues: queues, worker: worker, limit: limit, now: now, leaseUntil: leaseUntil)
    }

    func process(_ job: JobRecord) async {
        var logger = logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.kind"] = "\(job.kind)"
        logger[metadataKey: "job.attempt"] = "\(job.attempts)"
        if let subject = job.subject { logger[metadataKey: "order.id"] = "\(subject)" }
        // The job continues the trace of the request that enqueued it.
        await withSpan("job \(job.kind)", context: TraceContext.context(continuing: job.traceContext), ofKind: .consumer) { span in
            span.attributes["job.id"] = "\(job.id)"
            span.attributes["job.attempt"] = job.attempts
            if let subject = job.subject { span.attributes["order.id"] = subject }
            let outcome = await run(job, logger: logger)
            span.attributes["job.outcome"] = outcome.rawValue
            if outcome != .done { span.setStatus(SpanStatus(code: .error)) }
        }
    }

    enum Outcome: String {
        case done, retry, dead, deferred
    }

    private func run(_ job: JobRecord, logger: Logger) async -> Outcome {
        let started = ContinuousClock.now
        let outcome = await attempt(job, logger: logger)
        let dimensions = [("queue", job.queue), ("kind", job.kind), ("version", configuration.version)]
        Counter(label: "atelier_jobs_finished_total", dimensions: dimensions + [("outcome", outcome.rawValue)]).increment()
        Metrics.Timer(label: "atelier_job_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .record(duration: ContinuousClock.now - started)
        return outcome
    }

    private func attempt(_ job: JobRecord, logger: Logger) async -> Outcome {
        guard let handler = handlers[job.kind] else {
            await deadLetter(job, "no handler for jobs of kind \(job.kind)", logger)
            return .dead
        }
        if job.attempts > job.maxAttempts {
            await deadLetter(job, "abandoned after \(job.attempts - 1) attempts: the worker stopped or its lease ran out each time", logger)
            return .dead
        }
        do {
            if configuration.drillDelay > .zero { try await pause(configuration.drillDelay) }
            // Claimed but not started when the worker began to stop: another worker takes it now.
            if stopping.load(ordering: .relaxed) { throw HandBack() }
            let (time, worker) = (time, workerID)
            try await handler.handle(
                job, store: store, done: JobCompletion { tx in try await tx.completeJob(id: job.id, worker: worker, at: time.now()) })
            logger.debug("job done")
            return .done
        } catch is HandBack {
            await handBack(job, logger)
            return .deferred
        } catch is CancellationError where stopping.load(ordering: .relaxed) {
            // Stopped at the end of the shutdown grace: its transaction rolled back; hand it back.
            await handBack(job, logger)
            return .deferred
        } catch let deferral as JobDeferral {
            let now = time.now(), worker = workerID
            logger.debug("job deferred", metadata: ["reason": "\(deferral.reason)"])
            do {
                try await store.write { tx in try await tx.deferJob(id: job.id, worker: worker, runAt: deferral.until, at: now) }
            } catch {
                logger.error("could not defer the job; the lease will bring it back", metadata: ["error": "\(error)"])
            }
            return .deferred
        } catch {
            let permanent = error is PermanentJobError
            // A permanent error is marked so, and re-drives leave such a job alone.
            let message = permanent ? PermanentJobError.marker + String(describing: error) : String(describing: error)
            if permanent || job.attempts >= job.maxAttempts {
                await deadLetter(job, message, logger)
                return .dead
            }
            let delay = backoff(attempt: job.attempts)
            let now = time.now(), worker = workerID
            logger.warning("job failed, will retry", metadata: ["error": "\(message)", "retry.in.seconds": "\(delay)"])
            do {
                try await store.write { tx in
                    try await tx.retryJob(id: job.id, worker: worker, error: message, runAt: now.addingTimeInterval(delay), at: now)
                }
            } catch {
                logger.error("could not schedule the retry; the lease will bring the job back", metadata: ["error": "\(error)"])
            }
            return .retry
        }
    }

    /// A job handed back on shutdown.
    private struct HandBack: Error {}

    /// Sleeps `duration`, or less when the worker begins to stop.
    private func pause(_ duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end, !stopping.load(ordering: .relaxed) {
            try await Task.sleep(for: min(.milliseconds(20), end - ContinuousClock.now))
        }
    }

    /// Gives a claimed job back to its queue, due now and without counting the claim as an attempt.
    /// Runs apart from the job's task, which may be cancelled already.
    private func handBack(_ job: JobRecord, _ logger: Logger) async {
        let (store, time, worker) = (store, time, workerID)
        let result = await Task {
            try await store.write { tx in try await tx.deferJob(id: job.id, worker: worker, runAt: time.now(), at: time.now()) }
        }.result
        switch result {
        case .success: logger.info("job handed back on shutdown")
        case let .failure(error):
            logger.error("could not hand the job back; its lease will bring it back", metadata: ["error": "\(error)"])
        }
    }

    /// Seconds before attempt `attempt + 1`: base × 2^(attempt-1), capped, times a jitter in [0.5, 1.5).
    public func backoff(attempt: Int) -> Double {
        let exponential = configuration.baseBackoff.seconds * pow(2, Double(max(attempt - 1, 0)))
        return min(exponential, configuration.maxBackoff.seconds) * (0.5 + random())
    }

    private func deadLetter(_ job: JobRecord, _ message: String, _ logger: Logger) async {
        logger.error("job dead-lettered", metadata: ["error": "\(message)"])
        let now = time.now()
        do {
            try await store.write { tx in try await tx.deadLetterJob(id: job.id, error: message, at: now) }
        } catch {
            logger.error("could not dead-letter the job", metadata: ["error": "\(error)"])
        }
    }
}

extension JobRunner: CustomStringConvertible {
    public var description: String { "JobRunner(\(workerID), queues: \(queues.joined(separator: ", ")))" }
}
