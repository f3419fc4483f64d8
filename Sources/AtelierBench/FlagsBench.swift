import ArgumentParser
import AtelierDomain
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import Foundation
import Logging

/// `atelier bench flags`: what one flag evaluation costs through the program's API (the flags read
/// from a real database, counted in Prometheus counters), beside a dictionary lookup of a Bool.
struct FlagsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Time feature-flag evaluations beside a dictionary lookup, best of several runs.")

    @Option(help: "Evaluations per run.") var evaluations = 2_000_000
    @Option(help: "Runs per figure; the best is printed.") var runs = 5

    func run() async throws {
        _ = Telemetry.bootstrapMetrics()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-bench-flags-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("atelier.sqlite").path)
        try await store.migrate()
        var configuration = AtelierConfiguration()
        configuration.dataDirectory = folder.path
        let context = UseCaseContext(store: store, configuration: configuration, logger: Logger(label: "bench"))
        let admin = FlagAdminService(context: context)
        let flags = context.flags
        let contexts = (0..<1024).map { FlagContext.customer("customer-\($0)") }
        let listed = (0..<1000).map { "customer:customer-\($0)" }
        let reference: [String: Bool] = ["pricing-rules-v2": true, "partner-auto-approval": true]

        print("feature flag evaluation, \(evaluations) per run, best of \(runs); one core")
        print("case".padding(toLength: 52, withPad: " ", startingAt: 0) + "   ns/op   × reference")
        var baseline = 0.0
        func report(_ name: String, _ body: (FlagContext) -> Bool) {
            var best = Double.infinity
            var hits = 0
            for _ in 0..<runs {
                hits = 0
                let started = ContinuousClock.now
                for index in 0..<evaluations where body(contexts[index & 1023]) { hits += 1 }
                best = min(best, (ContinuousClock.now - started).seconds / Double(evaluations) * 1e9)
            }
            if baseline == 0 { baseline = best }
            let ratio = String(format: "%.1f", best / baseline)
            print(
                name.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: "%8.1f", best) + "   \(ratio)"
                    + "   (on for \(hits * 100 / evaluations) %)")
        }
        report("reference: a Bool from a [String: Bool]") { _ in reference["pricing-rules-v2"] ?? false }
        report("never set: the caller's default") { flags.value(.pricingRulesV2, $0, defaultValue: false) }
        _ = try await admin.set(key: "pricing-rules-v2", FlagUpdate(enabled: true, rolloutBasisPoints: 10_000), by: "bench")
        report("on for everyone") { flags.value(.pricingRulesV2, $0, defaultValue: false) }
        _ = try await admin.set(key: "pricing-rules-v2", FlagUpdate(rolloutBasisPoints: 1_000), by: "bench")
        report("10 % rollout (hash of the targeting key)") { flags.value(.pricingRulesV2, $0, defaultValue: false) }
        _ = try await admin.set(key: "pricing-rules-v2", FlagUpdate(alwaysOn: listed), by: "bench")
        report("10 % rollout and 1,000 keys always on") { flags.value(.pricingRulesV2, $0, defaultValue: false) }
        report("the same, with details (variant, reason)") { flags.details(.pricingRulesV2, $0, defaultValue: false).value }
    }
}
