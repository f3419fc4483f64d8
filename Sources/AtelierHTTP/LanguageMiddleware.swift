import AtelierText
import Foundation
import HTTPTypes
import Hummingbird

/// Chooses whom a request is answered for (``Addressee``): the language a person chose with the
/// pages' switch (a cookie), else the one their `Accept-Language` asks for, else English; and the
/// time zone their browser reported (a cookie set by the pages' script), else the workshop's.
/// Every message, page and problem+json answer of the request is written for that audience.
public struct LanguageMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The cookie that keeps the language a person chose.
    public static var languageCookie: String { "atelier_lang" }
    /// The cookie with the browser's time zone (an IANA name).
    public static var timeZoneCookie: String { "atelier_tz" }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let audience = Self.audience(of: request)
        var response = try await Addressee.$current.withValue(audience) { try await next(request, context) }
        if response.headers[.contentLanguage] == nil { response.headers[.contentLanguage] = audience.language.rawValue }
        if response.headers[.vary] == nil { response.headers[.vary] = "Accept-Language, Cookie" }
        return response
    }

    public static func audience(of request: Request) -> Addressee {
        let chosen = request.cookies[languageCookie].flatMap { Language(rawValue: $0.value) }
        let language = chosen ?? Language.preferred(acceptLanguage: request.headers[.acceptLanguage])
        let zone = Addressee.timeZone(named: request.cookies[timeZoneCookie]?.value.removingPercentEncoding)
        return Addressee(language: language, timeZone: zone ?? Addressee.workshopTimeZone)
    }
}
