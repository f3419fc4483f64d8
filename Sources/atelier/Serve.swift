import ArgumentParser
import AtelierApp
import AtelierDomain
import AtelierHTTP
import AtelierJobs
import AtelierPartnerAPI
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import AtelierWeb
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `atelier serve`: the whole system in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Atelier: the HTTP APIs and the pricing worker, on SQLite in ATELIER_DATA.",
        discussion: "Settings (environment variables):\n" + settingsHelp
    )

    /// One line per setting, every name whole: the column is as wide as the longest name.
    static var settingsHelp: String {
        let width = AtelierConfiguration.documentation.map(\.variable.count).max() ?? 0
        return AtelierConfiguration.documentation.map {
            "  \($0.variable.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.meaning)"
        }.joined(separator: "\n")
    }

    @Option(help: "Port of the internal APIs (overrides ATELIER_PORT).")
    var port: Int?

    @Option(help: "Port of the partner API (overrides ATELIER_PARTNER_PORT).")
    var partnerPort: Int?

    @Option(help: "Address to listen on (overrides ATELIER_HOST).")
    var host: String?

    @Option(
        name: .customLong("role"),
        help: "What this instance runs: shop, staff, partner, pricing, watchdog or all; repeatable (overrides ATELIER_ROLES).")
    var roles: [String] = []

    func run() async throws {
        let metrics = Telemetry.bootstrapMetrics()
        let environment = try await Environment.open(announce: true) { settings in
            if let port = self.port { settings.port = port }
            if let host = self.host { settings.host = host }
            if let partnerPort = self.partnerPort { settings.partnerPort = partnerPort }
            if !self.roles.isEmpty {
                do { settings.roles = try ServerRole.parse(self.roles) } catch { throw CommandFailure("\(error)") }
            }
        }
        var telemetryServices: [any Service] = []
        if let endpoint = environment.configuration.otlpEndpoint {
            do {
                telemetryServices.append(try Telemetry.bootstrapTracing(endpoint: endpoint))
            } catch {
                throw CommandFailure("Cannot send traces to ATELIER_OTLP_ENDPOINT \(endpoint): \(error)")
            }
        }
        let configuration = environment.configuration
        let running = ServerRole.expand(configuration.roles)
        Telemetry.publish(build: configuration.build, roles: configuration.roles.map(\.rawValue))
        let useCases = environment.useCases

        if configuration.loadDemoData, try await DemoData(context: useCases.context).load() {
            environment.logger.info("demo data loaded")
            if !configuration.listensOnLoopbackOnly {
                environment.logger.warning(
                    "demo users with the published password were loaded on an instance reachable from other machines (ATELIER_DEMO=1)")
            }
        }
        // Only the staff surfaces hold the carrier endpoint; other roles need no secret (nor a writable data folder).
        let (carrierSecret, secretFile) = running.contains(.staff) ? try Self.carrierSecret(configuration) : ("", nil)

        let composition = environment.composition
        await composition.loadFlags()
        var workers: [any Service] = [composition.flagWatcher()]
        if running.contains(.pricing) { workers += [composition.pricingWorker(), composition.mailWorker()] }
        var partnerServices: [any Service] = []
        if running.contains(.partner) {
            workers.append(composition.webhookWorker())
            let partnerHost = configuration.host
            do {
                partnerServices.append(
                    try composition.partnerApplication(
                        host: partnerHost, port: configuration.partnerPort,
                        onServerRunning: { port in
                            FileHandle.standardOutput.write(
                                Data("  partner API  http://\(partnerHost):\(port)/v1 (docs: http://\(partnerHost):\(port)/docs)\n".utf8))
                        }))
            } catch {
                throw CommandFailure("Cannot start the partner API: \(error)")
            }
        }
        if running.contains(.watchdog) {
            workers.append(
                WatchdogRunner(
                    watchdog: useCases.watchdog, interval: .milliseconds(Int64(configuration.watchdogIntervalSeconds * 1000)),
                    logger: environment.logger))
        }

        let demo = configuration.loadDemoData
        let host = configuration.host
        let databasePath = configuration.databaseURL == nil ? configuration.databasePath : "PostgreSQL (ATELIER_DATABASE_URL)"
        let secret = carrierSecret
        let site: WebSite
        do { site = try await WebSite.load(useCases: useCases) } catch { throw CommandFailure("Cannot load the web pages: \(error)") }
        let app = composition.application(
            carrierSecret: secret, surfaces: running, host: host, port: configuration.port,
            pages: { site.addRoutes(to: $0, surfaces: running) },
            onServerRunning: { port in
                var lines = ["Atelier is running on http://\(host):\(port) (\(running.map(\.rawValue).sorted().joined(separator: ", ")))"]
                if running.contains(.shop) {
                    lines.append("  shop         http://\(host):\(port)/ (API: /api/shop/catalog)")
                }
                if running.contains(.staff) {
                    lines.append("  CRM          http://\(host):\(port)/crm (API: /api/crm/orders)")
                    lines.append("  MES          http://\(host):\(port)/mes (API: /api/mes/dashboard)")
                    lines.append("  admin        http://\(host):\(port)/admin")
                }
                lines.append("  health       http://\(host):\(port)/health/ready")
                lines.append("  data         \(databasePath)")
                if demo {
                    lines.append("Demo logins (password: ATELIER_DEMO_PASSWORD, see the README):")
                    lines += DemoData.users.map { "  \($0.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.email)" }
                }
                if let secretFile {
                    lines.append("Carrier secret: in \(secretFile) (or set ATELIER_CARRIER_SECRET)")
                }
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            })
        let ops = buildOpsApplication(
            health: useCases.health, metricsText: { metrics.emitToBuffer() }, host: host, port: configuration.opsPort,
            logger: environment.logger,
            onServerRunning: { port in
                FileHandle.standardOutput.write(Data("  metrics      http://\(host):\(port)/metrics (ops listener)\n".utf8))
            })
        let group = ServiceGroup(
            configuration: .init(
                // A group stops its services in reverse order: the drain first (readiness says no
                // while everything still runs), then the workers, the listeners, the telemetry.
                services: (telemetryServices + [app, ops] + partnerServices + workers + [composition.drainService()]).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: environment.logger))
        do {
            try await group.run()
        } catch {
            await environment.close()
            throw error
        }
        await environment.close()
    }

    /// The configured carrier secret, or one generated once and kept in the data folder (mode 0600).
    static func carrierSecret(_ configuration: AtelierConfiguration) throws -> (String, String?) {
        if !configuration.carrierSecret.isEmpty { return (configuration.carrierSecret.value, nil) }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("carrier-secret")
        if let data = FileManager.default.contents(atPath: path) {
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if secret.count >= 16 { return (secret, path) }
        }
        let secret = randomToken(bytes: 24)
        guard FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("Cannot write \(path); set ATELIER_CARRIER_SECRET instead.")
        }
        return (secret, path)
    }
}
