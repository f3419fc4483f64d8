import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird
import NIOCore

/// Who may use a group of routes: the roles a ``SignedInContext`` lets in.
public protocol Audience: Sendable {
    static var roles: [Role] { get }
}

/// The audiences of Atelier's routes, one per kind of work.
public enum Audiences {
    /// Shop customers, for their own orders.
    public enum Customers: Audience { public static let roles: [Role] = [.customer] }
    /// Sellers and admins: the CRM.
    public enum Sellers: Audience { public static let roles: [Role] = [.seller, .admin] }
    /// Operators and admins: what the workshop sees.
    public enum Workshop: Audience { public static let roles: [Role] = [.operator, .admin] }
    /// Operators only: the hands-on steps (take, complete, package, ship) and their own work.
    public enum Operators: Audience { public static let roles: [Role] = [.operator] }
    /// Admins only.
    public enum Admins: Audience { public static let roles: [Role] = [.admin] }
    /// Anyone signed in with a password: customers and staff.
    public enum Members: Audience { public static let roles: [Role] = [.customer, .seller, .operator, .admin] }
}

/// The context of a route for signed-in people of one ``Audience``: the principal is there, with a
/// role the audience allows, by construction. Made from the ``AtelierRequestContext`` when the
/// request reaches a group of such routes; a request without a session gets a 401 and one with
/// the wrong role a 403 before any handler runs.
public struct SignedInContext<Who: Audience>: ChildRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user.
    public let principal: Principal
    /// The bearer token (API) or the session cookie (pages) the user came with.
    public let sessionToken: String?
    public let remoteAddress: SocketAddress?

    public init(context: AtelierRequestContext) throws {
        guard let principal = context.principal else { throw AuthenticationError.notSignedIn }
        guard Who.roles.contains(principal.role) else { throw AuthenticationError.forbidden(role: principal.role, needed: Who.roles) }
        self.coreContext = context.coreContext
        self.principal = principal
        self.sessionToken = context.sessionToken
        self.remoteAddress = context.remoteAddress
    }

    public var requestDecoder: JSONDecoder { .atelier }
    public var responseEncoder: JSONEncoder { .atelier }
}

/// Any request context a page or a response can be shaped for: who, if anyone, is signed in.
public protocol PrincipalContext: RequestContext {
    var signedIn: Principal? { get }
}

extension AtelierRequestContext: PrincipalContext {
    public var signedIn: Principal? { principal }
}

extension SignedInContext: PrincipalContext {
    public var signedIn: Principal? { principal }
}

extension RouterMethods where Context == AtelierRequestContext {
    /// A group of routes for `audience` only, at `path`; its handlers get a ``SignedInContext``.
    public func signedIn<Who: Audience>(_ audience: Who.Type, _ path: RouterPath = "") -> RouterGroup<SignedInContext<Who>> {
        group(path, context: SignedInContext<Who>.self)
    }
}
