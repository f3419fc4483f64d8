import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation

/// The administrators' use cases: users, materials and prices, the dead letters of the job queue.
public struct AdminService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    public func users(role: Role?, search: String?, page: PageRequest) async throws -> Page<UserAccount> {
        try await context.store.reader.users(role: role, search: InputLimits.search(search), page: page)
    }

    /// The roles an administrator gives people (partners and the system are not people who sign in).
    public static let assignableRoles: [Role] = [.customer, .seller, .operator, .admin]

    /// Gives a person another role. Nobody changes their own role, so the last administrator
    /// cannot lock everyone out by mistake.
    public func changeRole(userID: String, to role: Role, by admin: Principal) async throws -> UserAccount {
        guard Self.assignableRoles.contains(role) else {
            throw DomainError.invalid("Choose a role: \(Self.assignableRoles.map(\.rawValue).joined(separator: ", ")).")
        }
        guard userID != admin.userID else { throw DomainError.invalid("You cannot change your own role; another administrator can.") }
        defer { context.sessions.forget(userID: userID) }
        return try await context.store.write { tx in
            guard var user = try await tx.user(id: userID) else { throw DomainError.notFound("There is no user '\(userID)'.") }
            user.role = role
            try await tx.update(userID: userID, role: role)
            return user
        }
    }

    /// Disables an account (it cannot sign in and every session of it ends) or enables it again.
    /// Nobody disables their own account.
    public func setDisabled(userID: String, _ disabled: Bool, by admin: Principal) async throws -> UserAccount {
        guard userID != admin.userID else { throw DomainError.invalid("You cannot disable your own account; another administrator can.") }
        let now = context.time.now()
        defer { context.sessions.forget(userID: userID) }
        return try await context.store.write { tx in
            guard var user = try await tx.user(id: userID) else { throw DomainError.notFound("There is no user '\(userID)'.") }
            user.disabledAt = disabled ? now : nil
            try await tx.update(userID: userID, disabledAt: user.disabledAt)
            if disabled { _ = try await tx.deleteSessions(userID: userID, except: nil) }
            return user
        }
    }

    public func priceList() async throws -> PriceList { try await context.store.reader.priceList() }

    /// Loads a whole price list (checked first) as the next version; the first one is version 1.
    public func load(priceList: PriceList) async throws -> PriceList {
        let checked = try priceList.validated()
        return try await context.store.write { tx in
            let previous: Int
            do { previous = try await tx.priceList().version } catch is PriceListMissing { previous = 0 }
            var list = checked
            list.version = previous + 1
            try await tx.save(priceList: list)
            return list
        }
    }

    /// Adds or changes a material; the price list gets a new version, so new quotes use the new price
    /// and cached quotes of the old version are not reused.
    public func upsert(material: Material) async throws -> PriceList {
        let material = try material.validated()
        return try await context.store.write { tx in
            var list = try await tx.priceList()
            if let index = list.materials.firstIndex(where: { $0.code == material.code }) {
                list.materials[index] = material
            } else {
                list.materials.append(material)
            }
            list.version += 1
            try await tx.save(priceList: list)
            return list
        }
    }

    /// The casting rules the pricing job checks models against (sellers and operators read them too).
    public func castingRules() async throws -> CastingRules { try await context.store.reader.castingRules() }

    /// Loads a whole set of casting rules (checked first) as the next version.
    public func load(castingRules: CastingRules) async throws -> CastingRules {
        let checked = try castingRules.validated()
        return try await context.store.write { tx in
            try await Self.checkMaterials(of: checked.rules, in: tx)
            var rules = checked
            rules.version = try await tx.castingRules().version + 1
            try await tx.save(castingRules: rules)
            return rules
        }
    }

    /// Adds or changes one alloy's casting rule: a new version of the rules, which orders priced
    /// from now on are checked against (a stored report keeps the version it was checked with).
    public func upsert(castingRule rule: CastingRule) async throws -> CastingRules {
        try await context.store.write { tx in
            try await Self.checkMaterials(of: [rule], in: tx)
            var rules = try await tx.castingRules()
            if let index = rules.rules.firstIndex(where: { $0.materialCode == rule.materialCode }) {
                rules.rules[index] = rule
            } else {
                rules.rules.append(rule)
            }
            rules = try rules.validated()
            rules.version += 1
            try await tx.save(castingRules: rules)
            return rules
        }
    }

    /// A rule is for a material of the price list: a misspelt code would be a rule nothing uses.
    private static func checkMaterials(of rules: [CastingRule], in tx: any StoreTransaction) async throws {
        let known = Set(try await tx.priceList().materials.map(\.code))
        if let unknown = rules.first(where: { !known.contains($0.materialCode) }) {
            throw DomainError.invalid(
                "There is no material '\(unknown.materialCode)' in the price list; a casting rule is for one of: \(known.sorted().joined(separator: ", "))."
            )
        }
    }

    public func deadLetters(page: PageRequest) async throws -> Page<JobRecord> {
        try await context.store.reader.jobs(state: .dead, page: page)
    }

    public func jobCounts() async throws -> [JobCount] { try await context.store.reader.jobCounts() }

    /// Puts a dead job back in its queue with fresh attempts.
    public func redrive(jobID: Int64) async throws {
        let now = context.time.now()
        let redriven = try await context.store.write { tx in try await tx.redriveJob(id: jobID, at: now) }
        guard redriven else { throw DomainError.notFound("Job \(jobID) is not in the dead letters.") }
    }
}
