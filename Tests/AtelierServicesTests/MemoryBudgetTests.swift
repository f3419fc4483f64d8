import AtelierServices
import Synchronization
import Testing

@Suite("The memory budget of work on models")
struct MemoryBudgetTests {
    /// A gate a test opens by hand.
    final class Gate: Sendable {
        private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let opened = Mutex(false)
        func wait() async {
            await withCheckedContinuation { continuation in
                let go = opened.withLock { opened in
                    if !opened { waiters.withLock { $0.append(continuation) } }
                    return opened
                }
                if go { continuation.resume() }
            }
        }
        func open() {
            opened.withLock { $0 = true }
            for waiter in waiters.withLock({ waiters in
                defer { waiters = [] }; return waiters
            }) { waiter.resume() }
        }
    }

    /// What ran, in order.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test("work that does not fit waits until earlier work gives its memory back, in order; too large is cut to the budget")
    func waitsItsTurn() async throws {
        let budget = MemoryBudget(capacity: 100)
        let gate = Gate()
        let started = Log()
        let first = Task {
            try await budget.withReservation(80) {
                started.add("first")
                await gate.wait()
            }
        }
        try await eventually { budget.used == 80 }
        let second = Task { try await budget.withReservation(50) { started.add("second") } }
        let huge = Task { try await budget.withReservation(10_000) { started.add("huge") } }
        try await Task.sleep(for: .milliseconds(100))
        #expect(started.all == ["first"], "neither fits beside the first")
        gate.open()
        try await first.value
        try await second.value
        try await huge.value
        #expect(started.all == ["first", "second", "huge"])
        #expect(budget.used == 0)
    }

    @Test("a waiter whose request is cancelled leaves the queue; past the most that may wait, the answer is busy at once")
    func cancelAndFull() async throws {
        let budget = MemoryBudget(capacity: 10, maxWaiting: 1)
        let gate = Gate()
        let holder = Task { try await budget.withReservation(10) { await gate.wait() } }
        try await eventually { budget.used == 10 }
        let waiter = Task { try await budget.withReservation(5) { "ran" } }
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: ComputeBusy.self) { try await budget.withReservation(5) { "ran" } }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        gate.open()
        try await holder.value
        #expect(budget.used == 0)
        #expect(try await budget.withReservation(10) { "ran" } == "ran")
    }
}
