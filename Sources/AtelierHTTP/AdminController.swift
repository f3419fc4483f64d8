import AtelierDomain
import AtelierServices
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

    struct JobsResponse: ResponseEncodable {
        var counts: [JobCount]
    }

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.get("users") { request, context -> PageResponse<UserResponse> in
            _ = try context.require(.admin)
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
        /// Disables an account (its sessions end, it cannot sign in) or enables it again.
        for (action, disabled) in [("disable", true), ("enable", false)] {
            group.post("users/{id}/\(action)") { _, context -> UserResponse in
                let me = try context.require(.admin)
                return UserResponse(try await admin.setDisabled(userID: try context.parameters.require("id"), disabled, by: me))
            }
        }
        /// Creates a user of any role.
        group.post("users") { request, context -> EditedResponse<UserResponse> in
            _ = try context.require(.admin)
            let body = try await request.decode(as: NewUser.self, context: context)
            let user = try await accounts.createUser(email: body.email, name: body.name, password: body.password, role: body.role)
            return EditedResponse(status: .created, response: UserResponse(user))
        }
        group.get("price-list") { _, context -> PriceList in
            _ = try context.require(.admin, .seller)
            return try await admin.priceList()
        }
        /// Adds or changes a material and its price per gram; makes a new price-list version.
        group.put("materials/{code}") { request, context -> PriceList in
            _ = try context.require(.admin)
            let body = try await request.decode(as: MaterialBody.self, context: context)
            let material = Material(
                code: try context.parameters.require("code"), name: body.name, densityGPerCM3: body.densityGPerCM3,
                pricePerGramMinor: body.pricePerGramMinor, castingLossPercent: body.castingLossPercent, active: body.active ?? true)
            return try await admin.upsert(material: material)
        }
        /// Jobs per queue and state.
        group.get("jobs") { _, context -> JobsResponse in
            _ = try context.require(.admin)
            return JobsResponse(counts: try await admin.jobCounts())
        }
        /// Jobs that failed for good.
        group.get("jobs/dead") { request, context -> PageResponse<JobRecord> in
            _ = try context.require(.admin)
            return PageResponse(try await admin.deadLetters(page: try request.pageRequest()), { $0 })
        }
        /// Puts a dead job back in its queue.
        group.post("jobs/{id}/redrive") { _, context -> HTTPResponse.Status in
            _ = try context.require(.admin)
            try await admin.redrive(jobID: try context.parameters.require("id", as: Int64.self))
            return .accepted
        }
    }
}

extension JobCount: ResponseEncodable {}
