import AtelierTelemetry
import Hummingbird
import Logging

/// One log line per request when it ends: method, route, status, duration, surface, and the order
/// it concerned; the actor comes from authentication, the trace and span ids from the log handler.
/// Paths, never query strings or headers, are logged: no token or secret reaches the log.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            log(request, context, status: Problem.from(error).0.status, started: started)
            throw error
        }
        log(request, context, status: status, started: started)
        return response
    }

    private func log(_ request: Request, _ context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        var metadata: Logger.Metadata = [
            "http.method": "\(request.method.rawValue)", "http.route": "\(route)", "http.status": "\(status)",
            "duration.ms": "\(Int((ContinuousClock.now - started).seconds * 1000))",
            "surface": "\(RequestMetricsMiddleware.surface(of: route))",
        ]
        if let orderID = Self.orderID(path: request.uri.path, route: route) { metadata["order.id"] = "\(orderID)" }
        context.logger.log(level: status >= 500 ? .error : .info, "request", metadata: metadata)
    }

    /// The `{id}` of an `/orders/{id}` route, read from the path.
    static func orderID(path: String, route: String) -> Substring? {
        let routeParts = route.split(separator: "/"), pathParts = path.split(separator: "/")
        guard routeParts.count == pathParts.count else { return nil }
        for index in routeParts.indices where routeParts[index] == "{id}" && index > 0 && routeParts[index - 1] == "orders" {
            return pathParts[index]
        }
        return nil
    }
}
