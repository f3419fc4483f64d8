import ArgumentParser
import AtelierDomain
import AtelierServices
import Foundation

/// `atelier flags`: feature flags at the command line, as the admin pages and API have them. Every
/// change is recorded as made by `cli:<user>`; every running instance sees it within a second.
struct Flags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "List, change and report on the feature flags.",
        subcommands: [List.self, Show.self, Set.self, Stale.self])

    /// Who a change from this command line is recorded as: `cli:` and the user running it.
    static var actor: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
        return "cli:\(String(user.prefix(64)))"
    }

    static func line(_ status: FlagStatus) -> String {
        let key = status.definition.key.padding(toLength: 24, withPad: " ", startingAt: 0)
        return "\(key)  \(status.summary)"
    }

    static func state(_ flag: FeatureFlag?) -> String {
        guard let flag else { return "not set" }
        var parts = ["\(flag.summary)"]
        if !flag.alwaysOn.isEmpty { parts.append("always: \(flag.alwaysOn.joined(separator: ","))") }
        if !flag.alwaysOff.isEmpty { parts.append("never: \(flag.alwaysOff.joined(separator: ","))") }
        return parts.joined(separator: "; ")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every flag this version knows, and how it is set.")

        func run() async throws {
            for status in try await Prices.run({ try await $0.flagAdmin.list() }) { print(Flags.line(status)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One flag: what it does, how it is set, and its changes.")
        @Argument(help: "The flag's key (see `atelier flags list`).") var key: String

        func run() async throws {
            let (status, history) = try await Prices.run { useCases in
                (try await useCases.flagAdmin.status(key: key), try await useCases.flagAdmin.history(key: key))
            }
            print("\(status.definition.key): \(status.definition.summary)")
            print("  for       \(status.definition.audience); default \(status.definition.defaultValue ? "on" : "off")")
            print("  now       \(Flags.state(status.flag))")
            for change in history {
                print(
                    "  \(ISO8601DateFormatter().string(from: change.at))  \(change.by): \(Flags.state(change.before)) → \(Flags.state(change.after))"
                )
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a flag: switch it, roll it out to a share, list who always or never gets it.",
            discussion: """
                Examples:
                  atelier flags set pricing-rules-v2 --on --percent 10
                  atelier flags set pricing-rules-v2 --always customer:ID,partner:ID
                  atelier flags set partner-auto-approval --off        (a kill switch: no release needed)
                Targeting keys are customer:ID, partner:ID or staff:ID (the account's id).
                """)
        @Argument(help: "The flag's key (see `atelier flags list`).") var key: String
        @Flag(name: .customLong("on"), help: "Switch it on (to the share of --percent).") var on = false
        @Flag(name: .customLong("off"), help: "Switch it off for everyone.") var off = false
        @Option(help: "The share of targeting keys that get it, 0 to 100 (two decimals at most).") var percent: String?
        @Option(help: "Targeting keys that always get it, comma-separated (replaces the list; \"\" empties it).") var always: String?
        @Option(help: "Targeting keys that never get it, comma-separated (replaces the list; \"\" empties it).") var never: String?

        func validate() throws {
            if on && off { throw ValidationError("Say --on or --off, not both.") }
            if !on && !off && percent == nil && always == nil && never == nil {
                throw ValidationError("Say what to change: --on, --off, --percent, --always or --never.")
            }
            if let percent, FeatureFlag.basisPoints(percent: percent) == nil {
                throw ValidationError("--percent \(percent) is not a percentage from 0 to 100 (two decimals at most).")
            }
        }

        func run() async throws {
            let update = FlagUpdate(
                enabled: on ? true : off ? false : nil, rolloutBasisPoints: percent.flatMap(FeatureFlag.basisPoints(percent:)),
                alwaysOn: always.map(FlagUpdate.list), alwaysOff: never.map(FlagUpdate.list))
            let flag = try await Prices.run { try await $0.flagAdmin.set(key: key, update, by: Flags.actor) }
            print("\(flag.key): \(Flags.state(flag))")
        }
    }

    struct Stale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Flags on or off for everyone for longer than --days: their code can go (exit 0 either way).")
        @Option(help: "Settled for at least this many days (default 30).") var days = 30

        func validate() throws {
            guard (0...3650).contains(days) else { throw ValidationError("--days is a whole number from 0 to 3650.") }
        }

        func run() async throws {
            let report = try await Prices.run { try await $0.flagAdmin.stale(olderThan: days) }
            if report.isEmpty { print("No flag has been on or off for everyone for \(days) days or more.") }
            for entry in report {
                let state = entry.fullyOn ? "on for everyone" : "off for everyone"
                let note = entry.declared ? "remove the flag from the code" : "no version asks about it: its row can go"
                print("\(entry.flag.key): \(state) for \(entry.days) days (\(entry.flag.updatedBy)); \(note)")
            }
        }
    }
}
