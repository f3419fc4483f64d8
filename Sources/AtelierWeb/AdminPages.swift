import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import Hummingbird

/// The administrators' pages: users and their roles, materials and metal prices.
struct AdminPages {
    let site: WebSite
    var admin: AdminService { site.useCases.admin }
    static let roles = AdminService.assignableRoles

    typealias Admin = SignedInContext<Audiences.Admins>

    struct UsersPage: PageModel {
        struct Row {
            var id: String
            var name: String
            var email: String
            var role: String
            var since: String
            var me: Bool
            var disabled: Bool
            var choices: [Option]
        }
        var chrome: Chrome?
        var users: [Row]
        var q: String
        var roles: [Option]
        var next: String?
    }

    struct MaterialsPage: PageModel {
        struct MaterialRow {
            var code: String
            var name: String
            var density: Double
            var loss: Double
            var active: Bool
            var price: String
        }
        struct FinishRow {
            var name: String
            var price: String
        }
        struct CastingRow {
            var code: String
            var name: String
            var wall: String
            var detail: String
            var polishing: String
            var area: String
            var requiredWall: String
            var requiredDetail: String
        }
        var chrome: Chrome?
        var version: Int
        var currency: String
        var materials: [MaterialRow]
        var finishes: [FinishRow]
        var castingVersion: Int
        var casting: [CastingRow]
        var alloys: [Option]
    }

