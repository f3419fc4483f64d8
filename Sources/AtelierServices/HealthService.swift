import AtelierStorage
import AtelierTelemetry

/// Whether this instance can serve: what the readiness routes ask.
public struct HealthService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// Which build this instance runs (readiness says it, so a load balancer's log tells versions apart).
    public var build: BuildInfo { context.configuration.build }

    /// True once a graceful shutdown has begun: the instance still serves, but should get no new requests.
    public var draining: Bool { context.lifecycle.isDraining }

    /// True when the database answers within the store's deadline.
    public func databaseAnswers() async -> Bool {
        do {
            try await context.store.ping()
            return true
        } catch {
            return false
        }
    }
}
