import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// The web pages of Atelier, rendered on the server: the shop for customers, the CRM for sellers,
/// the MES for operators and the admin pages. Templates and assets ship inside the program;
/// nothing is fetched from elsewhere and nothing is built in the browser.
public struct WebSite: Sendable {
    let useCases: UseCases
    /// The templates, one library per language: their texts translated once, when loaded.
    let libraries: [Language: MustacheLibrary]
    let assets: Assets
    let feed: LiveFeed
    /// Thumbnails (PNG), viewer models converted to binary STL, and the walls' thickness per
    /// triangle for the viewer, by model hash.
    let pictures: ModelFileCache
    let previews: ModelFileCache
    let thicknesses: ModelFileCache

    /// Loads the templates and assets shipped with the program.
    public static func load(useCases: UseCases) async throws -> WebSite {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil),
            let assets = Bundle.module.url(forResource: "Assets", withExtension: nil)
        else { throw WebSiteError("The web templates are missing from the program's resources.") }
        if let problem = Catalogue.loadingProblem { throw WebSiteError(problem) }
        return WebSite(
            useCases: useCases, libraries: try TranslatedTemplates.load(directory: templates), assets: try Assets(directory: assets),
            feed: LiveFeed(mes: useCases.mes, lifecycle: useCases.context.lifecycle), pictures: ModelFileCache(maxBytes: 32 << 20),
            previews: ModelFileCache(maxBytes: 256 << 20), thicknesses: ModelFileCache(maxBytes: 64 << 20))
    }

    /// Adds the pages of `surfaces` to `router`: the shop's for `.shop`, the CRM's, the MES's and the
    /// admin pages for `.staff`; sign-in, assets and model files for either.
    public func addRoutes(to router: Router<AtelierRequestContext>, surfaces: Set<ServerRole>) {
        let shop = surfaces.contains(.shop), staff = surfaces.contains(.staff)
        guard shop || staff else { return }
        // Assets need no session: no session lookup for each stylesheet and script.
        assets.addRoutes(to: router.group("assets"))
        let web = router.group()
            .add(middleware: WebErrorMiddleware(site: self))
            .add(middleware: WebSessionMiddleware(accounts: useCases.accounts))
        SessionPages(site: self, signUp: shop).addRoutes(to: web)
        ModelFiles(site: self).addRoutes(to: web.group("files"))
        if shop {
            ShopPages(site: self).addRoutes(to: web)
        } else {
            web.get("/") { _, context in redirect(context.principal.map { home(for: $0.role) } ?? "/sign-in") }
        }
        if staff {
            CRMPages(site: self).addRoutes(to: web.group("crm"))
            MESPages(site: self).addRoutes(to: web.group("mes"))
            AdminPages(site: self).addRoutes(to: web.group("admin"))
        }
        // Any other address a browser opens gets a page that says so, with the person's menu
        // (an API path still answers problem+json: see WebErrorMiddleware).
        web.get("**") { request, _ -> Response in
            throw DomainError.notFound("There is no page at \(request.uri.path.prefix(200)).")
        }
    }
}

struct WebSiteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: Rendering

extension WebSite {
    /// A page: `template` with `model`, inside the layout with the navigation of the signed-in user.
    func page<Model: PageModel>(
        _ template: String, _ model: Model, title: Phrase, request: Request, context: some PrincipalContext,
        status: HTTPResponse.Status = .ok, error: Phrase? = nil
    ) -> Response {
        var model = model
        model.chrome = chrome(title: title, request: request, principal: context.signedIn, error: error)
        var response = html(render(model, template) ?? "The page \(template) is missing.", status: status)
        if request.cookies[Flash.cookie] != nil { response.setCookie(Flash.clear) }
        return response
    }

    /// A fragment without the layout (live updates replace part of a page with it).
    func fragment(_ template: String, _ model: Any) -> Response {
        html(render(model, template) ?? "", status: .ok)
    }

