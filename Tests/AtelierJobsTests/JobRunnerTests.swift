import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

struct CountJob: JobPayload {
    static let kind = "test.count"
    static let queue = "test"
    var name: String
}

/// Records what a handler did; fails the first `failures` runs of each job.
final class Recorder: Sendable {
    let failures: Int
    private let state = Mutex<(runs: [String: Int], done: [String: Int])>(([:], [:]))

    init(failures: Int) { self.failures = failures }

    var handler: any JobHandler {
        TypedJobHandler(CountJob.self) { job in
            let run = self.state.withLock { state -> Int in
                state.runs[job.name, default: 0] += 1
                return state.runs[job.name]!
            }
            if run <= self.failures { throw TestFailure(message: "failure \(run) of \(job.name)") }
            self.state.withLock { $0.done[job.name, default: 0] += 1 }
        }
    }

    func runs(_ name: String) -> Int { state.withLock { $0.runs[name] ?? 0 } }
    func done(_ name: String) -> Int { state.withLock { $0.done[name] ?? 0 } }
}

struct TestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite("Job runner")
struct JobRunnerTests {
    let clock = TestClock()

    func runner(_ store: any Store, _ recorder: Recorder, worker: String = "w1", lease: Duration = .seconds(30)) -> JobRunner {
        var configuration = JobRunnerConfiguration()
        configuration.lease = lease
        configuration.baseBackoff = .seconds(2)
        configuration.pollInterval = .milliseconds(20)
        return JobRunner(
            store: store, handlers: [recorder.handler], configuration: configuration, time: clock, random: { 0.5 },
            logger: Logger(label: "test"), workerID: worker)
    }

    func enqueue(_ store: any Store, _ name: String, maxAttempts: Int = 3) async throws -> Int64 {
        try await store.write { [clock] tx in try await tx.enqueue(CountJob(name: name), at: clock.now(), maxAttempts: maxAttempts) }
    }

    @Test("a job that fails twice then succeeds is done once, after backoff", arguments: Engine.allCases)
    func failTwiceThenSucceed(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let recorder = Recorder(failures: 2)
        let worker = runner(store, recorder)
        let id = try await enqueue(store, "a")

        try await worker.runDueJobs()
        #expect(try await worker.runDueJobs() == 0, "the retry waits for its backoff")
        clock.advance(seconds: 2)  // base 2 s × 2^0 × jitter 1.0
        try await worker.runDueJobs()
        clock.advance(seconds: 3.9)
        #expect(try await worker.runDueJobs() == 0, "the second retry waits 4 s")
        clock.advance(seconds: 0.1)
        try await worker.runDueJobs()
        clock.advance(seconds: 1000)
        try await worker.runDueJobs()

        #expect(recorder.runs("a") == 3)
        #expect(recorder.done("a") == 1)
        let job = try #require(try await store.reader.job(id: id))
        #expect(job.state == .done)
        #expect(job.attempts == 3)
        #expect(job.lastError == "failure 2 of a")
    }

