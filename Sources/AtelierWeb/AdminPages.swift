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
        var chrome: Chrome?
        var version: Int
        var currency: String
        var materials: [MaterialRow]
        var finishes: [FinishRow]
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
        let model = MaterialsPage(
            version: list.version, currency: list.currency,
            materials: list.materials.map {
                MaterialsPage.MaterialRow(
                    code: $0.code, name: $0.name, density: $0.densityGPerCM3, loss: $0.castingLossPercent, active: $0.active,
                    price: Views.number(Double($0.pricePerGramMinor) / 100))
            },
            finishes: list.finishes.map {
                .init(name: $0.name, price: Views.money(Money(minorUnits: $0.priceMinor, currency: list.currency)))
            })
        return site.page("admin-materials", model, title: "Materials and prices", request: request, context: context)
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

    /// The role chosen in a form.
    private static func role(_ form: Form) throws -> Role {
        guard let role = form["role"].flatMap(Role.init(rawValue:)), roles.contains(role) else {
            throw DomainError.invalid("Choose a role: \(roles.map(\.rawValue).joined(separator: ", ")).")
        }
        return role
    }
}
