import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation
import Logging

/// A change an admin asks for: what is given changes, the rest stays as it is.
public struct FlagUpdate: Sendable, Hashable {
    public var enabled: Bool?
    public var rolloutBasisPoints: Int?
    public var alwaysOn: [String]?
    public var alwaysOff: [String]?

    public init(enabled: Bool? = nil, rolloutBasisPoints: Int? = nil, alwaysOn: [String]? = nil, alwaysOff: [String]? = nil) {
        self.enabled = enabled
        self.rolloutBasisPoints = rolloutBasisPoints
        self.alwaysOn = alwaysOn
        self.alwaysOff = alwaysOff
    }

    /// A percentage from the API (a JSON number) in basis points: 0 to 100 with at most two decimals.
    public static func basisPoints(percent: Double) throws -> Int {
        let points = (percent * 100).rounded()
        guard percent.isFinite, (0...10_000).contains(points), abs(percent * 100 - points) < 1e-6 else {
            throw DomainError.invalid("A rollout is a percentage from 0 to 100, with at most two decimals.")
        }
        return Int(points)
    }

    /// A list typed by a person: keys separated by commas, spaces or lines.
    public static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == ";" }).map(String.init)
    }
}

/// One declared flag as the admin pages, the API and the command line show it.
public struct FlagStatus: Sendable {
    public var definition: FlagDefinition
    /// Nil while it has never been set (it answers its declared default).
    public var flag: FeatureFlag?

    /// How it is set, in a few words.
    public var summary: Phrase {
        guard let flag else { return definition.defaultValue ? "not set: on (the default)" : "not set: off (the default)" }
        return flag.summary
    }
}

/// The administrators' use cases on feature flags: list, change (each change recorded with who,
/// when, from what to what), history, and the stale-flag report. A change reaches this instance
/// at once and every other within ``AtelierConfiguration/flagRefreshSeconds``.
public struct FlagAdminService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// Every declared flag with how it is set, and stored flags this version no longer declares.
    public func list() async throws -> [FlagStatus] {
        let stored = try await context.store.reader.featureFlags().flags
        return FlagDefinition.all.map { FlagStatus(definition: $0, flag: stored[$0.key]) }
    }

    public func status(key: String) async throws -> FlagStatus {
        let definition = try FlagDefinition.named(key)
        return FlagStatus(definition: definition, flag: try await context.store.reader.featureFlags().flags[key])
    }

    /// Changes `key` as `update` says, by `actor` (`Anna Admin (id)`, `cli:root`). A change that
    /// changes nothing is not recorded. Returns the flag as it is now.
    public func set(key: String, _ update: FlagUpdate, by actor: String) async throws -> FeatureFlag {
        let definition = try FlagDefinition.named(key)
        let now = context.time.now()
        let saved = try await context.store.write { tx -> FeatureFlag in
            let before = try await tx.featureFlagForUpdate(key: key)
            var flag =
                before
                ?? FeatureFlag(
                    key: key, enabled: definition.defaultValue, rolloutBasisPoints: definition.defaultValue ? 10_000 : 0, updatedAt: now,
                    updatedBy: actor)
            if let enabled = update.enabled { flag.enabled = enabled }
            if let points = update.rolloutBasisPoints { flag.rolloutBasisPoints = points }
            if let list = update.alwaysOn { flag.alwaysOn = list }
            if let list = update.alwaysOff { flag.alwaysOff = list }
            flag = try flag.validated()
            if let before, Self.sameSetting(before, flag) { return before }
            flag.updatedAt = now
            flag.updatedBy = String(actor.prefix(200))
            try await tx.save(flag: flag, before: before)
            return flag
        }
        // This instance answers with the change at once; the others within their refresh interval.
        try? await context.flags.refresh()
        context.logger.notice(
            "feature flag changed", metadata: ["flag": "\(key)", "flag.state": "\(saved.summary)", "actor": "\(saved.updatedBy)"])
        return saved
    }

    /// The changes of `key`, newest first.
    public func history(key: String, limit: Int = 100) async throws -> [FlagChange] {
        _ = try FlagDefinition.named(key)
        return try await context.store.reader.flagChanges(key: key, limit: limit)
    }

    /// Flags on or off for everyone for at least `days` days, and stored flags no version declares.
    public func stale(olderThan days: Int) async throws -> [StaleFlag] {
        guard (0...3650).contains(days) else { throw DomainError.invalid("Days are a whole number from 0 to 3650.") }
        let flags = try await context.store.reader.featureFlags().flags.values
        return StaleFlag.report(Array(flags), olderThan: days, at: context.time.now())
    }

    /// Who an admin's change is recorded as.
    public static func actor(_ principal: Principal) -> String { "\(principal.name) (\(principal.role.rawValue) \(principal.userID))" }

    private static func sameSetting(_ a: FeatureFlag, _ b: FeatureFlag) -> Bool {
        a.enabled == b.enabled && a.rolloutBasisPoints == b.rolloutBasisPoints && a.alwaysOn == b.alwaysOn && a.alwaysOff == b.alwaysOff
    }
}
