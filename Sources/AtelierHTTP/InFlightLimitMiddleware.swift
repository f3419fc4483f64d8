import AtelierText
import Hummingbird
import Synchronization

/// Bounds the requests one instance works on at once: past the limit, answers 503 with
/// `Retry-After` at once, so a flood queues at the load balancer (or the client retries) instead
/// of piling up here.
public struct InFlightLimitMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext
    let limit: Int
    private let inFlight = InFlightCounter()

    public init(limit: Int) { self.limit = limit }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard inFlight.increment() <= limit else {
            inFlight.decrement()
            return try Problem(
                status: .serviceUnavailable, type: "overloaded",
                detail: "This instance is at its limit of \(limit) requests at once; retry shortly."
            )
            .response(from: request, context: context)
        }
        defer { inFlight.decrement() }
        return try await next(request, context)
    }
}

/// A shared counter.
final class InFlightCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds one and returns the new value.
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    func decrement() { value.subtract(1, ordering: .relaxed) }
}
