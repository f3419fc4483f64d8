import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in, sign-up (the shop's), sign-out, the links of the account e-mails (a new password, a
/// confirmed address) and the person's own account page.
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

    struct ResetRequestPage: PageModel {
        var chrome: Chrome?
        var email: String?
    }

    struct NewPasswordPage: PageModel {
        var chrome: Chrome?
        var token: String
        var usable: Bool
    }

    struct AccountPage: PageModel {
        var chrome: Chrome?
        var name: String
        var email: String
        var verified: Bool
        var progressEmails: Bool
    }

    /// The page of the link in the e-mails that are not essential: no sign-in needed.
    struct EmailPreferencesPage: PageModel {
        var chrome: Chrome?
        var token: String
        var email: String
        var progressEmails: Bool
    }

    struct VerifyEmailPage: PageModel {
        var chrome: Chrome?
        var signedIn: Bool
    }

    typealias Member = SignedInContext<Audiences.Members>

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("sign-in", use: signInPage)
            .post("sign-in", use: signIn)
            .post("sign-out-everywhere", use: signOutEverywhere)
            .post("sign-out", use: signOut)
            .get("password-reset", use: resetRequestPage)
            .post("password-reset", use: requestReset)
            .get("password-reset/{token}", use: newPasswordPage)
            .post("password-reset/{token}", use: setNewPassword)
            .get("verify-email/{token}", use: verifyEmail)
            .post("language", use: chooseLanguage)
            .get("email-preferences/{token}", use: emailPreferencesPage)
            .post("email-preferences/{token}", use: setEmailPreferences)
        group.signedIn(Audiences.Members.self)
            .get("account", use: accountPage)
            .post("account/password", use: changePassword)
            .post("account/verify-email", use: resendVerification)
            .post("account/email-preferences", use: setAccountEmailPreferences)
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
            // A language chosen with the switch before signing in is kept on the account too.
            if let chosen = request.cookies[LanguageMiddleware<AtelierRequestContext>.languageCookie].flatMap({
                Language(rawValue: $0.value)
            }) {
                try await site.useCases.accounts.setLanguage(session.user.principal, to: chosen)
            }
            var response = site.redirect(next ?? home(for: session.user.role))
            response.setCookie(sessionCookie(session.token, maxAge: Int(session.expiresAt.timeIntervalSinceNow), request: request))
            return response
        } catch let error as AuthenticationError {
            return site.page(
                "sign-in", again, title: "Sign in", request: request, context: context, status: .unauthorized, error: error.phrase)
        } catch let error as SignInThrottled {
            var response = site.page(
                "sign-in", again, title: "Sign in", request: request, context: context, status: .tooManyRequests, error: error.phrase)
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

    /// The language switch: kept in a cookie for a year, and on the account of a signed-in person
    /// (their e-mails follow it). An unknown language is English.
    @Sendable func chooseLanguage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let form = try await request.form(context: context)
        let language = form["lang"].flatMap { Language(rawValue: $0) } ?? .english
        if let principal = context.principal { try await site.useCases.accounts.setLanguage(principal, to: language) }
        var response = site.redirect(safeNext(form["next"]) ?? "/")
        let https = request.head.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        response.setCookie(
            Cookie(
                name: LanguageMiddleware<AtelierRequestContext>.languageCookie, value: language.rawValue, maxAge: 365 * 24 * 3600,
                path: "/", secure: https, httpOnly: false, sameSite: .lax))
        return response
    }

    @Sendable func emailPreferencesPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let account = try await site.useCases.accounts.emailPreferences(token: token)
        return site.page(
            "email-preferences", EmailPreferencesPage(token: token, email: account.email, progressEmails: account.progressEmails),
            title: "Your e-mails", request: request, context: context)
    }

    /// The preferences link's form, and a mail program's one-click unsubscribe (RFC 8058: a POST
    /// of `List-Unsubscribe=One-Click` to the link of the `List-Unsubscribe` header).
    @Sendable func setEmailPreferences(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = try await request.form(context: context)
        let oneClick = form["List-Unsubscribe"] == "One-Click"
        let on = !oneClick && form["progress"] == "on"
        try await site.useCases.accounts.setProgressEmails(token: token, on: on)
        if oneClick { return Response(status: .ok) }
        return site.redirect(
            "/email-preferences/\(token)",
            flash: on ? "E-mails about your orders' progress are on again." : "You get no more e-mails about your orders' progress.")
    }

    @Sendable func setAccountEmailPreferences(_ request: Request, context: Member) async throws -> Response {
        let form = try await request.form(context: context)
        let on = form["progress"] == "on"
        try await site.useCases.accounts.setProgressEmails(context.principal, on: on)
        return site.redirect(
            "/account",
            flash: on ? "E-mails about your orders' progress are on again." : "You get no more e-mails about your orders' progress.")
    }

    @Sendable func signUpPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        site.page("sign-up", SignUpPage(), title: "Create an account", request: request, context: context)
    }

    @Sendable func createAccount(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let form = try await request.form(context: context)
        let email = form["email"] ?? "", name = form["name"] ?? "", password = form["password"] ?? ""
        do {
            guard password == form["confirm"] else { throw DomainError.invalid("The two passwords differ.") }
            _ = try await site.useCases.accounts.signUp(email: email, name: name, password: password, language: Addressee.current.language)
            // The same answer whether the e-mail was new or not: sign-up tells nobody who is a customer.
            return site.redirect("/sign-in", flash: "Thank you. Sign in with your e-mail and password.")
        } catch let error as DomainError {
            return site.page(
                "sign-up", SignUpPage(email: email, name: name), title: "Create an account", request: request, context: context,
                status: .unprocessableContent, error: error.phrase)
        }
    }

    @Sendable func resetRequestPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        site.page("password-reset", ResetRequestPage(), title: "A new password", request: request, context: context)
    }

    /// The same answer whether or not the address has an account.
    @Sendable func requestReset(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let form = try await request.form(context: context)
        let email = form["email"] ?? ""
        do {
            try await site.useCases.accounts.requestPasswordReset(email: email)
            return site.redirect(
                "/sign-in", flash: "If an account uses that address, a link that sets a new password is on its way. It works for one hour.")
        } catch let error as DomainError {
            return site.page(
                "password-reset", ResetRequestPage(email: email), title: "A new password", request: request, context: context,
                status: .unprocessableContent, error: error.phrase)
        }
    }

    @Sendable func newPasswordPage(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        do {
            try await site.useCases.accounts.checkResetLink(token: token)
        } catch let error as AccountLinkError {
            return site.page(
                "new-password", NewPasswordPage(token: "", usable: false), title: "Set a new password", request: request,
                context: context, status: .gone, error: error.phrase)
        }
        return site.page(
            "new-password", NewPasswordPage(token: token, usable: true), title: "Set a new password", request: request, context: context)
    }

    @Sendable func setNewPassword(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = try await request.form(context: context)
        do {
            guard let password = form["password"], password == form["confirm"] else {
                throw DomainError.invalid("The two passwords differ.")
            }
            try await site.useCases.accounts.resetPassword(token: token, newPassword: password)
            var response = site.redirect("/sign-in", flash: "Your new password is set, and every device is signed out. Sign in with it.")
            response.setCookie(sessionCookie("", maxAge: 0, request: request))
            return response
        } catch let error as DomainError {
            return site.page(
                "new-password", NewPasswordPage(token: token, usable: true), title: "Set a new password", request: request,
                context: context, status: .unprocessableContent, error: error.phrase)
        } catch let error as AccountLinkError {
            return site.page(
                "new-password", NewPasswordPage(token: "", usable: false), title: "Set a new password", request: request,
                context: context, status: .gone, error: error.phrase)
        }
    }

    /// The link of the sign-up e-mail.
    @Sendable func verifyEmail(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        do {
            let account = try await site.useCases.accounts.verifyEmail(token: token)
            let next = context.principal?.userID == account.id ? "/account" : "/sign-in"
            return site.redirect(next, flash: "Thank you: your e-mail address is confirmed.")
        } catch let error as AccountLinkError {
            return site.page(
                "verify-email", VerifyEmailPage(signedIn: context.principal != nil), title: "Confirm your e-mail address",
                request: request, context: context, status: .gone, error: error.phrase)
        }
    }

    @Sendable func accountPage(_ request: Request, context: Member) async throws -> Response {
        try await account(request, context: context)
    }

    private func account(_ request: Request, context: Member, status: HTTPResponse.Status = .ok, error: Phrase? = nil) async throws
        -> Response
    {
        guard let account = try await site.useCases.accounts.account(context.principal) else { throw AuthenticationError.notSignedIn }
        let model = AccountPage(
            name: account.name, email: account.email, verified: account.emailVerifiedAt != nil, progressEmails: account.progressEmails)
        return site.page("account", model, title: "Your account", request: request, context: context, status: status, error: error)
    }

    @Sendable func changePassword(_ request: Request, context: Member) async throws -> Response {
        let form = try await request.form(context: context)
        do {
            guard let new = form["password"], new == form["confirm"] else { throw DomainError.invalid("The two new passwords differ.") }
            try await site.useCases.accounts.changePassword(
                context.principal, current: form["current"] ?? "", new: new, token: request.cookies[WebSessionMiddleware.cookie]?.value)
            return site.redirect("/account", flash: "Your password is changed. Every other device is signed out.")
        } catch let error as DomainError {
            return try await account(request, context: context, status: .unprocessableContent, error: error.phrase)
        }
    }

    @Sendable func resendVerification(_ request: Request, context: Member) async throws -> Response {
        do {
            try await site.useCases.accounts.resendVerification(context.principal)
            return site.redirect("/account", flash: "A new link is on its way to your address.")
        } catch let error as DomainError {
            return try await account(request, context: context, status: .unprocessableContent, error: error.phrase)
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
