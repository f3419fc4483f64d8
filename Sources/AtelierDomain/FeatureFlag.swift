import AtelierText
import Foundation

/// A flag the program asks about. Flags are declared here, in code, with what they change and
/// the answer while nobody has set them; the database holds only how each is set (``FeatureFlag``).
/// A key that is not declared is refused everywhere a flag is set.
public struct FlagDefinition: Sendable, Hashable {
    public let key: String
    /// What the flag changes, for the admin pages and `atelier flags list`.
    public let summary: Phrase
    /// The answer while the flag has never been set.
    public let defaultValue: Bool
    /// Who it is rolled out to (what its targeting keys name).
    public let audience: Phrase

    public static func == (lhs: FlagDefinition, rhs: FlagDefinition) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// Labour from the model's shape instead of its triangle count (``PricingRules/v2``), by
    /// customer and partner.
    public static let pricingRulesV2 = FlagDefinition(
        key: "pricing-rules-v2",
        summary: "Price labour from the model's shape (its surface against its volume) instead of its triangle count.",
        defaultValue: false, audience: "customers and partners")

    /// A kill switch: off, no partner order is approved by its partner's auto-approval limit; every
    /// one waits for a seller.
    public static let partnerAutoApproval = FlagDefinition(
        key: "partner-auto-approval",
        summary: "Approve partners' orders within their auto-approval limit without a seller (off: every one waits for a seller).",
        defaultValue: true, audience: "partners")

    /// Every flag this version of the program asks about.
    public static let all: [FlagDefinition] = [pricingRulesV2, partnerAutoApproval]

    /// The declared flag `key`, or an error that names the known ones.
    public static func named(_ key: String) throws -> FlagDefinition {
        guard let definition = all.first(where: { $0.key == key }) else {
            let known = all.map(\.key).joined(separator: ", ")
            throw DomainError.notFound("There is no feature flag \(String(key.prefix(80))); the flags are \(known).")
        }
        return definition
    }
}

/// Whom a flag is asked about: OpenFeature's evaluation context. The targeting key names one
/// person or partner (`customer:<id>`, `partner:<id>`, `staff:<id>`); a percentage rollout puts
/// the same key on the same side every time.
public struct FlagContext: Sendable, Hashable {
    public var targetingKey: String?

    public init(targetingKey: String?) { self.targetingKey = targetingKey }

    /// Nobody in particular (a visitor not signed in, a command line).
    public static let anonymous = FlagContext(targetingKey: nil)
    public static func customer(_ id: String) -> FlagContext { FlagContext(targetingKey: "customer:\(id)") }
    public static func partner(_ id: String) -> FlagContext { FlagContext(targetingKey: "partner:\(id)") }
    public static func staff(_ id: String) -> FlagContext { FlagContext(targetingKey: "staff:\(id)") }

    /// Who ordered `order`: its customer, or its partner.
    public static func owner(of order: Order) -> FlagContext {
        order.channel == .partner ? .partner(order.customerID) : .customer(order.customerID)
    }

    /// The person or partner `principal` is.
    public static func of(_ principal: Principal) -> FlagContext {
        switch principal.role {
        case .customer: .customer(principal.userID)
        case .partner: .partner(principal.userID)
        case .seller, .operator, .admin: .staff(principal.userID)
        case .system, .carrier: .anonymous
        }
    }
}

/// Why an evaluation gave its answer: OpenFeature's reasons.
public enum FlagReason: String, Sendable, Hashable, CaseIterable {
    /// The flag has never been set: the caller's default.
    case `default` = "DEFAULT"
    /// The flag is switched off: off for everyone.
    case disabled = "DISABLED"
    /// The targeting key is on one of the flag's lists.
    case targetingMatch = "TARGETING_MATCH"
    /// The percentage rollout put the targeting key on one side.
    case split = "SPLIT"
    /// On for everyone (100 %) or off for everyone not listed (0 %).
    case `static` = "STATIC"
    /// A rollout was asked about nobody in particular: the caller's default.
    case targetingKeyMissing = "TARGETING_KEY_MISSING"
}

/// One answer of a flag: the value, its variant's name and why.
public struct FlagEvaluation: Sendable, Hashable {
    public var key: String
    public var value: Bool
    public var reason: FlagReason
    /// `on` or `off`.
    public var variant: String { value ? "on" : "off" }

    public init(key: String, value: Bool, reason: FlagReason) {
        self.key = key
        self.value = value
        self.reason = reason
    }
}

