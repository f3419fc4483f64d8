import AtelierDomain
import AtelierText
import Foundation
import Testing

@Suite("Feature flags")
struct FeatureFlagTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func flag(
        enabled: Bool = true, percent: Int = 0, on: [String] = [], off: [String] = [], key: String = FlagDefinition.pricingRulesV2.key
    ) -> FeatureFlag {
        FeatureFlag(
            key: key, enabled: enabled, rolloutBasisPoints: percent * 100, alwaysOn: on, alwaysOff: off, updatedAt: now, updatedBy: "test")
    }

    @Test("off is off for everyone, listed or not; 100 % is on for everyone but the excluded")
    func switches() {
        let listed = FlagContext.customer("c1")
        #expect(
            flag(enabled: false, percent: 100, on: ["customer:c1"]).evaluate(listed, defaultValue: true)
                == FlagEvaluation(key: "pricing-rules-v2", value: false, reason: .disabled))
        let full = flag(percent: 100, off: ["partner:p1"])
        #expect(full.evaluate(.customer("anyone"), defaultValue: false).value)
        #expect(full.evaluate(.anonymous, defaultValue: false) == FlagEvaluation(key: full.key, value: true, reason: .static))
        #expect(full.evaluate(.partner("p1"), defaultValue: true) == FlagEvaluation(key: full.key, value: false, reason: .targetingMatch))
        let none = flag(percent: 0, on: ["customer:c1"])
        #expect(none.evaluate(listed, defaultValue: false) == FlagEvaluation(key: none.key, value: true, reason: .targetingMatch))
        #expect(none.evaluate(.customer("c2"), defaultValue: true) == FlagEvaluation(key: none.key, value: false, reason: .static))
    }

    @Test("a rollout takes about its share, keeps everyone it took as it grows, and asks nobody for the default")
    func rollout() {
        let keys = (0..<20_000).map { FlagContext.customer("customer-\($0)") }
        var previous: Set<Int> = []
        for percent in [1, 10, 25, 50, 90] {
            let rolled = flag(percent: percent)
            let inside = Set(keys.indices.filter { rolled.evaluate(keys[$0], defaultValue: false).value })
            let share = Double(inside.count) / Double(keys.count) * 100
            #expect(abs(share - Double(percent)) < 1.0, "\(percent) % took \(share) %")
            #expect(previous.isSubset(of: inside), "growing to \(percent) % dropped someone")
            previous = inside
        }
        #expect(
            flag(percent: 50).evaluate(.anonymous, defaultValue: true)
                == FlagEvaluation(key: "pricing-rules-v2", value: true, reason: .targetingKeyMissing))
        #expect(flag(percent: 50).evaluate(keys[0], defaultValue: false).reason == .split)
    }

    @Test("the bucket is the same on every run and independent between flags")
    func stableBuckets() {
        // Fixed values: a change of the hash would move customers between sides on the next release.
        #expect(
            FeatureFlag.bucket(flag: "pricing-rules-v2", target: "customer:c1")
                == FeatureFlag.bucket(flag: "pricing-rules-v2", target: "customer:c1"))
        let a = (0..<2000).map { FeatureFlag.bucket(flag: "pricing-rules-v2", target: "customer:\($0)") < 5000 }
        let b = (0..<2000).map { FeatureFlag.bucket(flag: "partner-auto-approval", target: "customer:\($0)") < 5000 }
        let agree = zip(a, b).filter { $0 == $1 }.count
        #expect(abs(agree - 1000) < 100, "two flags at 50 % agree on \(agree) of 2000")
    }

    @Test("a snapshot answers the caller's default for a flag never set")
    func snapshotDefault() {
        let snapshot = FlagSnapshot(flags: [flag(percent: 100)], revision: 4)
        #expect(snapshot.evaluate(.pricingRulesV2, .anonymous, defaultValue: false).value)
        #expect(
            snapshot.evaluate(.partnerAutoApproval, .partner("p"), defaultValue: true)
                == FlagEvaluation(key: "partner-auto-approval", value: true, reason: .default))
    }

    @Test("bad settings are refused with a reason: unknown key, share outside 0–100, malformed or crossed lists")
    func validation() throws {
        #expect(throws: DomainError.self) { try flag(key: "no-such-flag").validated() }
        #expect(throws: DomainError.self) {
            try FeatureFlag(key: "pricing-rules-v2", enabled: true, rolloutBasisPoints: 10_001, updatedAt: now, updatedBy: "t").validated()
        }
        #expect(throws: DomainError.self) { try flag(on: ["anna@example.com"]).validated() }
        #expect(throws: DomainError.self) { try flag(on: ["customer:"]).validated() }
        #expect(throws: DomainError.self) { try flag(on: ["customer:a'; DROP"]).validated() }
        #expect(throws: DomainError.self) { try flag(on: ["customer:a"], off: ["customer:a"]).validated() }
        #expect(throws: DomainError.self) { try flag(on: (0...FeatureFlag.maxListed).map { "customer:c\($0)" }).validated() }
        let checked = try flag(on: ["partner:b", "customer:a", "partner:b"]).validated()
        #expect(checked.alwaysOn == ["customer:a", "partner:b"])
        do {
            _ = try FlagDefinition.named("nope")
            Issue.record("an unknown flag was accepted")
        } catch let error as DomainError {
            #expect(error.description.contains("pricing-rules-v2, partner-auto-approval"))
        }
    }

    @Test("percentages people type: whole, two decimals, comma; nothing else")
    func percentages() {
        #expect(FeatureFlag.basisPoints(percent: "10") == 1000)
        #expect(FeatureFlag.basisPoints(percent: "12.5") == 1250)
        #expect(FeatureFlag.basisPoints(percent: "0,25") == 25)
        #expect(FeatureFlag.basisPoints(percent: "100") == 10_000)
        for bad in ["101", "-1", "1.234", "", "ten", "1e2", "+5", "5.", ".5", "50%"] {
            #expect(FeatureFlag.basisPoints(percent: bad) == nil, "\(bad) was read")
        }
        #expect(FeatureFlag.percentText(1250) == "12.5" && FeatureFlag.percentText(5) == "0.05" && FeatureFlag.percentText(10_000) == "100")
    }

    @Test("the stale report lists flags settled longer than the threshold, and rows no version declares")
    func stale() {
        let old = now.addingTimeInterval(-40 * 86_400)
        var settledOn = flag(percent: 100)
        settledOn.updatedAt = old
        var rolling = flag(percent: 30, key: "partner-auto-approval")
        rolling.updatedAt = old
        var gone = flag(enabled: false, key: "old-checkout")
        gone.updatedAt = now
        let report = StaleFlag.report([settledOn, rolling, gone], olderThan: 30, at: now)
        #expect(report.map(\.flag.key) == ["pricing-rules-v2", "old-checkout"])
        #expect(report.first?.fullyOn == true && report.first?.days == 40)
        #expect(report.last?.declared == false)
        #expect(StaleFlag.report([settledOn], olderThan: 41, at: now).isEmpty)
    }
}
