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

    /// The address of the client: the peer, or, when the peer is this machine's proxy (a loopback
    /// address), the last address the proxy put in `X-Forwarded-For`.
    public func clientAddress(_ request: Request) -> String? {
        let peer = remoteAddress?.ipAddress
        let fromLoopback = peer.map { $0.hasPrefix("127.") || $0 == "::1" } ?? false
        if fromLoopback, let forwarded = request.headers[SecurityHeaderNames.forwardedFor] {
            let last = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if !last.isEmpty, last.utf8.count <= 64 { return last }
        }
        return peer
    }

    public var requestDecoder: JSONDecoder { .atelier }
    public var responseEncoder: JSONEncoder { .atelier }
}
