import AtelierServices
import Hummingbird

/// Reads `Authorization: Bearer <token>` and puts the signed-in user in the context.
/// A missing or unknown token leaves the request anonymous; routes decide what they need.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            context.principal = try await accounts.authenticate(token: token)
            if let principal = context.principal {
                context.logger[metadataKey: "actor"] = "\(principal.role.rawValue):\(principal.userID)"
            }
        }
        return try await next(request, context)
    }
}
