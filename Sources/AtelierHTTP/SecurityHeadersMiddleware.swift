import HTTPTypes
import Hummingbird

/// Security headers on every answer: no content sniffing (a served model is never run as a
/// script or page), no framing, no referrer to other sites, a strict Content-Security-Policy
/// (the pages load only their own scripts, styles and pictures: no inline script, no other
/// origin), and HSTS when the request came over HTTPS (directly or through the proxy's
/// `X-Forwarded-Proto`).
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    /// What the pages need and nothing more: scripts, styles, pictures and fetches from the same
    /// origin; pictures also from `blob:` and `data:` (the viewer's screenshots and thumbnails).
    public static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        Self.apply(to: &response.headers, request: request)
        return response
    }

    static func apply(to headers: inout HTTPFields, request: Request) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[SecurityHeaderNames.referrerPolicy] = "same-origin"
        headers[SecurityHeaderNames.frameOptions] = "DENY"
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = contentSecurityPolicy }
        headers[SecurityHeaderNames.openerPolicy] = "same-origin"
        headers[.crossOriginResourcePolicy] = "same-origin"
        if request.head.scheme == "https" || request.headers[SecurityHeaderNames.forwardedProto] == "https" {
            headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
    }
}

/// Header names HTTPTypes does not name.
enum SecurityHeaderNames {
    // swift-format-ignore: NeverForceUnwrap
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    // swift-format-ignore: NeverForceUnwrap
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    // swift-format-ignore: NeverForceUnwrap
    static let openerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    // swift-format-ignore: NeverForceUnwrap
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    // swift-format-ignore: NeverForceUnwrap
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

}
