import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// Builds the partner API's router: its own in-flight limit, the key and rate-limit gate, the
/// operations generated from `openapi.yaml`, and the contract itself at `/openapi.yaml` and `/docs`.
/// No internal route is on it.
public func buildPartnerRouter(useCases: UseCases) throws -> Router<AtelierRequestContext> {
    let configuration = useCases.context.configuration
    let contract = try Contract.load()
    let router = Router(context: AtelierRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: LanguageMiddleware())
    router.add(middleware: InFlightLimitMiddleware(limit: configuration.partnerMaxInFlight))
    router.add(middleware: RequestMetricsMiddleware(version: useCases.context.configuration.version))
    router.add(middleware: TracingMiddleware())
    router.add(middleware: TraceparentMiddleware())
    router.add(middleware: ProblemMiddleware())
    // The stream itself is limited: a JSON body to 1 MiB, a model to the partner body limit.
    let maxBodyBytes = configuration.partnerMaxBodyBytes
    router.add(
        middleware: BodyLimitMiddleware { request in
            request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
                ? BodyLimit(maxBytes: min(1 << 20, maxBodyBytes)) : BodyLimit(maxBytes: maxBodyBytes)
        })
    router.add(
        middleware: PartnerGateMiddleware(
            partners: useCases.partners, limiter: RateLimiter(), maxBodyBytes: configuration.partnerMaxBodyBytes, contract: contract))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: PartnerErrorMiddleware())

    router.get("openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: contract.yaml)))
    }
    let docs: @Sendable (Request, AtelierRequestContext) async throws -> Response = { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: contract.html)))
    }
    router.get("docs", use: docs)
    router.get("/", use: docs)
    router.get("health/live") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    // For the load balancer in front of the partner instances: the database answers.
    let health = useCases.health
    router.get("health/ready") { _, _ in
        guard await health.databaseAnswers() else {
            throw Problem(status: .serviceUnavailable, type: "unavailable", detail: "The database does not answer; retry shortly.")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    // A model is bounded by the model limit every upload route has, and by the partner body limit.
    let api = PartnerAPI(
        partners: useCases.partners, webhooks: useCases.webhooks,
        models: ModelBodyReader(maxBytes: min(maxBodyBytes, configuration.maxModelBytes), uploads: useCases.context.uploads))
    try api.registerHandlers(on: router)
    return router
}

/// The partner API's HTTP server, on its own port.
public func buildPartnerApplication(
    useCases: UseCases, host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    Application(
        router: try buildPartnerRouter(useCases: useCases),
        server: .http1(configuration: .init(idleTimeout: serverIdleTimeout)),
        configuration: .init(address: .hostname(host, port: port), serverName: "Atelier-Partner"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger
    )
}
