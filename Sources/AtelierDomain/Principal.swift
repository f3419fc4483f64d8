/// The kinds of people and machines that act on orders.
public enum Role: String, CaseIterable, Codable, Sendable {
    case customer
    case seller
    case `operator`
    case admin
    /// The transport company's machine-to-machine message.
    case carrier
    /// Atelier's own workers (pricing, watchdog).
    case system
    /// An external jewelry seller ordering through the partner API (an API key, no password).
    case partner

    /// Whoever orders: a shop customer or a partner. They own their orders and see only those.
    public var ordersForItself: Bool { self == .customer || self == .partner }

    /// Alexandrite's own people.
    public var isStaff: Bool { self == .seller || self == .operator || self == .admin }
}

/// Who performs an action: a signed-in user, the carrier, or a worker of Atelier itself.
public struct Principal: Sendable, Hashable, Codable {
    public var userID: String
    public var role: Role
    public var name: String

    enum CodingKeys: String, CodingKey {
        case userID = "userId", role, name
    }

    public init(userID: String, role: Role, name: String) {
        self.userID = userID
        self.role = role
        self.name = name
    }

    /// The pricing worker.
    public static let pricing = Principal(userID: "system:pricing", role: .system, name: "Pricing worker")
    /// A partner's order priced within the partner's auto-approval limit.
    public static let autoApproval = Principal(userID: "system:auto-approval", role: .system, name: "Auto-approval policy")
    /// The carrier integration.
    public static let carrier = Principal(userID: "system:carrier", role: .carrier, name: "Carrier")
}