    @Test("work done in the job's transaction commits with the job's end, and not at all when it fails", arguments: Engine.allCases)
    func workInTransaction(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let attempts = Mutex(0)
        // The work writes a user, then fails on its first run after writing.
        let handler = TypedJobHandler(
            CountJob.self,
            inTransaction: { job, tx in
                try await tx.insert(
                    user: UserAccount(
                        id: "u-\(job.name)", email: "\(job.name)@example.com", name: job.name, role: .customer, passwordHash: "x",
                        createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
                let attempt = attempts.withLock { count -> Int in
                    count += 1
                    return count
                }
                if attempt == 1 { throw TestFailure(message: "failed after writing") }
            })
        var configuration = JobRunnerConfiguration()
        configuration.baseBackoff = .seconds(2)
        let worker = JobRunner(
            store: store, handlers: [handler], configuration: configuration, time: clock, random: { 0.5 }, logger: Logger(label: "test"),
            workerID: "w1")
        let id = try await enqueue(store, "t")

        try await worker.runDueJobs()
        #expect(try await store.reader.user(id: "u-t") == nil, "the failed run's write was rolled back")
        #expect(try await store.reader.job(id: id)?.state == .ready)

        clock.advance(seconds: 2)
        try await worker.runDueJobs()
        #expect(try await store.reader.user(id: "u-t")?.name == "t")
        let job = try #require(try await store.reader.job(id: id))
        #expect(job.state == .done)
        #expect(job.attempts == 2)
    }

    @Test("a job that always fails lands in the dead letters and can be re-driven", arguments: Engine.allCases)
    func alwaysFails(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let recorder = Recorder(failures: 4)
        let worker = runner(store, recorder)
        let id = try await enqueue(store, "b", maxAttempts: 3)

        for _ in 0..<10 {
            try await worker.runDueJobs()
            clock.advance(seconds: 600)
        }

        #expect(recorder.runs("b") == 3)
        let dead = try await store.reader.jobs(state: .dead, page: PageRequest())
        #expect(dead.items.map(\.id) == [id])
        #expect(dead.items.first?.lastError == "failure 3 of b")

        try await store.write { [clock] tx in _ = try await tx.redriveJob(id: id, at: clock.now()) }
        try await worker.runDueJobs()  // 4th run still fails, retried
        clock.advance(seconds: 600)
        try await worker.runDueJobs()  // 5th run succeeds
        #expect(recorder.done("b") == 1)
        #expect(try await store.reader.job(id: id)?.state == .done)
    }

    @Test("backoff doubles per attempt, is capped, and is jittered between 0.5× and 1.5×")
    func backoff() async throws {
        let store = try await Engine.sqlite.makeStore()
        var configuration = JobRunnerConfiguration()
        configuration.baseBackoff = .seconds(1)
        configuration.maxBackoff = .seconds(60)
        let low = JobRunner(store: store, handlers: [], configuration: configuration, random: { 0 }, logger: Logger(label: "t"))
        let high = JobRunner(store: store, handlers: [], configuration: configuration, random: { 0.999_999 }, logger: Logger(label: "t"))

        #expect(low.backoff(attempt: 1) == 0.5)
        #expect(low.backoff(attempt: 4) == 4)
        #expect(low.backoff(attempt: 20) == 30)
        #expect(high.backoff(attempt: 4) > 11.99 && high.backoff(attempt: 4) < 12)
    }

    @Test("a job whose worker died is claimed again after its lease and done once", arguments: Engine.allCases)
    func leaseExpiry(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let recorder = Recorder(failures: 0)
        let id = try await enqueue(store, "c")
        // Worker 1 claims the job and dies before finishing it.
        let claimed = try await store.write { [clock] tx in
            try await tx.claimJobs(
                queues: ["test"], worker: "dead-worker", limit: 1, now: clock.now(), leaseUntil: clock.now().addingTimeInterval(30))
        }
        #expect(claimed.count == 1)
        let survivor = runner(store, recorder, worker: "w2")

        #expect(try await survivor.runDueJobs() == 0, "the lease still holds")
        clock.advance(seconds: 30)
        #expect(try await survivor.runDueJobs() == 1)
        clock.advance(seconds: 300)
        #expect(try await survivor.runDueJobs() == 0)

        #expect(recorder.done("c") == 1)
        let job = try #require(try await store.reader.job(id: id))
        #expect(job.state == .done)
        #expect(job.attempts == 2)
    }

    @Test("a running worker picks up new jobs at once and drains on shutdown", arguments: Engine.allCases)
    func serviceLoop(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let recorder = Recorder(failures: 0)
        var configuration = JobRunnerConfiguration()
        configuration.pollInterval = .seconds(30)  // only the wake-up signal can be fast
        let worker = JobRunner(store: store, handlers: [recorder.handler], configuration: configuration, logger: Logger(label: "t"))
        let group = ServiceGroup(services: [worker], logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            for i in 0..<20 {
                _ = try await store.write { tx in try await tx.enqueue(CountJob(name: "n\(i)"), at: Date(), maxAttempts: 3) }
            }
            while (0..<20).contains(where: { recorder.done("n\($0)") == 0 }), ContinuousClock.now - started < .seconds(28) {
                try await Task.sleep(for: .milliseconds(10))
            }
            // Well before the 30 s poll: the wake-up signal brought them (a loaded machine may take seconds).
            #expect(ContinuousClock.now - started < .seconds(25))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect((0..<20).allSatisfy { recorder.done("n\($0)") == 1 })
    }

    @Test(
        "on shutdown a job not yet started and one past the grace go back to the queue at once, not after their lease",
        arguments: Engine.allCases)
    func handBackOnShutdown(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let started = Mutex(0)
        // A job that runs until it is stopped (its transaction rolls back when it is).
        let slow = TypedJobHandler(CountJob.self) { _ in
            started.withLock { $0 += 1 }
            try await Task.sleep(for: .seconds(120))
        }
        var configuration = JobRunnerConfiguration()
        configuration.lease = .seconds(300)  // a job left to its lease would wait five minutes
        configuration.pollInterval = .milliseconds(20)
        configuration.concurrency = 1
        configuration.shutdownGrace = .milliseconds(300)
        let worker = JobRunner(
            store: store, handlers: [slow], configuration: configuration, logger: Logger(label: "t"), workerID: "leaving")
        let id = try await store.write { tx in try await tx.enqueue(CountJob(name: "long"), at: Date(), maxAttempts: 3) }
        let group = ServiceGroup(services: [worker], logger: Logger(label: "t"))
        let stopped = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while started.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let stopping = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ContinuousClock.now - stopping
        }
        // Well before the job's two minutes (a loaded two-core machine stretches the grace's 0.3 s).
        #expect(stopped < .seconds(60), "the worker stopped after its grace, not after the job's two minutes: \(stopped)")
        let job = try #require(try await store.reader.job(id: id))
        #expect(job.state == .ready)
        #expect(job.attempts == 0, "a handed-back claim is not an attempt")
        #expect(job.runAt.timeIntervalSinceNow < 1, "due now")

        // Another worker takes it at once.
        let recorder = Recorder(failures: 0)
        let next = JobRunner(store: store, handlers: [recorder.handler], logger: Logger(label: "t"), workerID: "next")
        #expect(try await next.runDueJobs() == 1)
        #expect(recorder.done("long") == 1)
    }
}
