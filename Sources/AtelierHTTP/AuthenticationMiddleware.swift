import AtelierDomain
import AtelierServices
import AtelierText
import Hummingbird
import Logging

/// Reads `Authorization: Bearer <token>` and puts the signed-in user in the context.
/// A missing or unknown token leaves the request anonymous; routes decide what they need.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard let token = bearerToken(header) else {
                throw Problem(
                    status: .unauthorized, type: "unauthorized",
                    detail: "The Authorization header must be exactly 'Bearer <token>', with the token from POST /api/auth/sign-in.")
            }
            context.principal = try await accounts.authenticate(token: token)
            if let principal = context.principal {
                context.sessionToken = token
                context.logger[metadataKey: "actor"] = "\(principal.role.rawValue):\(principal.userID)"
            }
        }
        return try await next(request, context)
    }
}

/// The token of `Bearer <token>`, parsed strictly: the scheme, one space, and a token of the
/// characters sign-in issues (URL-safe base64), 1 to 200 of them; nil for anything else.
func bearerToken(_ header: String) -> String? {
    let prefix = "Bearer "
    guard header.hasPrefix(prefix) || header.lowercased().hasPrefix("bearer ") else { return nil }
    let token = header.utf8.dropFirst(prefix.utf8.count)
    guard !token.isEmpty, token.count <= 200,
        token.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
    else { return nil }
    return String(decoding: token, as: UTF8.self)
}
