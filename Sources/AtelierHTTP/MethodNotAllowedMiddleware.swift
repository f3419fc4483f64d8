import AtelierText
import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each route path answers, read from a router once its routes are all added.
public final class RouteMethods: Sendable {
    private let table = Mutex<[(parts: [Substring], methods: [String])]>([])

    public init() {}

    /// Reads every route of `router`; call it after the last route is added.
    public func load<Context>(_ router: Router<Context>) {
        var byPath: [String: [String]] = [:]
        for route in router.routes { byPath["\(route.path)", default: []].append(route.method.rawValue) }
        table.withLock { table in
            table = byPath.map { path, methods in (parts: path.split(separator: "/"), methods: methods.sorted()) }
        }
    }

    /// The methods `path` answers; nil when no route has this path.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        return table.withLock { table in
            var methods: [String]?
            for route in table where route.parts.count == parts.count {
                if zip(route.parts, parts).allSatisfy({ $0.first == "{" || $0 == "*" || $0 == $1 }) {
                    methods = (methods ?? []) + route.methods
                }
            }
            return methods
        }
    }
}

/// A request for a path Atelier has with a method it does not answer gets 405 with `Allow`,
/// not the 404 of an unknown address.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    public init(routes: RouteMethods) { self.routes = routes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = routes.methods(for: request.uri.path), !methods.contains(request.method.rawValue) else { throw error }
            let allowed = Array(Set(methods)).sorted().joined(separator: ", ")
            var response = try Problem(
                status: .methodNotAllowed, type: "method-not-allowed",
                detail: "\(request.uri.path) answers \(allowed), not \(request.method.rawValue)."
            ).response(from: request, context: context)
            response.headers[.allow] = allowed
            return response
        }
    }
}