/// How a flag is set: switched on or off (off is a kill switch: nobody gets it), rolled out to a
/// share of targeting keys, with lists of keys that always or never get it. Stored in the database.
public struct FeatureFlag: Sendable, Hashable, Codable {
    public var key: String
    /// Off: nobody gets the flag, whatever else is set.
    public var enabled: Bool
    /// The share of targeting keys that get it, in hundredths of a percent (0 to 10,000).
    public var rolloutBasisPoints: Int
    /// Targeting keys that get it whatever the share (unless the flag is off).
    public var alwaysOn: [String]
    /// Targeting keys that never get it.
    public var alwaysOff: [String]
    public var updatedAt: Date
    /// Who set it last (`admin:<e-mail>`, `cli:<user>`).
    public var updatedBy: String

    public init(
        key: String, enabled: Bool, rolloutBasisPoints: Int, alwaysOn: [String] = [], alwaysOff: [String] = [], updatedAt: Date,
        updatedBy: String
    ) {
        self.key = key
        self.enabled = enabled
        self.rolloutBasisPoints = rolloutBasisPoints
        self.alwaysOn = alwaysOn
        self.alwaysOff = alwaysOff
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }

    /// The most targeting keys one list may hold: past that a percentage is the tool.
    public static let maxListed = 1000

    /// The rollout as a percentage (`12.5`).
    public var rolloutPercent: Double { Double(rolloutBasisPoints) / 100 }

    /// The flag's answer for `context`. `defaultValue` is the caller's, given where the flag says
    /// nothing (never set is handled by ``FlagSnapshot``).
    public func evaluate(_ context: FlagContext, defaultValue: Bool) -> FlagEvaluation {
        evaluate(context, defaultValue: defaultValue, on: { alwaysOn.contains($0) }, off: { alwaysOff.contains($0) })
    }

    /// ``evaluate(_:defaultValue:)`` with the lists asked through `on` and `off` (a snapshot asks sets).
    func evaluate(_ context: FlagContext, defaultValue: Bool, on: (String) -> Bool, off: (String) -> Bool) -> FlagEvaluation {
        guard enabled else { return FlagEvaluation(key: key, value: false, reason: .disabled) }
        if let target = context.targetingKey {
            if off(target) { return FlagEvaluation(key: key, value: false, reason: .targetingMatch) }
            if on(target) { return FlagEvaluation(key: key, value: true, reason: .targetingMatch) }
        }
        if rolloutBasisPoints >= 10_000 { return FlagEvaluation(key: key, value: true, reason: .static) }
        if rolloutBasisPoints <= 0 { return FlagEvaluation(key: key, value: false, reason: .static) }
        guard let target = context.targetingKey else {
            return FlagEvaluation(key: key, value: defaultValue, reason: .targetingKeyMissing)
        }
        return FlagEvaluation(key: key, value: Self.bucket(flag: key, target: target) < rolloutBasisPoints, reason: .split)
    }

    /// Where `target` falls for `flag`, 0 to 9,999: FNV-1a over `flag:target` with a final mix
    /// (MurmurHash3's), the same on every instance and every start (Swift's `Hasher` is seeded per
    /// process), and independent between flags. A key below the rollout stays in as it grows.
    public static func bucket(flag: String, target: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in flag.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ 0x3A) &* 0x0000_0100_0000_01b3
        for byte in target.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Int(hash % 10_000)
    }

    /// Settled: on for everyone (on, 100 %, nobody excluded) or off for everyone (switched off, or
    /// 0 % with nobody included). A flag settled for long is code waiting to be removed.
    public var settled: Bool {
        (enabled && rolloutBasisPoints >= 10_000 && alwaysOff.isEmpty) || !enabled || (rolloutBasisPoints <= 0 && alwaysOn.isEmpty)
    }

    /// Checks what an admin set: a declared key, a share within 0–100 %, lists of well-formed keys
    /// (at most ``maxListed`` each), no key on both lists. The lists come back sorted, without repeats.
    public func validated() throws -> FeatureFlag {
        _ = try FlagDefinition.named(key)
        guard (0...10_000).contains(rolloutBasisPoints) else {
            throw DomainError.invalid("A rollout is a percentage from 0 to 100, with at most two decimals.")
        }
        var flag = self
        flag.alwaysOn = try Self.checkedList(alwaysOn, name: "always-on")
        flag.alwaysOff = try Self.checkedList(alwaysOff, name: "never")
        if let both = Set(flag.alwaysOn).intersection(flag.alwaysOff).sorted().first {
            throw DomainError.invalid("\(both) is on both lists: a key either always gets the flag or never does.")
        }
        guard updatedBy.count <= 200 else { throw DomainError.invalid("The name of who made the change is too long.") }
        return flag
    }

    private static func checkedList(_ list: [String], name: String) throws -> [String] {
        guard list.count <= maxListed else {
            throw DomainError.invalid("The \(name) list holds \(list.count) keys; at most \(maxListed) may be listed, use a percentage.")
        }
        for entry in list where !isTargetingKey(entry) {
            throw DomainError.invalid(
                "\(String(entry.prefix(60))) is not a targeting key: write customer:ID, partner:ID or staff:ID (the ID of the account).")
        }
        return Array(Set(list)).sorted()
    }

    /// `customer:`, `partner:` or `staff:` and an account's id (1 to 64 letters, digits, dashes).
    public static func isTargetingKey(_ text: String) -> Bool {
        guard text.utf8.count <= 80, let colon = text.firstIndex(of: ":") else { return false }
        let kind = text[..<colon]
        let id = text[text.index(after: colon)...]
        return ["customer", "partner", "staff"].contains(kind) && (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D }
    }

    /// How it is set, in a few words: `off`, `on`, `on for 12.5 %`, with the lists' sizes.
    public var summary: Phrase {
        var state: Phrase =
            !enabled ? "off" : rolloutBasisPoints >= 10_000 ? "on for everyone" : "on for \(Self.percentText(rolloutBasisPoints)) %"
        if enabled, !alwaysOn.isEmpty { state = "\(state), always for \(alwaysOn.count) listed" }
        if enabled, !alwaysOff.isEmpty { state = "\(state), never for \(alwaysOff.count) listed" }
        return state
    }

    /// `12.5`, `100`, `0.01`: a share in basis points as a percentage, without trailing zeros.
    public static func percentText(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let rest = basisPoints % 100
        if rest == 0 { return "\(whole)" }
        return rest % 10 == 0 ? "\(whole).\(rest / 10)" : "\(whole).\(rest < 10 ? "0" : "")\(rest)"
    }

    /// Reads a percentage an admin typed (`10`, `12.5`, `0.25`) as basis points; nil when it is not
    /// a number from 0 to 100 with at most two decimals.
    public static func basisPoints(percent text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), trimmed.utf8.count <= 6, let whole = Int(parts[0]), !parts[0].hasPrefix("-"),
            !parts[0].hasPrefix("+")
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy(\.isASCII), let value = Int(digits), !digits.hasPrefix("-"),
                !digits.hasPrefix("+")
            else { return nil }
            fraction = digits.count == 1 ? value * 10 : value
        }
        let points = whole * 100 + fraction
        return (0...10_000).contains(points) ? points : nil
    }
}

