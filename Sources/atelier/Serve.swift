import ArgumentParser
import AtelierHTTP
import AtelierJobs
import AtelierServices
import AtelierStorage
import Foundation
import Hummingbird

/// `atelier serve`: the whole system in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Atelier: the HTTP APIs and the pricing worker, on SQLite in ATELIER_DATA.",
        discussion: "Settings (environment variables):\n"
            + AtelierConfiguration.documentation.map { "  \($0.variable.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.meaning)" }
            .joined(separator: "\n")
    )

    @Option(help: "Port of the internal APIs (overrides ATELIER_PORT).")
    var port: Int?

    @Option(help: "Address to listen on (overrides ATELIER_HOST).")
    var host: String?

    func run() async throws {
        let environment = try await Environment.open()
        var configuration = environment.configuration
        if let port { configuration.port = port }
        if let host { configuration.host = host }
        let useCases = environment.useCases

        if configuration.loadDemoData, try await DemoData(context: useCases.context).load() {
            environment.logger.info("demo data loaded")
        }
        let (carrierSecret, secretFile) = try Self.carrierSecret(configuration)

        var jobs = JobRunnerConfiguration()
        jobs.lease = .milliseconds(Int64(configuration.jobLeaseSeconds * 1000))
        jobs.baseBackoff = .milliseconds(Int64(configuration.jobBaseBackoffSeconds * 1000))
        jobs.concurrency = configuration.workerConcurrency
        jobs.drillDelay = .milliseconds(configuration.drillJobDelayMS)
        let pricingWorker = JobRunner(
            store: environment.store, handlers: [useCases.pricing.handler], configuration: jobs, logger: environment.logger)

        let demo = configuration.loadDemoData
        let host = configuration.host
        let databasePath = configuration.databasePath
        let secret = carrierSecret
        let app = buildApplication(
            useCases: useCases, carrierSecret: secret, host: host, port: configuration.port,
            services: [pricingWorker], logger: environment.logger,
            onServerRunning: { port in
                var lines = [
                    "Atelier is running on http://\(host):\(port)",
                    "  shop API     http://\(host):\(port)/api/shop/catalog",
                    "  CRM API      http://\(host):\(port)/api/crm/orders",
                    "  MES API      http://\(host):\(port)/api/mes/dashboard",
                    "  health       http://\(host):\(port)/health/ready",
                    "  data         \(databasePath)",
                ]
                if demo {
                    lines.append("Demo logins (password: ATELIER_DEMO_PASSWORD, see the README):")
                    lines += DemoData.users.map { "  \($0.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.email)" }
                }
                if let secretFile {
                    lines.append("Carrier secret: in \(secretFile) (or set ATELIER_CARRIER_SECRET)")
                }
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            })
        try await app.runService()
    }

    /// The configured carrier secret, or one generated once and kept in the data folder (mode 0600).
    static func carrierSecret(_ configuration: AtelierConfiguration) throws -> (String, String?) {
        if !configuration.carrierSecret.isEmpty { return (configuration.carrierSecret, nil) }
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
