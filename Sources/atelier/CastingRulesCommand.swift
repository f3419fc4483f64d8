import ArgumentParser
import AtelierDomain
import AtelierServices
import Foundation

/// `atelier casting-rules`: what each alloy needs to be cast, for admins at the command line (the
/// materials page changes one alloy at a time too).
struct CastingRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "casting-rules", abstract: "Show the casting rules, change one alloy's, or load a whole new set from a JSON file.",
        subcommands: [Show.self, Set.self, Load.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the newest casting rules as JSON (the format `load` reads).")

        func run() async throws {
            let rules = try await Prices.run { try await $0.admin.castingRules() }
            print(String(decoding: try Prices.encoder.encode(rules), as: UTF8.self))
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or change one alloy's casting rule, as the next version of the rules.",
            discussion: "Orders priced from now on are checked against it; a stored report keeps the version it was checked with.")
        @Argument(help: "The material code of the alloy, as in the price list (e.g. gold-585).") var material: String
        @Option(help: "The thinnest wall after polishing, mm.") var wall: Double
        @Option(help: "The thinnest fine detail (a prong, a bead) after polishing, mm.") var detail: Double
        @Option(help: "What polishing takes off each surface, mm.") var polishing: Double
        @Option(help: "The largest thin region that counts as a detail rather than a wall, mm².")
        var detailArea: Double = CastingRule.defaultDetailAreaMM2

        func run() async throws {
            let rule = CastingRule(
                materialCode: material, minimumWallMM: wall, minimumDetailMM: detail, polishingAllowanceMM: polishing,
                detailAreaMM2: detailArea)
            let rules = try await Prices.run { try await $0.admin.upsert(castingRule: rule) }
            print(
                "Casting rules version \(rules.version): \(material) needs walls of \(rule.requiredWallMM) mm and details of \(rule.requiredDetailMM) mm before polishing."
            )
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a whole set of casting rules from a JSON file as the next version.",
            discussion: "The file is what `atelier casting-rules show` prints; its version is replaced by the next one.")
        @Argument(help: "The casting rules, as JSON.") var file: String

        func run() async throws {
            let rules = try Prices.decode(CastingRules.self, file: file, what: "a set of casting rules")
            let saved = try await Prices.run { try await $0.admin.load(castingRules: rules) }
            print("Loaded casting rules version \(saved.version): \(saved.rules.map(\.materialCode).joined(separator: ", ")).")
        }
    }
}
