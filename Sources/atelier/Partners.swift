import ArgumentParser
import AtelierDomain
import AtelierServices
import Foundation

/// `atelier partner`: partners of the partner API and their keys, for admins at the command line.
struct Partners: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner", abstract: "Create partners, issue and revoke their API keys, set their auto-approval limit.",
        subcommands: [Create.self, List.self, Key.self, Policy.self])

    /// Commands act as an admin at the console.
    static let console = Principal(userID: "system:console", role: .admin, name: "Command line")

    static func run<T>(_ body: (UseCases) async throws -> T) async throws -> T {
        let environment = try await Environment.open(models: false)
        do {
            // A new data folder gets what `serve` would give it on its first start (the demo price
            // list and accounts, where demo data is loaded), so these commands work before it.
            if environment.configuration.loadDemoData { try await DemoData(context: environment.useCases.context).load() }
            let result = try await body(environment.useCases)
            await environment.close()
            return result
        } catch {
            await environment.close()
            throw CommandFailure("\(error)")
        }
    }

    /// `250`, `250.5` or `250.50` in the price list's currency → minor units.
    static func minorUnits(_ text: String) throws -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0,
            parts.count == 1 || (parts[1].count <= 2 && parts[1].allSatisfy(\.isNumber))
        else { throw CommandFailure("'\(text)' is not an amount like 250 or 250.50.") }
        let cents = parts.count == 2 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0 : 0
        return whole * 100 + cents
    }

    static func describe(_ overview: PartnerService.PartnerOverview) -> String {
        let partner = overview.partner
        var lines = [
            "\(partner.id)  \(partner.name) <\(partner.email)>",
            "  auto-approval: \(partner.autoApproval.limit.map { "up to \($0)" } ?? "off")",
            "  rate: \(partner.requestsPerMinute) requests/minute, bursts of \(partner.burst)",
        ]
        for key in overview.keys {
            lines.append("  key \(key.id)  \(key.prefix)…  \(key.revokedAt == nil ? "active" : "revoked")")
        }
        return lines.joined(separator: "\n")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a partner and its first API key.")
        @Option(help: "The partner's name.") var name: String
        @Option(help: "The partner's contact e-mail.") var email: String
        @Option(help: "Approve orders priced at most this amount automatically, e.g. 500.00.") var autoApproveUpTo: String?
        @Option(help: "Requests per minute per key (default 600).") var rate: Int?
        @Option(help: "Requests per burst per key (default 60).") var burst: Int?

        func run() async throws {
            let limit = try autoApproveUpTo.map(Partners.minorUnits)
            let (partner, key) = try await Partners.run { useCases in
                try await useCases.partners.createPartner(
                    .init(name: name, email: email, autoApproveUpToMinor: limit, requestsPerMinute: rate, burst: burst), withKey: true,
                    by: Partners.console)
            }
            print("Partner \(partner.id) created: \(partner.name)")
            if let key { print("API key (shown once; store it now): \(key.secret)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partners with their keys and policies.")
        func run() async throws {
            let overviews = try await Partners.run { try await $0.partners.partners(by: Partners.console) }
            if overviews.isEmpty { print("No partners yet: atelier partner create --name … --email …") }
            for overview in overviews { print(Partners.describe(overview)) }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue or revoke a partner's API keys (two may be active, for rotation).", subcommands: [Issue.self, Revoke.self])

        struct Issue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create", abstract: "Issue a new key; it is shown once.")
            @Argument(help: "The partner id.") var partner: String
            func run() async throws {
                let key = try await Partners.run { try await $0.partners.issueKey(partnerID: partner, by: Partners.console) }
                print("Key \(key.key.id) (shown once; store it now): \(key.secret)")
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working at once.")
            @Argument(help: "The partner id.") var partner: String
            @Argument(help: "The key id, as listed by `atelier partner list`.") var key: String
            func run() async throws {
                try await Partners.run { try await $0.partners.revokeKey(partnerID: partner, keyID: key, by: Partners.console) }
                print("Key \(key) revoked.")
            }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a partner's auto-approval limit and rate.")
        @Argument(help: "The partner id.") var partner: String
        @Option(help: "Approve orders priced at most this amount automatically, e.g. 500.00.") var autoApproveUpTo: String?
        @Flag(help: "Every order of the partner waits for a seller's approval.") var noAutoApproval = false
        @Option(help: "Requests per minute per key.") var rate: Int?
        @Option(help: "Requests per burst per key.") var burst: Int?

        func run() async throws {
            let limit: Int64?? = noAutoApproval ? .some(nil) : try autoApproveUpTo.map { .some(try Partners.minorUnits($0)) }
            let overview = try await Partners.run { useCases in
                _ = try await useCases.partners.updatePolicy(
                    partnerID: partner, autoApproveUpToMinor: limit, requestsPerMinute: rate, burst: burst, by: Partners.console)
                return try await useCases.partners.partner(id: partner, by: Partners.console)
            }
            print(Partners.describe(overview))
        }
    }
}
