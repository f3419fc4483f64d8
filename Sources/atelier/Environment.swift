import AtelierDomain
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import Foundation
import Logging

/// Opens what every command needs: configuration, logging, the migrated store and the use cases.
struct Environment {
    let configuration: AtelierConfiguration
    let store: SQLiteStore
    let useCases: UseCases
    let logger: Logger

    static func open(bootstrapLogging: Bool = true) async throws -> Environment {
        let configuration: AtelierConfiguration
        do {
            configuration = try AtelierConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            throw CommandFailure(error.description)
        }
        if bootstrapLogging { Telemetry.bootstrapLogging(level: configuration.logLevel) }
        let logger = Logger(label: "atelier")
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("Cannot create the data folder \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        let store = try SQLiteStore(path: configuration.databasePath)
        try await store.migrate()
        let context = ServiceContext(store: store, configuration: configuration, logger: logger)
        return Environment(configuration: configuration, store: store, useCases: UseCases(context: context), logger: logger)
    }
}

/// A command failed in a way a person can fix: printed as is, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
