import AtelierDomain
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// Feature flags on the administrators' API: `/api/admin/flags`.
struct FlagsController {
    let flags: FlagAdminService

    /// What a change asks for; what is left out stays as it is.
    struct FlagBody: Decodable {
        var enabled: Bool?
        /// 0 to 100, at most two decimals.
        var rolloutPercent: Double?
        var alwaysOn: [String]?
        var alwaysOff: [String]?
    }

    /// How a flag is set.
    struct FlagState: Codable, Equatable {
        var enabled: Bool
        var rolloutPercent: Double
        var alwaysOn: [String]
        var alwaysOff: [String]

        init(_ flag: FeatureFlag) {
            enabled = flag.enabled
            rolloutPercent = flag.rolloutPercent
            alwaysOn = flag.alwaysOn
            alwaysOff = flag.alwaysOff
        }
    }

    struct FlagResponse: ResponseEncodable {
        var key: String
        var description: String
        var audience: String
        var defaultValue: Bool
        /// False while it was never set: it answers `defaultValue`.
        var isSet: Bool
        var summary: String
        var state: FlagState?
        var updatedAt: Date?
        var updatedBy: String?
        var history: [ChangeResponse]?

        init(_ status: FlagStatus, history: [FlagChange]? = nil) {
            key = status.definition.key
            description = status.definition.summary.localized
            audience = status.definition.audience.localized
            defaultValue = status.definition.defaultValue
            isSet = status.flag != nil
            summary = status.summary.localized
            state = status.flag.map(FlagState.init)
            updatedAt = status.flag?.updatedAt
            updatedBy = status.flag?.updatedBy
            self.history = history?.map(ChangeResponse.init)
        }
    }

    struct ChangeResponse: Codable {
        var at: Date
        var by: String
        var before: FlagState?
        var after: FlagState

        init(_ change: FlagChange) {
            at = change.at
            by = change.by
            before = change.before.map(FlagState.init)
            after = FlagState(change.after)
        }
    }

    struct FlagsResponse: ResponseEncodable {
        var flags: [FlagResponse]
    }

    struct StaleResponse: ResponseEncodable {
        struct Entry: Encodable {
            var key: String
            var fullyOn: Bool
            var days: Int
            var declared: Bool
        }
        var days: Int
        var flags: [Entry]
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Admins.self)
            .get("flags", use: list)
            .get("flags/stale", use: stale)
            .get("flags/{key}", use: show)
            .put("flags/{key}", use: set)
    }

    typealias Context = SignedInContext<Audiences.Admins>

    @Sendable func list(_ request: Request, context: Context) async throws -> FlagsResponse {
        FlagsResponse(flags: try await flags.list().map { FlagResponse($0) })
    }

    /// One flag with its changes, newest first.
    @Sendable func show(_ request: Request, context: Context) async throws -> FlagResponse {
        let key = try context.parameters.require("key")
        return FlagResponse(try await flags.status(key: key), history: try await flags.history(key: key))
    }

    @Sendable func set(_ request: Request, context: Context) async throws -> FlagResponse {
        let key = try context.parameters.require("key")
        _ = try FlagDefinition.named(key)
        let body = try await request.decode(as: FlagBody.self, context: context)
        let update = FlagUpdate(
            enabled: body.enabled, rolloutBasisPoints: try body.rolloutPercent.map(FlagUpdate.basisPoints(percent:)),
            alwaysOn: body.alwaysOn, alwaysOff: body.alwaysOff)
        guard update != FlagUpdate() else {
            throw Problem(
                status: .badRequest, type: "nothing-to-change",
                detail: "Say what to change: enabled, rolloutPercent, alwaysOn or alwaysOff.")
        }
        _ = try await flags.set(key: key, update, by: FlagAdminService.actor(context.principal))
        return FlagResponse(try await flags.status(key: key), history: try await flags.history(key: key, limit: 20))
    }

    /// Flags on or off for everyone for at least `days` days (default 30).
    @Sendable func stale(_ request: Request, context: Context) async throws -> StaleResponse {
        let days: Int
        if let text = request.uri.queryParameters["days"] {
            guard let value = Int(text), (0...3650).contains(value) else {
                throw Problem(status: .badRequest, type: "bad-days", detail: "Days are a whole number from 0 to 3650.")
            }
            days = value
        } else {
            days = 30
        }
        let report = try await flags.stale(olderThan: days)
        return StaleResponse(
            days: days, flags: report.map { .init(key: $0.flag.key, fullyOn: $0.fullyOn, days: $0.days, declared: $0.declared) })
    }
}
