import AtelierApp
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import AtelierVersion
import Foundation
import Logging

/// Opens what every command needs: configuration, logging, the migrated store and the use cases.
struct Environment {
    let configuration: AtelierConfiguration
    /// The program, put together (the same composition the tests use).
    let composition: Composition
    var store: any Store { composition.store }
    var useCases: UseCases { composition.useCases }
    let logger: Logger
    /// The PostgreSQL pool's background task, when the store is PostgreSQL.
    private let storeTask: Task<Void, Never>?

    /// `adjust` changes the settings before anything is opened (a command's own options); `announce`
    /// logs the build and the roles as the first line, before waiting for the database. `models`:
    /// whether the command works on model files (the model store is opened and checked, and the
    /// uploads folder prepared); one that does not (migrations, the job queue) never waits on it.
    static func open(
        bootstrapLogging: Bool = true, announce: Bool = false, models: Bool = true,
        adjust: (inout AtelierConfiguration) throws -> Void = { _ in }
    ) async throws -> Environment {
        var configuration: AtelierConfiguration
        do {
            configuration = try AtelierConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            throw CommandFailure(error.description)
        }
        configuration.build = BuildInfo.stamped.named(configuration.versionName)
        try adjust(&configuration)
        if bootstrapLogging { Telemetry.bootstrapLogging(level: configuration.logLevel) }
        let logger = Logger(label: "atelier")
        if announce {
            logger.info(
                "Atelier \(configuration.build.version) starting",
                metadata: [
                    "version": "\(configuration.build.version)", "commit": "\(configuration.build.commit)",
                    "roles": "\(ServerRole.expand(configuration.roles).map(\.rawValue).sorted().joined(separator: ","))",
                ])
            if configuration.faultOrderReadErrors > 0 {
                logger.warning(
                    "A release drill is on: \(configuration.faultOrderReadErrors * 100) % of order reads fail on purpose (ATELIER_FAULT_ORDER_READ_ERRORS)"
                )
            }
        }
        let (store, task) = try await openStore(configuration, logger: logger)
        var modelStore: (any ModelStore)?
        if models {
            do {
                modelStore = try await ModelStores.open(configuration, environment: ProcessInfo.processInfo.environment)
                try ModelUploads(folder: configuration.uploadsFolder).prepare()
            } catch {
                task?.cancel()
                throw CommandFailure("The model store (\(ModelStores.describe(configuration))) cannot be used: \(error)")
            }
            logger.info("model store ready", metadata: ["store": "\(ModelStores.describe(configuration))"])
        }
        return Environment(
            configuration: configuration,
            composition: Composition(store: store, configuration: configuration, logger: logger, models: modelStore),
            logger: logger, storeTask: task)
    }

    /// SQLite in the data folder, or PostgreSQL when `ATELIER_DATABASE_URL` is set; migrated either way.
    private static func openStore(_ configuration: AtelierConfiguration, logger: Logger) async throws -> (any Store, Task<Void, Never>?) {
        guard let url = configuration.databaseURL else {
            do {
                // The owner's only: the database, the carrier secret and the models are inside.
                try FileManager.default.createDirectory(
                    atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CommandFailure("Cannot create the data folder \(configuration.dataDirectory): \(error.localizedDescription)")
            }
            let store = try SQLiteStore(path: configuration.databasePath)
            try await store.migrate()
            return (store, nil)
        }
        let store: PostgresStore
        do {
            var limits = PostgresStore.SessionLimits()
            limits.lockTimeout = .milliseconds(Int64(configuration.databaseLockTimeoutSeconds * 1000))
            limits.statementTimeout = .milliseconds(Int64(configuration.databaseTimeoutSeconds * 1000))
            limits.idleInTransactionTimeout = .milliseconds(Int64(configuration.databaseIdleInTransactionSeconds * 1000))
            store = try PostgresStore(
                url: url.value, maxConnections: configuration.databasePoolSize,
                timeout: .milliseconds(Int64(configuration.databaseTimeoutSeconds * 1000)), limits: limits, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        let task = Task { await store.run() }
        await Task.yield()  // let the pool start before the first lease
        // Instances may start before the database: wait for it (a minute at most), then migrate.
        // A server that refuses this instance (password, database, TLS) is not waited for.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                let encrypted = try await store.probe()
                logger.info("connected to PostgreSQL", metadata: ["tls": "\(encrypted)"])
                break
            } catch let error as StorageError where error.isRefusal {
                task.cancel()
                throw CommandFailure("\(error)")
            } catch {
                guard ContinuousClock.now < deadline else {
                    task.cancel()
                    throw CommandFailure("PostgreSQL did not answer for a minute: \(error)")
                }
                logger.warning("waiting for PostgreSQL", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
        try await store.migrate()
        return (store, task)
    }

    /// Stops the database pool.
    func close() async {
        storeTask?.cancel()
        await storeTask?.value
    }
}

extension BuildInfo {
    /// What the build stamped into this program.
    static var stamped: BuildInfo { BuildInfo(version: Stamp.version, commit: Stamp.commit) }
}

/// A command failed in a way a person can fix: printed as is, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
