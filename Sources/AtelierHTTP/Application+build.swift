import AtelierServices
import AtelierTelemetry
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the router of the internal APIs: health always; shop, and the staff surfaces (CRM, MES,
/// carrier, admin), as `surfaces` asks. `pages` adds more routes behind the same middleware (the
/// web pages, which live in a module of their own).
public func buildRouter(
    useCases: UseCases, carrierSecret: String, surfaces: Set<ServerRole> = [.shop, .staff], maxInFlight: Int = 256,
    pages: (Router<AtelierRequestContext>) -> Void = { _ in }
) -> Router<AtelierRequestContext> {
    let router = Router(context: AtelierRequestContext.self)
    router.add(middleware: TrustedProxiesMiddleware(useCases.context.configuration.trustedProxies))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: LanguageMiddleware())
    router.add(middleware: InFlightLimitMiddleware(limit: maxInFlight))
    router.add(middleware: RequestMetricsMiddleware(version: useCases.context.configuration.version))
    router.add(middleware: TracingMiddleware())
    router.add(middleware: TraceparentMiddleware())
    router.add(middleware: ProblemMiddleware())
    let routes = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(routes: routes))
    // A model upload (multipart adds a little) is the largest body; JSON and forms are far smaller.
    let maxModelBytes = useCases.context.configuration.maxModelBytes
    router.add(middleware: BodyLimitMiddleware { request in internalBodyLimit(request, maxModelBytes: maxModelBytes) })
    router.add(middleware: AuthenticationMiddleware(accounts: useCases.accounts))
    router.add(middleware: RequestLogMiddleware())

    HealthController(health: useCases.health).addRoutes(to: router.group("health"))
    if surfaces.contains(.shop) || surfaces.contains(.staff) {
        router.get("api/openapi.yaml", use: InternalContract.serve)
        AuthController(accounts: useCases.accounts).addRoutes(to: router.group("api/auth"))
    }
    if surfaces.contains(.shop) {
        ShopController(shop: useCases.shop, models: ModelBodyReader(maxBytes: maxModelBytes, uploads: useCases.context.uploads)).addRoutes(
            to: router.group("api/shop"))
    }
    if surfaces.contains(.staff) {
        CRMController(crm: useCases.crm, watchdog: useCases.watchdog).addRoutes(to: router.group("api/crm"))
        PartnersController(partners: useCases.partners, webhooks: useCases.webhooks).addRoutes(to: router.group("api/crm"))
        MESController(mes: useCases.mes).addRoutes(to: router.group("api/mes"))
        CarrierController(carrier: useCases.carrier, secret: carrierSecret).addRoutes(to: router.group("api/carrier"))
        AdminController(admin: useCases.admin, accounts: useCases.accounts).addRoutes(to: router.group("api/admin"))
        FlagsController(flags: useCases.flagAdmin).addRoutes(to: router.group("api/admin"))
    }
    pages(router)
    routes.load(router)
    return router
}

/// The largest body of a request to the internal APIs and pages: 1 MiB for JSON and forms, a
/// model for anything else (with room for the boundaries of a multipart form).
func internalBodyLimit(_ request: Request, maxModelBytes: Int) -> BodyLimit {
    let type = request.headers[.contentType]?.lowercased() ?? ""
    if type.hasPrefix("application/json") || type.hasPrefix("application/x-www-form-urlencoded") { return BodyLimit(maxBytes: 1 << 20) }
    if type.hasPrefix("multipart/form-data") { return BodyLimit(maxBytes: maxModelBytes + 64 * 1024, what: "The form with its model file") }
    return BodyLimit(maxBytes: maxModelBytes, what: "The model file")
}

/// The whole program in one process: the HTTP server plus `services` (job workers), in one service group.
public func buildApplication(
    useCases: UseCases, carrierSecret: String, surfaces: Set<ServerRole> = [.shop, .staff], maxInFlight: Int = 256,
    host: String, port: Int, services: [any Service], logger: Logger, pages: (Router<AtelierRequestContext>) -> Void = { _ in },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(useCases: useCases, carrierSecret: carrierSecret, surfaces: surfaces, maxInFlight: maxInFlight, pages: pages),
        server: .http1(configuration: .init(idleTimeout: serverIdleTimeout)),
        configuration: .init(address: .hostname(host, port: port), serverName: "Atelier"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
}

/// Liveness and readiness: `/health`.
struct HealthController {
    let health: HealthService

    struct Health: ResponseEncodable {
        var status: String
        var detail: String?
        var version: String
        var commit: String
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("live", use: live)
            .get("ready", use: ready)
    }

    /// The process answers.
    @Sendable func live(_ request: Request, context: AtelierRequestContext) async throws -> Health { answer("ok") }

    /// The process can serve: its database answers.
    @Sendable func ready(_ request: Request, context: AtelierRequestContext) async throws -> EditedResponse<Health> {
        guard !health.draining else {
            return EditedResponse(
                status: .serviceUnavailable, headers: [.retryAfter: "1"],
                response: answer("draining", reason: "the instance is shutting down; send requests elsewhere"))
        }
        guard await health.databaseAnswers() else {
            return EditedResponse(
                status: .serviceUnavailable, headers: [.retryAfter: "1"],
                response: answer("unavailable", reason: "the database does not answer"))
        }
        return EditedResponse(status: .ok, response: answer("ok"))
    }

    private func answer(_ status: String, reason: String? = nil) -> Health {
        Health(status: status, detail: reason, version: health.build.version, commit: health.build.commit)
    }
}

/// The contract of the shop's, the CRM's and the MES's API (`Resources/openapi.yaml`), served at
/// `/api/openapi.yaml`; the test command checks the live API against it with schemathesis.
enum InternalContract {
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "" }
        return text
    }()

    @Sendable static func serve(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        guard !yaml.isEmpty else { throw Problem(status: .notFound, type: "not-found", detail: "This build has no API contract.") }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: yaml)))
    }
}
