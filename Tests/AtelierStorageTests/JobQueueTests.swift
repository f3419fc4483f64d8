import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Synchronization
import Testing

/// The queue table's claim, lease, retry, dead-letter and re-drive rules.
@Suite("Job queue storage")
struct JobQueueTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func enqueue(_ store: any Store, queue: String = "pricing", runAt: Date? = nil) async throws -> Int64 {
        try await store.write { [now] tx in
            try await tx.enqueue(NewJob(queue: queue, kind: "k", payload: "{}", runAt: runAt ?? now, maxAttempts: 3))
        }
    }

    func claim(_ store: any Store, worker: String, at time: Date, lease: Double = 30) async throws -> [JobRecord] {
        try await store.write { tx in
            try await tx.claimJobs(queues: ["pricing"], worker: worker, limit: 10, now: time, leaseUntil: time.addingTimeInterval(lease))
        }
    }

    @Test("a claimed job is leased to one worker until its lease ends", arguments: Engine.allCases)
    func lease(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let id = try await enqueue(store)
        _ = try await enqueue(store, queue: "webhooks")
        _ = try await enqueue(store, runAt: now.addingTimeInterval(100))

        let first = try await claim(store, worker: "a", at: now)
        let second = try await claim(store, worker: "b", at: now.addingTimeInterval(10))
        let afterLease = try await claim(store, worker: "b", at: now.addingTimeInterval(31))

        #expect(first.map(\.id) == [id])
        #expect(first.first?.attempts == 1)
        #expect(first.first?.leasedBy == "a")
        #expect(second.isEmpty)
        #expect(afterLease.map(\.id) == [id])
        #expect(afterLease.first?.attempts == 2)
    }

    @Test("a worker that lost its lease cannot complete the job", arguments: Engine.allCases)
    func staleCompletion(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let id = try await enqueue(store)
        _ = try await claim(store, worker: "a", at: now)
        _ = try await claim(store, worker: "b", at: now.addingTimeInterval(31))

        try await store.write { [now] tx in try await tx.completeJob(id: id, worker: "a", at: now) }
        #expect(try await store.reader.job(id: id)?.state == .running)
        try await store.write { [now] tx in try await tx.completeJob(id: id, worker: "b", at: now) }
        #expect(try await store.reader.job(id: id)?.state == .done)
    }

    @Test("retry, dead letter and re-drive", arguments: Engine.allCases)
    func lifecycle(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let id = try await enqueue(store)
        _ = try await claim(store, worker: "a", at: now)
        try await store.write { [now] tx in
            try await tx.retryJob(id: id, worker: "a", error: "boom", runAt: now.addingTimeInterval(5), at: now)
        }
        #expect(try await claim(store, worker: "a", at: now.addingTimeInterval(4)).isEmpty)
        #expect(try await claim(store, worker: "a", at: now.addingTimeInterval(5)).count == 1)

        try await store.write { [now] tx in try await tx.deadLetterJob(id: id, error: "gave up", at: now) }
        let dead = try await store.reader.jobs(state: .dead, page: PageRequest())
        #expect(dead.items.map(\.id) == [id])
        #expect(dead.items.first?.lastError == "gave up")
        #expect(try await claim(store, worker: "a", at: now.addingTimeInterval(100)).isEmpty)

        let redriven = try await store.write { [now] tx in try await tx.redriveJob(id: id, at: now.addingTimeInterval(100)) }
        let again = try await store.write { [now] tx in try await tx.redriveJob(id: id, at: now) }
        #expect(redriven)
        #expect(!again)
        let reclaimed = try await claim(store, worker: "a", at: now.addingTimeInterval(100))
        #expect(reclaimed.first?.attempts == 1)
    }

    @Test("workers claiming at the same time never get the same job", arguments: Engine.allCases)
    func concurrentClaims(engine: Engine) async throws {
        let store = try await engine.makeStore()
        for _ in 0..<60 { _ = try await enqueue(store) }

        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<6 {
                group.addTask { [now] in
                    var mine: [Int64] = []
                    while true {
                        let batch = try await store.write { tx in
                            try await tx.claimJobs(
                                queues: ["pricing"], worker: "w\(worker)", limit: 4, now: now, leaseUntil: now.addingTimeInterval(60))
                        }
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.id)
                    }
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }

        #expect(claimed.count == 60)
        #expect(Set(claimed).count == 60)
    }

    @Test("a committed job wakes the workers of its queue and no others, after the commit", arguments: Engine.allCases)
    func wakeups(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let (mail, pricing) = ("mail-\(UUID().uuidString.prefix(8))", "pricing-\(UUID().uuidString.prefix(8))")
        let mailWorker = SignalCount(store.jobSignals(queues: [mail]))
        let pricingWorker = SignalCount(store.jobSignals(queues: [pricing, "other"]))
        // Until a mail job wakes the mail worker, the store may still be starting to listen.
        let listening = ContinuousClock.now + .seconds(10)
        while mailWorker.count == 0, ContinuousClock.now < listening {
            _ = try await enqueue(store, queue: mail)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(mailWorker.count > 0)
        try await Task.sleep(for: .milliseconds(300))
        let (mailBefore, pricingBefore) = (mailWorker.count, pricingWorker.count)

        _ = try await enqueue(store, queue: pricing)
        #expect(await pricingWorker.reaches(pricingBefore + 1))
        try await Task.sleep(for: .milliseconds(300))
        #expect(mailWorker.count == mailBefore)

        // A transaction that fails wakes nobody: its job was never there.
        await #expect(throws: (any Error).self) {
            try await store.write { [now] tx in
                _ = try await tx.enqueue(NewJob(queue: mail, kind: "k", payload: "{}", runAt: now, maxAttempts: 3))
                throw CancellationError()
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(mailWorker.count == mailBefore)
    }
}

/// Counts the signals a stream yields, as a worker would see them.
final class SignalCount: Sendable {
    private final class Seen: Sendable {
        let value = Atomic<Int>(0)
    }
    private let seen = Seen()
    private let task: Task<Void, Never>

    init(_ signals: AsyncStream<Void>) {
        let seen = self.seen
        task = Task { for await _ in signals { seen.value.add(1, ordering: .relaxed) } }
    }

    deinit { task.cancel() }

    var count: Int { seen.value.load(ordering: .relaxed) }

    /// Waits up to five seconds for the count to reach `target`.
    func reaches(_ target: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while count < target, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return count >= target
    }
}
