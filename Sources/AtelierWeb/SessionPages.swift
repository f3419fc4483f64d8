import AtelierDomain
import AtelierHTTP
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in, sign-up (the shop's) and sign-out.
struct SessionPages {
    let site: WebSite
    let signUp: Bool

    struct SignInPage: PageModel {
        var chrome: Chrome?
        var next: String
        var email: String?
        var signUp: Bool
    }

    struct SignUpPage: PageModel {
        var chrome: Chrome?
        var email: String?
        var name: String?
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("sign-in", use: signInPage)
            .post("sign-in", use: signIn)
            .post("sign-out-everywhere", use: signOutEverywhere)
            .post("sign-out", use: signOut)
        guard signUp else { return }
        group.get("sign-up", use: signUpPage)
            .post("sign-up", use: createAccount)
    }

    @Sendable func signInPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        site.page(
            "sign-in", SignInPage(next: safeNext(request.query("next")) ?? "", signUp: signUp), title: "Sign in", request: request,
            context: context)
    }

    @Sendable func signIn(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let form = try await request.form(context: context)
        let next = safeNext(form["next"])
        let again = SignInPage(next: next ?? "", email: form["email"] ?? "", signUp: signUp)
        do {
            let session = try await site.useCases.accounts.signIn(
                email: form["email"] ?? "", password: form["password"] ?? "", client: context.clientAddress(request))
            var response = site.redirect(next ?? home(for: session.user.role))
            response.setCookie(sessionCookie(session.token, maxAge: Int(session.expiresAt.timeIntervalSinceNow), request: request))
            return response
        } catch let error as AuthenticationError {
            return site.page(
                "sign-in", again, title: "Sign in", request: request, context: context, status: .unauthorized, error: error.description)
        } catch let error as SignInThrottled {
            var response = site.page(
                "sign-in", again, title: "Sign in", request: request, context: context, status: .tooManyRequests, error: error.description)
            response.headers[.retryAfter] = String(error.retryAfterSeconds)
            return response
        }
    }

    /// Ends every session of the signed-in person; signed out already, it only clears the cookie.
    @Sendable func signOutEverywhere(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        if let user = context.principal { try await site.useCases.accounts.signOutEverywhere(user) }
        var response = site.redirect("/sign-in", flash: "You are signed out on every device.")
        response.setCookie(sessionCookie("", maxAge: 0, request: request))
        return response
    }

    @Sendable func signOut(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        if let token = request.cookies[WebSessionMiddleware.cookie]?.value, !token.isEmpty {
            try await site.useCases.accounts.signOut(token: token)
        }
        var response = site.redirect("/sign-in", flash: "You are signed out.")
        response.setCookie(sessionCookie("", maxAge: 0, request: request))
        return response
    }

    @Sendable func signUpPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        site.page("sign-up", SignUpPage(), title: "Create an account", request: request, context: context)
    }

    @Sendable func createAccount(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let form = try await request.form(context: context)
        let email = form["email"] ?? "", name = form["name"] ?? "", password = form["password"] ?? ""
        do {
            guard password == form["confirm"] else { throw DomainError.invalid("The two passwords differ.") }
            _ = try await site.useCases.accounts.signUp(email: email, name: name, password: password)
            // The same answer whether the e-mail was new or not: sign-up tells nobody who is a customer.
            return site.redirect("/sign-in", flash: "Thank you. Sign in with your e-mail and password.")
        } catch let error as DomainError {
            return site.page(
                "sign-up", SignUpPage(email: email, name: name), title: "Create an account", request: request, context: context,
                status: .unprocessableContent, error: error.description)
        }
    }

    /// The session's cookie: `Secure` when the browser came over HTTPS (a proxy says so in
    /// `X-Forwarded-Proto`).
    private func sessionCookie(_ token: String, maxAge: Int, request: Request) -> Cookie {
        let https = request.head.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        return Cookie(
            name: WebSessionMiddleware.cookie, value: token, maxAge: maxAge, path: "/", secure: https, httpOnly: true, sameSite: .lax)
    }

    /// Only a path on this site, never another address: printable ASCII without a backslash (a
    /// browser drops tabs and line ends, so `/\t/evil.example` would become `//evil.example`), and
    /// not starting with two slashes.
    private func safeNext(_ next: String?) -> String? {
        guard let next, next.utf8.count <= 1000, next.hasPrefix("/"), !next.hasPrefix("//"),
            next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return next
    }
}

/// Where a person starts after signing in.
func home(for role: Role) -> String {
    switch role {
    case .seller: "/crm"
    case .operator: "/mes"
    case .admin: "/admin"
    default: "/orders"
    }
}
