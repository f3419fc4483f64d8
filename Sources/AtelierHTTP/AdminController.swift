import AtelierDomain
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// The administrators' API: `/api/admin`.
struct AdminController {
    let admin: AdminService
    let accounts: AccountService

    struct NewUser: Decodable {
        var email: String
        var name: String
        var password: String
        var role: Role
    }

    struct MaterialBody: Decodable {
        var name: String
        var densityGPerCM3: Double
        var pricePerGramMinor: Int64
        var castingLossPercent: Double
        var active: Bool?
    }

    struct CastingRuleBody: Decodable {
        var minimumWallMM: Double
        var minimumDetailMM: Double
        var polishingAllowanceMM: Double
        var detailAreaMM2: Double?
    }

    /// A whole set of casting rules, as `GET /api/shop/casting-rules` gives it (its version is
    /// the store's to number: any sent is ignored).
    struct CastingRulesBody: Decodable {
        var rules: [CastingRule]
    }

    struct JobsResponse: ResponseEncodable {
        var counts: [JobCount]
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Admins.self)
            .get("users", use: users)
            .post("users", use: createUser)
            .post("users/{id}/disable", use: disable)
            .post("users/{id}/enable", use: enable)
            .put("materials/{code}", use: upsertMaterial)
            .put("casting-rules", use: loadCastingRules)
            .put("casting-rules/{code}", use: upsertCastingRule)
            .get("jobs", use: jobs)
            .get("jobs/dead", use: deadJobs)
            .post("jobs/{id}/redrive", use: redrive)
        group.signedIn(Audiences.Sellers.self)
            .get("price-list", use: priceList)
    }

    typealias Context = SignedInContext<Audiences.Admins>

    @Sendable func users(_ request: Request, context: Context) async throws -> PageResponse<UserResponse> {
        let role = try request.uri.queryParameters["role"].map { text -> Role in
            guard let role = Role(rawValue: String(text)) else {
                throw Problem(status: .badRequest, type: "bad-role", detail: "'\(text)' is not a role.")
            }
            return role
        }
        let page = try await admin.users(
            role: role, search: request.uri.queryParameters["q"].map(String.init), page: try request.pageRequest())
        return PageResponse(page, UserResponse.init)
    }

    /// Creates a user of any role.
    @Sendable func createUser(_ request: Request, context: Context) async throws -> EditedResponse<UserResponse> {
        let body = try await request.decode(as: NewUser.self, context: context)
        let user = try await accounts.createUser(email: body.email, name: body.name, password: body.password, role: body.role)
        return EditedResponse(status: .created, response: UserResponse(user))
    }

    /// Disables an account: its sessions end, it cannot sign in.
    @Sendable func disable(_ request: Request, context: Context) async throws -> UserResponse {
        UserResponse(try await admin.setDisabled(userID: try context.parameters.require("id"), true, by: context.principal))
    }

    /// Enables a disabled account again.
    @Sendable func enable(_ request: Request, context: Context) async throws -> UserResponse {
        UserResponse(try await admin.setDisabled(userID: try context.parameters.require("id"), false, by: context.principal))
    }

    /// The price list, for admins and sellers.
    @Sendable func priceList(_ request: Request, context: SignedInContext<Audiences.Sellers>) async throws -> PriceList {
        try await admin.priceList()
    }

    /// Adds or changes a material and its price per gram; makes a new price-list version.
    @Sendable func upsertMaterial(_ request: Request, context: Context) async throws -> PriceList {
        let body = try await request.decode(as: MaterialBody.self, context: context)
        let material = Material(
            code: try context.parameters.require("code"), name: body.name, densityGPerCM3: body.densityGPerCM3,
            pricePerGramMinor: body.pricePerGramMinor, castingLossPercent: body.castingLossPercent, active: body.active ?? true)
        return try await admin.upsert(material: material)
    }

    /// Adds or changes one alloy's casting rule; makes a new version of the casting rules.
    @Sendable func upsertCastingRule(_ request: Request, context: Context) async throws -> CastingRules {
        let body = try await request.decode(as: CastingRuleBody.self, context: context)
        let rule = CastingRule(
            materialCode: try context.parameters.require("code"), minimumWallMM: body.minimumWallMM,
            minimumDetailMM: body.minimumDetailMM, polishingAllowanceMM: body.polishingAllowanceMM,
            detailAreaMM2: body.detailAreaMM2 ?? CastingRule.defaultDetailAreaMM2)
        return try await admin.upsert(castingRule: rule)
    }

    /// Replaces the whole set of casting rules (checked first) with the next version.
    @Sendable func loadCastingRules(_ request: Request, context: Context) async throws -> CastingRules {
        let body = try await request.decode(as: CastingRulesBody.self, context: context)
        return try await admin.load(castingRules: CastingRules(version: 0, rules: body.rules))
    }

    /// Jobs per queue and state.
    @Sendable func jobs(_ request: Request, context: Context) async throws -> JobsResponse {
        JobsResponse(counts: try await admin.jobCounts())
    }

    /// Jobs that failed for good.
    @Sendable func deadJobs(_ request: Request, context: Context) async throws -> PageResponse<JobRecord> {
        PageResponse(try await admin.deadLetters(page: try request.pageRequest()), { $0 })
    }

    /// Puts a dead job back in its queue.
    @Sendable func redrive(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        try await admin.redrive(jobID: try context.parameters.require("id", as: Int64.self))
        return .accepted
    }
}

extension JobCount: ResponseEncodable {}
