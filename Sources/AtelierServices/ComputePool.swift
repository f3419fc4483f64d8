import AtelierText
import Foundation
import NIOPosix
import Synchronization

/// A bounded pool of threads for CPU-heavy work on input (model analysis, previews, thumbnails,
/// bcrypt), off Swift's cooperative threads, so a slow model or a flood of sign-ins never keeps
/// the async threads, and with them every port and health check, from answering.
///
/// At most `threads` pieces of work run at once and at most `maxQueued` wait; past that the caller
/// gets ``ComputeBusy`` at once (503 with Retry-After) instead of a queue that grows without end.
public final class ComputePool: Sendable {
    private let pool: NIOThreadPool
    private let admitted = Atomic<Int>(0)
    private let perOwner = Mutex<[String: Int]>([:])
    public let threads: Int
    public let maxQueued: Int
    /// Pieces of work one owner (an account) may have running or waiting at once: one account's
    /// uploads cannot take every thread from the others.
    public let maxPerOwner: Int

    /// The process's threads for models: every use case context shares them.
    public static let shared = ComputePool(
        threads: max(1, ProcessInfo.processInfo.activeProcessorCount), maxQueued: 64)

    /// The process's threads for bcrypt.
    public static let passwords = ComputePool(
        threads: max(1, ProcessInfo.processInfo.activeProcessorCount), maxQueued: 256)

    /// `maxPerOwner` defaults to half the threads (at least one): one account never holds them all.
    public init(threads: Int, maxQueued: Int, maxPerOwner: Int? = nil) {
        self.threads = max(1, threads)
        self.maxQueued = max(0, maxQueued)
        self.maxPerOwner = max(1, maxPerOwner ?? self.threads / 2)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Pieces of work running or waiting now.
    public var load: Int { admitted.load(ordering: .relaxed) }

    /// Runs `work` for `owner` on one of the pool's threads, unless the owner already has
    /// ``maxPerOwner`` pieces of work in the pool (``ComputeBusy`` for that owner then).
    /// With `memory`, the work first reserves that many bytes of the budget (waiting its turn).
    public func run<T: Sendable>(
        owner: String, memory: (budget: MemoryBudget, bytes: Int)? = nil, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let admitted = perOwner.withLock { counts in
            guard counts[owner, default: 0] < maxPerOwner else { return false }
            counts[owner, default: 0] += 1
            return true
        }
        guard admitted else { throw ComputeBusy(ownWork: true) }
        defer {
            perOwner.withLock { counts in
                counts[owner, default: 1] -= 1
                if counts[owner] == 0 { counts[owner] = nil }
            }
        }
        guard let memory else { return try await run(work) }
        return try await memory.budget.withReservation(memory.bytes) { try await run(work) }
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let current = admitted.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        guard current <= threads + maxQueued else {
            admitted.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            throw ComputeBusy()
        }
        defer { admitted.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try await pool.runIfActive(work)
    }
}

/// Every thread of the ``ComputePool`` is busy and its queue is full: try again shortly.
public struct ComputeBusy: Error, Sendable, CustomStringConvertible {
    /// The caller's own earlier work fills its share.
    public var ownWork = false
    public var description: String { phrase.description }
    public var phrase: Phrase {
        ownWork
            ? "Your other models are still being analysed; send this one when they are done."
            : "The server is busy with other models; try again in a few seconds."
    }
}

/// Memory that work on models may hold at once, in bytes, reserved before the work starts and
/// given back when it ends: what keeps eight 100 MB uploads from being analysed side by side. Work
/// that does not fit waits its turn, in order (a reservation larger than the whole budget is cut
/// to it: such work runs alone); at most `maxWaiting` wait, and past that the caller gets
/// ``ComputeBusy`` at once.
public final class MemoryBudget: Sendable {
    public let capacity: Int
    public let maxWaiting: Int

    private struct Waiter {
        var id: UInt64
        var bytes: Int
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var used = 0
        var waiting: [Waiter] = []
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init(capacity: Int, maxWaiting: Int = 64) {
        self.capacity = max(1, capacity)
        self.maxWaiting = maxWaiting
    }

    /// Bytes reserved now.
    public var used: Int { state.withLock { $0.used } }

    /// Runs `body` with `bytes` reserved.
    public func withReservation<T: Sendable>(_ bytes: Int, _ body: () async throws -> T) async throws -> T {
        let bytes = min(max(bytes, 0), capacity)
        try await reserve(bytes)
        do {
            let result = try await body()
            release(bytes)
            return result
        } catch {
            release(bytes)
            throw error
        }
    }

    private func reserve(_ bytes: Int) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case go, wait, full }
                let outcome = state.withLock { state -> Outcome in
                    if state.waiting.isEmpty, state.used + bytes <= capacity {
                        state.used += bytes
                        return .go
                    }
                    guard state.waiting.count < maxWaiting else { return .full }
                    state.waiting.append(Waiter(id: id, bytes: bytes, continuation: continuation))
                    return .wait
                }
                switch outcome {
                case .go: continuation.resume()
                case .full: continuation.resume(throwing: ComputeBusy())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release(_ bytes: Int) {
        let ready = state.withLock { state -> [Waiter] in
            state.used -= bytes
            var ready: [Waiter] = []
            while let first = state.waiting.first, state.used + first.bytes <= capacity {
                state.used += first.bytes
                ready.append(state.waiting.removeFirst())
            }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }
}
