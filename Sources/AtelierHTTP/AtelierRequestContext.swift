import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird
import NIOCore

/// The request context of every Atelier route: who is signed in, and JSON with ISO 8601 dates.
public struct AtelierRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user, set by ``AuthenticationMiddleware``.
    public var principal: Principal?
    /// The bearer token of the request (API) or the session cookie (pages), once authenticated.
    public var sessionToken: String?
    /// The peer of the connection.
    public var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The proxies whose `X-Forwarded-For` is believed (``TrustedProxiesMiddleware`` sets the
    /// settings'; loopback until then).
    public var trustedProxies: TrustedProxies = .loopback

    /// The address of the client: the peer, or, when the peer is a trusted proxy, the last address
    /// in `X-Forwarded-For` that is not one.
    public func clientAddress(_ request: Request) -> String? {
        trustedProxies.client(peer: remoteAddress?.ipAddress, forwarded: request.headers[SecurityHeaderNames.forwardedFor])
    }

    public var requestDecoder: JSONDecoder { .atelier }
    public var responseEncoder: JSONEncoder { .atelier }
}

/// Gives every request the proxies the settings trust (`ATELIER_TRUSTED_PROXIES`).
public struct TrustedProxiesMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext
    let proxies: TrustedProxies

    public init(_ proxies: TrustedProxies) { self.proxies = proxies }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.trustedProxies = proxies
        return try await next(request, context)
    }
}
