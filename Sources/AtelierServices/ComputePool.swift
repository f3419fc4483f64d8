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
    public let threads: Int
    public let maxQueued: Int

    /// One pool for the whole process: every use case context shares the same threads.
    public static let shared = ComputePool(
        threads: max(1, ProcessInfo.processInfo.activeProcessorCount), maxQueued: 64)

    public init(threads: Int, maxQueued: Int) {
        self.threads = max(1, threads)
        self.maxQueued = max(0, maxQueued)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Pieces of work running or waiting now.
    public var load: Int { admitted.load(ordering: .relaxed) }

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
    public var description: String { "The server is busy with other models; try again in a few seconds." }
}
