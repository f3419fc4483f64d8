import AtelierDomain
import AtelierServices
import Foundation
import Hummingbird

/// Sign-up, sign-in and sign-out: `/api/auth`.
struct AuthController {
    let accounts: AccountService

    struct SignUp: Decodable {
        var email: String
        var name: String
        var password: String
    }

    struct SignIn: Decodable {
        var email: String
        var password: String
    }

    struct PasswordChange: Decodable {
        var current: String
        var new: String
    }

    struct SessionResponse: ResponseEncodable {
        var token: String
        var expiresAt: Date
        var user: UserResponse
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        /// A customer creates an account.
        group.post("sign-up") { request, context -> EditedResponse<UserResponse> in
            let body = try await request.decode(as: SignUp.self, context: context)
            let user = try await accounts.signUp(email: body.email, name: body.name, password: body.password)
            return EditedResponse(status: .created, response: UserResponse(user))
        }
        /// Exchanges e-mail and password for a bearer token.
        group.post("sign-in") { request, context -> SessionResponse in
            let body = try await request.decode(as: SignIn.self, context: context)
            let session = try await accounts.signIn(email: body.email, password: body.password, client: context.clientAddress(request))
            return SessionResponse(token: session.token, expiresAt: session.expiresAt, user: UserResponse(session.user))
        }
        /// Ends the session of the bearer token.
        group.post("sign-out") { _, context -> HTTPResponse.Status in
            _ = try context.require(.customer, .seller, .operator, .admin)
            if let token = context.sessionToken { try await accounts.signOut(token: token) }
            return .noContent
        }
        /// Ends every session of the signed-in user, on every device, this one included.
        group.post("sign-out-everywhere") { _, context -> HTTPResponse.Status in
            try await accounts.signOutEverywhere(try context.require(.customer, .seller, .operator, .admin))
            return .noContent
        }
        /// Changes the user's own password (the current one is needed); other sessions end.
        group.post("password") { request, context -> HTTPResponse.Status in
            let user = try context.require(.customer, .seller, .operator, .admin)
            let body = try await request.decode(as: PasswordChange.self, context: context)
            try await accounts.changePassword(user, current: body.current, new: body.new, token: context.sessionToken)
            return .noContent
        }
        /// Who the bearer token belongs to.
        group.get("me") { _, context -> Principal in
            try context.require(.customer, .seller, .operator, .admin)
        }
    }
}

extension Principal: ResponseEncodable {}