    struct FlagsPage: PageModel {
        struct Change {
            var at: String
            var by: String
            var before: String
            var after: String
        }
        struct Row {
            var key: String
            var description: String
            var audience: String
            var summary: String
            var enabled: Bool
            var percent: String
            var always: String
            var never: String
            var changes: [Change]
            /// Stored, not computed: the templates read properties through `Mirror`.
            var hasChanges: Bool
        }
        var chrome: Chrome?
        var flags: [Row]
        var stale: [String]
        var staleDays: Int
        var hasStale: Bool
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Admins.self)
            .get("/", use: users)
            .post("users", use: createUser)
            .post("users/{id}/disable", use: disable)
            .post("users/{id}/enable", use: enable)
            .post("users/{id}/role", use: changeRole)
            .get("materials", use: materials)
            .post("materials", use: saveMaterial)
            .post("casting-rules", use: saveCastingRule)
            .get("flags", use: flags)
            .post("flags/{key}", use: saveFlag)
    }

    @Sendable func users(_ request: Request, context: Admin) async throws -> Response {
        let me = context.principal.userID
        let query = Form(query: request)
        let role = query["role"].flatMap(Role.init(rawValue:))
        let search = query["q"]?.trimmingCharacters(in: .whitespaces)
        let page = try await admin.users(
            role: role, search: search?.isEmpty == false ? search : nil, page: try pageRequest(request, limit: 50))
        let model = UsersPage(
            users: page.items.map { user in
                UsersPage.Row(
                    id: user.id, name: user.name, email: user.email, role: user.role.rawValue, since: Views.date(user.createdAt),
                    me: user.id == me, disabled: user.disabledAt != nil,
                    choices: Self.roles.map { Option(code: $0.rawValue, label: $0.rawValue, selected: $0 == user.role) })
            },
            q: search ?? "", roles: Self.roles.map { Option(code: $0.rawValue, label: $0.rawValue, selected: $0 == role) },
            next: Views.next(page, path: "/admin", query: query.fields))
        return site.page("admin-users", model, title: "Users", request: request, context: context)
    }

    @Sendable func createUser(_ request: Request, context: Admin) async throws -> Response {
        let form = try await request.form(context: context)
        let role = try Self.role(form)
        let user = try await site.useCases.accounts.createUser(
            email: form["email"] ?? "", name: form["name"] ?? "", password: form["password"] ?? "", role: role)
        return site.redirect("/admin", flash: "\(user.name) can sign in as \(user.role.rawValue) with \(user.email).")
    }

    /// Disables an account: its sessions end, it cannot sign in.
    @Sendable func disable(_ request: Request, context: Admin) async throws -> Response {
        let user = try await admin.setDisabled(userID: try context.parameters.require("id"), true, by: context.principal)
        return site.redirect("/admin", flash: "\(user.name) is disabled and signed out everywhere.")
    }

    @Sendable func enable(_ request: Request, context: Admin) async throws -> Response {
        let user = try await admin.setDisabled(userID: try context.parameters.require("id"), false, by: context.principal)
        return site.redirect("/admin", flash: "\(user.name) can sign in again.")
    }

    @Sendable func changeRole(_ request: Request, context: Admin) async throws -> Response {
        let role = try Self.role(try await request.form(context: context))
        let user = try await admin.changeRole(userID: try context.parameters.require("id"), to: role, by: context.principal)
        return site.redirect("/admin", flash: "\(user.name) is now \(user.role.rawValue), from their next page on.")
    }

    @Sendable func materials(_ request: Request, context: Admin) async throws -> Response {
        let list = try await admin.priceList()
        let rules = try await admin.castingRules()
        let names = Dictionary(list.materials.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        let model = MaterialsPage(
            version: list.version, currency: list.currency,
            materials: list.materials.map {
                MaterialsPage.MaterialRow(
                    code: $0.code, name: $0.name, density: $0.densityGPerCM3, loss: $0.castingLossPercent, active: $0.active,
                    price: Views.number(Double($0.pricePerGramMinor) / 100))
            },
            finishes: list.finishes.map {
                .init(name: $0.name, price: Views.money(Money(minorUnits: $0.priceMinor, currency: list.currency)))
            }, castingVersion: rules.version,
            casting: rules.rules.map { rule in
                MaterialsPage.CastingRow(
                    code: rule.materialCode, name: Views.name(names[rule.materialCode] ?? rule.materialCode),
                    wall: Views.number(rule.minimumWallMM), detail: Views.number(rule.minimumDetailMM),
                    polishing: Views.number(rule.polishingAllowanceMM), area: Views.number(rule.detailAreaMM2, decimals: 1),
                    requiredWall: Views.number(rule.requiredWallMM), requiredDetail: Views.number(rule.requiredDetailMM))
            },
            alloys: list.materials.map { Option(code: $0.code, label: Views.name($0.name), selected: false) })
        return site.page("admin-materials", model, title: "Materials, prices and casting rules", request: request, context: context)
    }

    /// Adds a material or changes one: a new price list version, used by every quote from now on.
    @Sendable func saveMaterial(_ request: Request, context: Admin) async throws -> Response {
        let form = try await request.form(context: context)
        let price = try form.number("price", label: "The price per gram", default: .nan)
        guard price.isFinite else { throw DomainError.invalid("The price per gram is required.") }
        let material = Material(
            code: try form.required("code", label: "A material code"), name: try form.required("name", label: "A name"),
            densityGPerCM3: try form.number("density", label: "The density", default: .nan),
            pricePerGramMinor: try Money.minorUnits(ofMajor: price, max: Material.maxPricePerGramMinor, what: "The price per gram"),
            castingLossPercent: try form.number("loss", label: "The casting loss", default: 0), active: form["active"] != nil)
        let list = try await admin.upsert(material: material)
        return site.redirect("/admin/materials", flash: "\(material.name) saved; the price list is now version \(list.version).")
    }

    /// Adds or changes one alloy's casting rule: a new version of the rules, which orders priced
    /// from now on are checked against.
    @Sendable func saveCastingRule(_ request: Request, context: Admin) async throws -> Response {
        let form = try await request.form(context: context)
        func millimetres(_ field: String, _ label: Phrase) throws -> Double {
            let value = try form.number(field, label: label, default: .nan)
            guard value.isFinite else { throw DomainError.invalid("\(label) is required.") }
            return value
        }
        let rule = CastingRule(
            materialCode: try form.required("material", label: "An alloy"), minimumWallMM: try millimetres("wall", "The thinnest wall"),
            minimumDetailMM: try millimetres("detail", "The thinnest detail"),
            polishingAllowanceMM: try millimetres("polishing", "The polishing allowance"),
            detailAreaMM2: try form.number("area", label: "A detail's largest area", default: CastingRule.defaultDetailAreaMM2))
        let rules = try await admin.upsert(castingRule: rule)
        return site.redirect(
            "/admin/materials",
            flash: "The casting rule for \(rule.materialCode) is saved; the casting rules are now version \(rules.version).")
    }

    /// Every flag with its form and its last changes, and the stale-flag report.
    @Sendable func flags(_ request: Request, context: Admin) async throws -> Response {
        let flags = site.useCases.flagAdmin
        var rows: [FlagsPage.Row] = []
        for status in try await flags.list() {
            let flag = status.flag
            let changes = try await flags.history(key: status.definition.key, limit: 20)
            rows.append(
                FlagsPage.Row(
                    key: status.definition.key, description: status.definition.summary.localized,
                    audience: status.definition.audience.localized, summary: status.summary.localized,
                    enabled: flag?.enabled ?? status.definition.defaultValue,
                    percent: FeatureFlag.percentText(flag?.rolloutBasisPoints ?? (status.definition.defaultValue ? 10_000 : 0)),
                    always: flag?.alwaysOn.joined(separator: "\n") ?? "", never: flag?.alwaysOff.joined(separator: "\n") ?? "",
                    changes: changes.map {
                        .init(
                            at: Views.date($0.at), by: $0.by, before: $0.before?.summary.localized ?? Phrase("not set").localized,
                            after: $0.after.summary.localized)
                    }, hasChanges: !changes.isEmpty))
        }
        let days = 30
        let stale = try await flags.stale(olderThan: days).map { entry -> String in
            let state: Phrase = entry.fullyOn ? "on for everyone" : "off for everyone"
            let phrase: Phrase =
                entry.declared
                ? "\(entry.flag.key): \(state) for \(entry.days) days; its code can be removed."
                : "\(entry.flag.key): no version asks about it any more; its row can be deleted."
            return phrase.localized
        }
        return site.page(
            "admin-flags", FlagsPage(flags: rows, stale: stale, staleDays: days, hasStale: !stale.isEmpty), title: "Feature flags",
            request: request,
            context: context)
    }

    /// Changes a flag as its form says: recorded with who and when, seen by every instance within a second.
    @Sendable func saveFlag(_ request: Request, context: Admin) async throws -> Response {
        let key = try context.parameters.require("key")
        _ = try FlagDefinition.named(key)
        let form = try await request.form(context: context)
        let text = form["percent"] ?? ""
        guard let points = FeatureFlag.basisPoints(percent: text) else {
            throw DomainError.invalid("A rollout is a percentage from 0 to 100, with at most two decimals.")
        }
        let update = FlagUpdate(
            enabled: form["enabled"] != nil, rolloutBasisPoints: points, alwaysOn: FlagUpdate.list(form["always"] ?? ""),
            alwaysOff: FlagUpdate.list(form["never"] ?? ""))
        let flag = try await site.useCases.flagAdmin.set(key: key, update, by: FlagAdminService.actor(context.principal))
        return site.redirect("/admin/flags", flash: "\(key) is now \(flag.summary).")
    }

    /// The role chosen in a form.
    private static func role(_ form: Form) throws -> Role {
        guard let role = form["role"].flatMap(Role.init(rawValue:)), roles.contains(role) else {
            throw DomainError.invalid("Choose a role: \(roles.map(\.rawValue).joined(separator: ", ")).")
        }
        return role
    }
}
