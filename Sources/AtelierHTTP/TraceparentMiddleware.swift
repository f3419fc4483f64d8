import AtelierTelemetry
import HTTPTypes
import Hummingbird

/// Puts the request's trace in the response (`traceparent`), so a client or a support ticket can
/// name the trace of a call.
public struct TraceparentMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let traceparent = TraceContext.current() { response.headers[.traceparent] = traceparent }
        return response
    }
}

extension HTTPField.Name {
    static let traceparent = Self("traceparent")!
}