    /// `template` with `model`, in the language of the person being answered.
    private func render(_ model: Any, _ template: String) -> String? {
        (libraries[Addressee.current.language] ?? libraries[.english])?.render(model, withTemplate: template)
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func chrome(title: Phrase, request: Request, principal: Principal?, error: Phrase?) -> Chrome {
        let audience = Addressee.current
        return Chrome(
            title: audience.text(title), nav: navigation(for: principal?.role, path: request.uri.path),
            user: principal.map {
                Chrome.User(name: $0.name, role: audience.text(Views.roleLabels[$0.role] ?? Phrase(verbatim: $0.role.rawValue)))
            },
            flash: Flash.read(request), error: error.map(audience.text), language: audience.language.rawValue,
            languages: Language.allCases.map {
                Chrome.LanguageChoice(code: $0.rawValue, name: $0.name, current: $0 == audience.language, next: request.uri.description)
            })
    }

    private func navigation(for role: Role?, path: String) -> [Chrome.Link] {
        var links: [(String, Phrase)]
        switch role {
        case nil: links = [("/", "Catalog"), ("/design", "Design your own"), ("/constructor", "Constructor")]
        case .customer?:
            links = [("/", "Catalog"), ("/design", "Design your own"), ("/constructor", "Constructor"), ("/orders", "My orders")]
        case .seller?:
            links = [("/crm", "Orders"), ("/crm/customers", "Customers"), ("/crm/partners", "Partners"), ("/crm/stalled", "Stalled")]
        case .operator?: links = [("/mes", "Dashboard"), ("/mes/my", "My work")]
        case .admin?:
            links = [
                ("/crm", "Orders"), ("/crm/partners", "Partners"), ("/crm/stalled", "Stalled"), ("/mes", "MES"),
                ("/admin", "Users"), ("/admin/materials", "Materials"), ("/admin/flags", "Flags"),
            ]
        default: links = []
        }
        // One item is current: the longest that leads to this page (`/crm/customers` is
        // Customers, not Orders as well).
        let matches = links.map(\.0).filter { href in href == "/" ? path == "/" : path == href || path.hasPrefix(href + "/") }
        let current = matches.max { $0.count < $1.count }
        return links.map { href, label in Chrome.Link(href: href, label: label.localized, current: href == current) }
    }

    /// A 303 to `location`, with a message shown once on the next page.
    func redirect(_ location: String, flash: Phrase? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let flash { response.setCookie(Flash.cookie(flash.localized)) }
        return response
    }
}

/// A message that survives one redirect, in a short-lived cookie.
enum Flash {
    static let cookie = "atelier_flash"
    static let clear = Cookie(name: cookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax)

    static func cookie(_ message: String) -> Cookie {
        Cookie(name: cookie, value: Data(message.utf8).base64EncodedString(), maxAge: 60, path: "/", httpOnly: true, sameSite: .lax)
    }

    static func read(_ request: Request) -> String? {
        guard let value = request.cookies[cookie]?.value, !value.isEmpty, let data = Data(base64Encoded: value) else { return nil }
        return String(decoding: data.prefix(500), as: UTF8.self)
    }
}

/// The templates as each language says them. A template marks what it says as
/// `{{#t}}English text{{/t}}`; for each language the mark is replaced by the catalogue's text
/// (white space collapsed; the English one where the catalogue has none) before the template is
/// parsed, so a page costs the same in every language. A translation may hold the same tags as its
/// English text (`{{#t}}Order {{short}}{{/t}}`): they are filled from the page as usual, escaped.
enum TranslatedTemplates {
    static func load(directory: URL) throws -> [Language: MustacheLibrary] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }
        let sources = try names.map {
            ($0.dropLast(".mustache".count), try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8))
        }
        var libraries: [Language: MustacheLibrary] = [:]
        for language in Language.allCases {
            let catalogue = Catalogue.for(language)
            var templates: [String: MustacheTemplate] = [:]
            for (name, source) in sources {
                do {
                    templates[String(name)] = try MustacheTemplate(string: translated(source, catalogue))
                } catch {
                    throw WebSiteError("The template \(name) (\(language.rawValue)) does not parse: \(error)")
                }
            }
            libraries[language] = MustacheLibrary(templates: templates)
        }
        return libraries
    }

    /// `source` with each `{{#t}}…{{/t}}` replaced by its text in `catalogue`'s language.
    static func translated(_ source: String, _ catalogue: Catalogue) -> String {
        var result = ""
        var rest = source[...]
        while let open = rest.range(of: "{{#t}}"), let close = rest[open.upperBound...].range(of: "{{/t}}") {
            result += rest[..<open.lowerBound]
            result += catalogue.translate(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        result += rest
        return result
    }
}
