import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The session of a browser: its cookie holds a session token of ``AccountService`` (the same
/// sessions as the APIs' bearer tokens). Changes (POST) must come from Atelier's own pages:
/// the cookie is `SameSite=Lax` and a request whose `Origin` is another site is refused.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    static let cookie = "atelier_session"
    let accounts: AccountService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if context.principal == nil, let token = request.cookies[Self.cookie]?.value, !token.isEmpty {
            context.principal = try await accounts.authenticate(token: token)
            if let principal = context.principal {
                context.sessionToken = token
                context.logger[metadataKey: "actor"] = "\(principal.role.rawValue):\(principal.userID)"
            }
        }
        if request.method != .get, request.method != .head, !Self.sameOrigin(request) {
            throw Problem(
                status: .forbidden, type: "cross-site",
                detail: "This form was sent from another site; open the page in Atelier and send it again.")
        }
        return try await next(request, context)
    }

    /// True when the request has no `Origin` (old browsers, tools) or its origin is this host.
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        guard let url = URL(string: origin), let originHost = url.host else { return false }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }
}

/// Errors of pages become pages: a clear message in the layout, with the status of the problem.
/// Requests that ask for JSON (the pages' own scripts) get problem+json instead, so a script can
/// show the server's reason. A page that needs a signed-in user sends the browser to sign in.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let site: WebSite

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if request.wantsJSON { throw error }
            if case AuthenticationError.notSignedIn = error, request.method == .get {
                let next = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
                return site.redirect("/sign-in?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")")
            }
            let (problem, unexpected) = Problem.from(error)
            if unexpected {
                context.logger.error(
                    "page failed", metadata: ["error.type": "\(type(of: error))", "http.route": "\(context.endpointPath ?? "")"])
            }
            // This middleware runs outside the session's: the error page looks up who is signed
            // in itself, so a 403 or a 404 shows the person's own menu, not a signed-out one.
            var context = context
            if context.principal == nil, let token = request.cookies[WebSessionMiddleware.cookie]?.value, !token.isEmpty {
                context.principal = try? await site.useCases.accounts.authenticate(token: token)
            }
            return site.page(
                "error", ErrorPage(status: problem.status, reason: problem.title, detail: problem.detail),
                title: Phrase(stringLiteral: problem.title),
                request: request, context: context, status: problem.httpStatus)
        }
    }
}

extension Request {
    /// The pages' scripts ask for JSON answers.
    var wantsJSON: Bool { headers[.accept]?.contains("json") ?? false || uri.path.hasPrefix("/api/") || uri.path.hasPrefix("/v1/") }

    /// The fields of an `application/x-www-form-urlencoded` body.
    func form(context: some RequestContext) async throws -> Form {
        var request = self
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        return Form(String(buffer: buffer))
    }

    func query(_ name: String) -> String? {
        uri.queryParameters[Substring(name)].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The fields of a form or a query string, in order; a name may repeat (checkboxes).
struct Form: Sendable {
    var fields: [(String, String)]

    init(_ encoded: String) {
        fields = encoded.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map(Self.decode), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    init(query request: Request) { self.init(request.uri.query ?? "") }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    subscript(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1).filter { !$0.isEmpty } }

    /// A field that must be there, or a 422 naming it.
    func required(_ name: String, label: Phrase) throws -> String {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw Problem(status: .unprocessableContent, type: "invalid", detail: "\(label) is required.")
        }
        return value
    }

    func number(_ name: String, label: Phrase, default value: Double) throws -> Double {
        guard let text = self[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return value }
        guard let number = Double(text.replacingOccurrences(of: ",", with: ".")), number.isFinite else {
            throw Problem(status: .unprocessableContent, type: "invalid", detail: "\(label) must be a number; '\(text)' is not.")
        }
        return number
    }
}
