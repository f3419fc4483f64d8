import AtelierServices
import HTTPTypes
import Hummingbird
import Logging

/// The operators' listener: `/metrics` (Prometheus text) and health, on a port of its own, never on
/// the public or partner listeners.
public func buildOpsApplication(
    health: HealthService, metricsText: @escaping @Sendable () -> [UInt8], host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: AtelierRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBytes: 64 * 1024))
    HealthController(health: health).addRoutes(to: router.group("health"))
    /// Every metric of this instance, in the Prometheus text format.
    router.get("metrics") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metricsText())))
    }
    return Application(
        router: router, server: .http1(configuration: .init(idleTimeout: serverIdleTimeout)),
        configuration: .init(address: .hostname(host, port: port), serverName: "Atelier ops"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
}
