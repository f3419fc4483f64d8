import ArgumentParser
import AtelierDomain
import AtelierServices
import AtelierStorage
import Foundation

/// `atelier migrate`: create or upgrade the schema, then exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema in ATELIER_DATA.")

    @Option(
        name: .customLong("print-postgres"),
        help: "Write each migration as PostgreSQL runs it into this folder (NNN-name.sql), touching no database.")
    var printPostgres: String?

    func run() async throws {
        if let folder = printPostgres {
            let url = URL(fileURLWithPath: folder)
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                for (version, statements) in Schema.postgresScripts() {
                    let text = statements.map { ($0.hasSuffix(";") ? $0 : $0 + ";") + "\n" }.joined(separator: "\n")
                    try Data(text.utf8).write(to: url.appendingPathComponent("\(version).sql"))
                }
            } catch {
                throw CommandFailure("Cannot write the migrations into \(folder): \(error.localizedDescription)")
            }
            print("Wrote \(Schema.postgresScripts().count) migrations into \(folder).")
            return
        }
        let environment = try await Environment.open(models: false)
        print("The database \(environment.configuration.databasePath) is up to date.")
    }
}

/// `atelier demo`: load the demo price list, catalog and users.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo catalog, materials and one user per role.")

    func run() async throws {
        let environment = try await Environment.open()
        let loaded = try await DemoData(context: environment.useCases.context).load()
        print(loaded ? "Demo data loaded into \(environment.configuration.databasePath)." : "Demo data was already there.")
        for user in DemoData.users {
            print("  \(user.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(user.email)")
        }
    }
}
