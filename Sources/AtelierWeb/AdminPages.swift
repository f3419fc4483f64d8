import AtelierDomain
import AtelierHTTP
import AtelierServices
import Foundation
import Hummingbird

/// The administrators' pages: users and their roles, materials and metal prices.
struct AdminPages {
    let site: WebSite
    var admin: AdminService { site.useCases.admin }
    static let roles = AdminService.assignableRoles

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("/") { request, context in
            let me = try context.require(.admin).userID
            let query = Form(query: request)
            let role = query["role"].flatMap(Role.init(rawValue:))
            let search = query["q"]?.trimmingCharacters(in: .whitespaces)
            let page = try await admin.users(
                role: role, search: search?.isEmpty == false ? search : nil, page: try pageRequest(request, limit: 50))
            var values: [String: Any] = [
                "users": page.items.map { user -> [String: Any] in
                    [
                        "id": user.id, "name": user.name, "email": user.email, "role": user.role.rawValue,
                        "since": Views.date(user.createdAt),
                        "me": user.id == me, "disabled": user.disabledAt != nil,
                        "choices": Self.roles.map { ["code": $0.rawValue, "selected": $0 == user.role] },
                    ]
                },
                "q": search ?? "", "roles": Self.roles.map { ["code": $0.rawValue, "selected": $0 == role] },
            ]
            values.merge(Views.page(page, path: "/admin", query: query.fields), uniquingKeysWith: { $1 })
            return site.page("admin-users", values, title: "Users", request: request, context: context)
        }
        group.post("users") { request, context -> Response in
            _ = try context.require(.admin)
            let form = try await request.form(context: context)
            let role = try Self.role(form)
            let user = try await site.useCases.accounts.createUser(
                email: form["email"] ?? "", name: form["name"] ?? "", password: form["password"] ?? "", role: role)
            return site.redirect("/admin", flash: "\(user.name) can sign in as \(user.role.rawValue) with \(user.email).")
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            group.post("users/{id}/\(action)") { _, context -> Response in
                let me = try context.require(.admin)
                let user = try await admin.setDisabled(userID: try context.parameters.require("id"), disabled, by: me)
                return site.redirect(
                    "/admin", flash: disabled ? "\(user.name) is disabled and signed out everywhere." : "\(user.name) can sign in again.")
            }
        }
        group.post("users/{id}/role") { request, context -> Response in
            let me = try context.require(.admin)
            let role = try Self.role(try await request.form(context: context))
            let user = try await admin.changeRole(userID: try context.parameters.require("id"), to: role, by: me)
            return site.redirect("/admin", flash: "\(user.name) is now \(user.role.rawValue), from their next page on.")
        }
        group.get("materials") { request, context in
            _ = try context.require(.admin)
            let list = try await admin.priceList()
            let values: [String: Any] = [
                "version": list.version, "currency": list.currency,
                "materials": list.materials.map {
                    [
                        "code": $0.code, "name": $0.name, "density": $0.densityGPerCM3, "loss": $0.castingLossPercent, "active": $0.active,
                        "price": Views.number(Double($0.pricePerGramMinor) / 100),
                    ] as [String: Any]
                },
                "finishes": list.finishes.map {
                    ["name": $0.name, "price": Money(minorUnits: $0.priceMinor, currency: list.currency).description]
                },
            ]
            return site.page("admin-materials", values, title: "Materials and prices", request: request, context: context)
        }
        /// Adds a material or changes one: a new price list version, used by every quote from now on.
        group.post("materials") { request, context -> Response in
            _ = try context.require(.admin)
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
    }

    /// The role chosen in a form.
    private static func role(_ form: Form) throws -> Role {
        guard let role = form["role"].flatMap(Role.init(rawValue:)), roles.contains(role) else {
            throw DomainError.invalid("Choose a role: \(roles.map(\.rawValue).joined(separator: ", ")).")
        }
        return role
    }
}