/// One change of a flag: who, when, from what to what.
public struct FlagChange: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var at: Date
    public var by: String
    /// Nil when the flag was set for the first time.
    public var before: FeatureFlag?
    public var after: FeatureFlag

    public init(id: Int64, key: String, at: Date, by: String, before: FeatureFlag?, after: FeatureFlag) {
        self.id = id
        self.key = key
        self.at = at
        self.by = by
        self.before = before
        self.after = after
    }
}

/// Every flag as one instance last read them, with the revision (the newest change's id) it read.
/// The lists are kept as sets too, so an evaluation costs the same with a thousand listed keys.
public struct FlagSnapshot: Sendable {
    public private(set) var flags: [String: FeatureFlag]
    public let revision: Int64
    private let lists: [String: (on: Set<String>, off: Set<String>)]

    public init(flags: [FeatureFlag], revision: Int64) {
        self.flags = Dictionary(flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        lists = self.flags.mapValues { (Set($0.alwaysOn), Set($0.alwaysOff)) }
        self.revision = revision
    }

    public static let empty = FlagSnapshot(flags: [], revision: 0)

    /// The answer of `definition` for `context`: the caller's default while the flag was never set.
    public func evaluate(_ definition: FlagDefinition, _ context: FlagContext, defaultValue: Bool) -> FlagEvaluation {
        guard let flag = flags[definition.key], let lists = lists[definition.key] else {
            return FlagEvaluation(key: definition.key, value: defaultValue, reason: .default)
        }
        return flag.evaluate(context, defaultValue: defaultValue, on: { lists.on.contains($0) }, off: { lists.off.contains($0) })
    }
}

/// A flag settled for longer than a report's threshold: its code can go.
public struct StaleFlag: Sendable, Hashable {
    public var flag: FeatureFlag
    /// True when it is on for everyone, false when off for everyone.
    public var fullyOn: Bool
    public var days: Int
    /// False when this version of the program no longer asks about it (its row can be deleted).
    public var declared: Bool

    /// The flags in `flags` settled for at least `days` days at `now`, oldest first.
    public static func report(_ flags: [FeatureFlag], olderThan days: Int, at now: Date) -> [StaleFlag] {
        flags.compactMap { flag -> StaleFlag? in
            let declared = FlagDefinition.all.contains(where: { $0.key == flag.key })
            let age = Int(now.timeIntervalSince(flag.updatedAt) / 86_400)
            guard !declared || (flag.settled && age >= days) else { return nil }
            let fullyOn = flag.enabled && flag.rolloutBasisPoints >= 10_000 && flag.alwaysOff.isEmpty
            return StaleFlag(flag: flag, fullyOn: fullyOn, days: max(age, 0), declared: declared)
        }.sorted { $0.flag.updatedAt < $1.flag.updatedAt }
    }
}
