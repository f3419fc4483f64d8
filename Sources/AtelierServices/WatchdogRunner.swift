import Foundation
import Logging
import ServiceLifecycle

/// The `watchdog` role: scans for stalled orders every interval until shutdown.
public struct WatchdogRunner: Service {
    let watchdog: WatchdogService
    let interval: Duration
    let logger: Logger

    public init(watchdog: WatchdogService, interval: Duration, logger: Logger) {
        self.watchdog = watchdog
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Sleeps end early when the service group shuts down.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let report = try await watchdog.scan()
                if !report.redriven.isEmpty {
                    logger.info("watchdog re-drove stalled orders", metadata: ["count": "\(report.redriven.count)"])
                }
            } catch {
                logger.error("watchdog pass failed", metadata: ["error": "\(error)"])
            }
            try? await gracefulShutdown(orSleepFor: interval)
        }
    }
}

/// Sleeps for `duration`, or until graceful shutdown starts.
func gracefulShutdown(orSleepFor duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}

extension WatchdogRunner: CustomStringConvertible {
    public var description: String { "WatchdogRunner(every \(interval))" }
}
