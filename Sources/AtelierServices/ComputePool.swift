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
    public func run<T: Sendable>(owner: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
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
        return try await run(work)
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
