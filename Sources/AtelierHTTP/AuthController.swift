import AtelierDomain
import AtelierServices
import AtelierText
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

    struct ResetRequest: Decodable {
        var email: String
    }

    struct ResetConfirmation: Decodable {
        var token: String
        var password: String
    }

    struct Verification: Decodable {
        var token: String
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
        group.post("sign-up", use: signUp)
            .post("sign-in", use: signIn)
            .post("password-reset", use: requestPasswordReset)
            .post("password-reset/confirm", use: resetPassword)
            .post("verify-email", use: verifyEmail)
        group.signedIn(Audiences.Members.self)
            .post("verify-email/resend", use: resendVerification)
            .post("sign-out", use: signOut)
            .post("sign-out-everywhere", use: signOutEverywhere)
            .post("password", use: changePassword)
            .get("me", use: me)
    }

    /// A customer creates an account.
    @Sendable func signUp(_ request: Request, context: AtelierRequestContext) async throws -> EditedResponse<UserResponse> {
        let body = try await request.decode(as: SignUp.self, context: context)
        let user = try await accounts.signUp(
            email: body.email, name: body.name, password: body.password, language: Addressee.current.language)
        return EditedResponse(status: .created, response: UserResponse(user))
    }

    /// Exchanges e-mail and password for a bearer token.
    @Sendable func signIn(_ request: Request, context: AtelierRequestContext) async throws -> SessionResponse {
        let body = try await request.decode(as: SignIn.self, context: context)
        let session = try await accounts.signIn(email: body.email, password: body.password, client: context.clientAddress(request))
        return SessionResponse(token: session.token, expiresAt: session.expiresAt, user: UserResponse(session.user))
    }

    /// Sends a link that sets a new password, if the address has an account; the same answer either way.
    @Sendable func requestPasswordReset(_ request: Request, context: AtelierRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decode(as: ResetRequest.self, context: context)
        try await accounts.requestPasswordReset(email: body.email)
        return .accepted
    }

    /// Sets a new password with the token of a reset link; every session of the account ends.
    @Sendable func resetPassword(_ request: Request, context: AtelierRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decode(as: ResetConfirmation.self, context: context)
        try await accounts.resetPassword(token: body.token, newPassword: body.password)
        return .noContent
    }

    /// Confirms an address with the token of its link.
    @Sendable func verifyEmail(_ request: Request, context: AtelierRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decode(as: Verification.self, context: context)
        try await accounts.verifyEmail(token: body.token)
        return .noContent
    }

    /// Sends the signed-in person a new link that confirms their address.
    @Sendable func resendVerification(_ request: Request, context: SignedInContext<Audiences.Members>) async throws -> HTTPResponse.Status {
        try await accounts.resendVerification(context.principal)
        return .accepted
    }

    /// Ends the session of the bearer token.
    @Sendable func signOut(_ request: Request, context: SignedInContext<Audiences.Members>) async throws -> HTTPResponse.Status {
        if let token = context.sessionToken { try await accounts.signOut(token: token) }
        return .noContent
    }

    /// Ends every session of the signed-in user, on every device, this one included.
    @Sendable func signOutEverywhere(_ request: Request, context: SignedInContext<Audiences.Members>) async throws -> HTTPResponse.Status {
        try await accounts.signOutEverywhere(context.principal)
        return .noContent
    }

    /// Changes the user's own password (the current one is needed); other sessions end.
    @Sendable func changePassword(_ request: Request, context: SignedInContext<Audiences.Members>) async throws -> HTTPResponse.Status {
        let body = try await request.decode(as: PasswordChange.self, context: context)
        try await accounts.changePassword(context.principal, current: body.current, new: body.new, token: context.sessionToken)
        return .noContent
    }

    /// Who the bearer token belongs to.
    @Sendable func me(_ request: Request, context: SignedInContext<Audiences.Members>) async throws -> Principal {
        context.principal
    }
}

extension Principal: ResponseEncodable {}
