import ArgumentParser
import AtelierDomain
import AtelierServices
import Foundation

/// `atelier migrate`: create or upgrade the schema, then exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema in ATELIER_DATA.")

    func run() async throws {
        let environment = try await Environment.open()
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
