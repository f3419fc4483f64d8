import ArgumentParser
import AtelierBench
import AtelierVersion

/// The `atelier` program: one executable, many shapes.
@main
struct Atelier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier",
        abstract: "Alexandrite's order-to-manufacturing platform.",
        version: "atelier \(Stamp.version) (commit \(Stamp.commit))",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, Quote.self, Jobs.self, Partners.self, Prices.self, CastingRulesCommand.self, Flags.self,
            Models.self, Backup.self,
            Restore.self, Bench.self,
        ],
        defaultSubcommand: Serve.self
    )
}
