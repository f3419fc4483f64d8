import ArgumentParser
import AtelierServices
import Foundation

/// `atelier models`: the model store's upkeep (docs/operations.md, "Model files").
struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move models from the database into the model store, verify the store, remove unreferenced models.",
        subcommands: [Migrate.self, Verify.self, Collect.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the models kept in the database into ATELIER_MODEL_STORE; resumable, safe while Atelier serves.")
        @Flag(help: "Print nothing per model.") var quiet = false

        func run() async throws {
            let environment = try await Environment.open()
            let quiet = quiet
            let report = try await environment.useCases.modelMaintenance.migrate { hash, size in
                if !quiet { print("moved \(hash) (\(size) bytes)") }
            }
            await environment.close()
            print("Moved \(report.moved) models into the model store; the database keeps no other copy of them.")
            guard report.corrupt.isEmpty else {
                throw CommandFailure(
                    "\(report.corrupt.count) models in the database do not match their hash and were left there: "
                        + report.corrupt.joined(separator: ", "))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every model in the store and report missing or corrupt ones (exit 1 if any).")

        func run() async throws {
            let environment = try await Environment.open()
            let report = try await environment.useCases.modelMaintenance.verify()
            await environment.close()
            print("Checked \(report.checked) models (\(report.checkedBytes) bytes).")
            if report.inDatabase > 0 { print("\(report.inDatabase) models are still in the database: run `atelier models migrate`.") }
            if report.unreferenced > 0 {
                print("\(report.unreferenced) models are referred to by no order (`atelier models gc` removes them).")
            }
            for hash in report.missing { print("MISSING  \(hash)") }
            for hash in report.corrupt { print("CORRUPT  \(hash)") }
            guard report.healthy else {
                throw CommandFailure("\(report.missing.count) missing and \(report.corrupt.count) corrupt models.")
            }
        }
    }

    struct Collect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc", abstract: "Remove the models no order or catalog piece refers to, once they are older than the grace period."
        )
        @Option(help: "Keep unreferenced models put less than this many hours ago (at least 1).") var graceHours: Double = 24
        @Flag(help: "Only list what would be removed.") var dryRun = false

        func validate() throws {
            guard graceHours >= 1, graceHours <= 24 * 365 else {
                throw ValidationError("--grace-hours must be between 1 and 8760: an upload puts its model before its order refers to it.")
            }
        }

        func run() async throws {
            let environment = try await Environment.open()
            let report = try await environment.useCases.modelMaintenance.collect(
                grace: .milliseconds(Int64(graceHours * 3_600_000)), dryRun: dryRun)
            await environment.close()
            for hash in report.removed { print("\(dryRun ? "would remove" : "removed") \(hash)") }
            print(
                "\(dryRun ? "Would remove" : "Removed") \(report.removed.count) unreferenced models (\(report.removedBytes) bytes); kept \(report.young) younger than \(graceHours) h."
            )
        }
    }
}
