import AtelierServices
import Hummingbird
import Metrics

/// Counts requests and errors and times them, per surface, route template, method and status, and
/// per version of the program (so a canary and its baseline compare in one query); and the
/// database statements each request sent (`atelier_http_db_round_trips_total`: divided by the
/// requests, the round trips per request).
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext
    let version: String

    public init(version: String) { self.version = version }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let (response, roundTrips) = try await DatabaseRoundTrips.counting { try await next(request, context) }
        let route = context.endpointPath ?? "unmatched"
        let dimensions = [
            ("surface", Self.surface(of: route)), ("route", route), ("method", request.method.rawValue), ("version", version),
        ]
        Counter(label: "atelier_http_requests_total", dimensions: dimensions + [("status", String(response.status.code))]).increment()
        Metrics.Timer(label: "atelier_http_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .record(duration: ContinuousClock.now - started)
        Counter(label: "atelier_http_db_round_trips_total", dimensions: dimensions).increment(by: roundTrips)
        return response
    }

    /// `shop`, `crm`, `mes`, `admin`, `carrier`, `auth`, `health`: the second part of the route.
    static func surface(of route: String) -> String {
        let parts = route.split(separator: "/")
        if parts.first == "api", parts.count > 1 { return String(parts[1]) }
        if parts.first == "v1" { return "partner" }
        return parts.first.map(String.init) ?? "none"
    }
}
