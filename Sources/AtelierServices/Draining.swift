import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Whether this instance is leaving. Set when a graceful shutdown begins (SIGTERM), before anything
/// stops: readiness then answers 503 while the instance still serves, so a load balancer that asks
/// it stops sending new requests; live streams end so browsers reconnect elsewhere.
public final class InstanceLifecycle: Sendable {
    private let leaving = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { leaving.load(ordering: .relaxed) }

    public func beginDraining() { leaving.store(true, ordering: .relaxed) }
}

/// The first service to stop on a graceful shutdown (it runs last in the group, and a group stops
/// its services in reverse order): it marks the instance as draining and waits `drain` (the time a
/// load balancer takes to see readiness fail), then lets the listeners stop (they finish the
/// requests in flight) and the workers (they finish or hand back their jobs).
public struct DrainService: Service {
    let lifecycle: InstanceLifecycle
    let drain: Duration
    let logger: Logger

    public init(lifecycle: InstanceLifecycle, drain: Duration, logger: Logger) {
        self.lifecycle = lifecycle
        self.drain = drain
        self.logger = logger
    }

    public func run() async throws {
        // Returns when a graceful shutdown begins; throws when the task is cancelled outright.
        do { try await gracefulShutdown() } catch { return }
        lifecycle.beginDraining()
        logger.notice("draining: readiness says no", metadata: ["drain.seconds": "\(drain.components.seconds)"])
        // Not cancelled by the shutdown itself: the drain is the point.
        try? await Task.sleep(for: drain)
        logger.notice("drained: the listeners stop taking connections and finish their requests")
    }
}
