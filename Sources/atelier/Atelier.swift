import ArgumentParser
import AtelierBench

/// The `atelier` program: one executable, many shapes.
@main
struct Atelier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier",
        abstract: "Alexandrite's order-to-manufacturing platform.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Quote.self, Jobs.self, Partners.self, Prices.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}
