import ArgumentParser
import AtelierServices
import AtelierStorage
import Foundation

/// `atelier backup FILE`: a consistent copy of the embedded database, made while it serves.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database in ATELIER_DATA to FILE while Atelier serves (for PostgreSQL, see docs/operations.md).")

    @Argument(help: "The file to write; it must not exist yet.")
    var file: String

    func run() async throws {
        let configuration = try Self.embedded("back up")
        let started = ContinuousClock.now
        let summary: SQLiteBackup.Summary
        do {
            summary = try SQLiteBackup.backup(databasePath: configuration.databasePath, to: file)
        } catch {
            throw CommandFailure("\(error)")
        }
        let seconds = (ContinuousClock.now - started).formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))
        print(
            "Backed up \(configuration.databasePath) to \(file): \(summary.orders) orders, \(Self.megabytes(summary.bytes)), schema \(summary.schemaVersion), in \(seconds)."
        )
    }

    /// The settings, when they name the embedded database; a PostgreSQL URL is refused with where to look.
    static func embedded(_ what: String) throws -> AtelierConfiguration {
        let configuration: AtelierConfiguration
        do { configuration = try AtelierConfiguration.fromEnvironment() } catch { throw CommandFailure("\(error)") }
        guard configuration.databaseURL == nil else {
            throw CommandFailure(
                "ATELIER_DATABASE_URL is set: PostgreSQL is backed up and restored with pgBackRest (docs/operations.md), not with atelier \(what)."
            )
        }
        return configuration
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}

/// `atelier restore FILE`: puts a backup in place of the embedded database, which must not be in use.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the SQLite database in ATELIER_DATA with the backup FILE; refuses while Atelier runs on it.")

    @Argument(help: "A file written by atelier backup.")
    var file: String

    func run() async throws {
        let configuration = try Backup.embedded("restore")
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let (summary, previous) = try SQLiteBackup.restore(from: file, to: configuration.databasePath)
            print("Restored \(file) into \(configuration.databasePath): \(summary.orders) orders, schema \(summary.schemaVersion).")
            if let previous { print("The database it replaced is kept at \(previous).") }
            print("The next start migrates it to this version if it is older.")
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
