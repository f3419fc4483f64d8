import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird

/// The request context of every Atelier route: who is signed in, and JSON with ISO 8601 dates.
public struct AtelierRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user, set by ``AuthenticationMiddleware``.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: JSONDecoder { .atelier }
    public var responseEncoder: JSONEncoder { .atelier }

    /// The signed-in user if it has one of `roles`; otherwise a 401 or a 403.
    public func require(_ roles: Role...) throws -> Principal {
        guard let principal else { throw AuthenticationError.notSignedIn }
        guard roles.contains(principal.role) else { throw AuthenticationError.forbidden(role: principal.role, needed: roles) }
        return principal
    }
}
