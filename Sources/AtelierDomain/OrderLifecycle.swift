/// The transition table: which role may move an order from which status to which.
///
/// Every status change in Atelier goes through ``Order/transition(to:by:at:note:)``, which consults
/// this table; nothing writes a status directly.
public enum OrderLifecycle {
    /// One allowed move and the roles that may make it.
    public struct Move: Sendable, Hashable {
        public let from: OrderStatus
        public let to: OrderStatus
        public let roles: Set<Role>
    }

    /// Who orders: shop customers and partners move their own orders alike.
    static let orderingParties: Set<Role> = [.customer, .partner]

    /// Statuses from which the customer may still withdraw the order.
    public static let customerCancellable: Set<OrderStatus> = [
        .initiated, .fileUploaded, .submitted, .priceCalculated, .manufacturingApproved,
    ]

    /// Statuses from which a seller or an admin may cancel (anything before `SHIPPED`).
    public static let staffCancellable: Set<OrderStatus> = customerCancellable.union([
        .manufacturingStarted, .manufacturingCompleted, .packaging,
    ])

    /// Every allowed move.
    public static let moves: [Move] = {
        var moves: [Move] = [
            Move(from: .initiated, to: .fileUploaded, roles: orderingParties),
            // A customer may replace the model until the order is submitted.
            Move(from: .fileUploaded, to: .fileUploaded, roles: orderingParties),
            Move(from: .fileUploaded, to: .submitted, roles: orderingParties),
            Move(from: .submitted, to: .priceCalculated, roles: [.system]),
            // The system approves only a partner's order within the partner's auto-approval limit.
            Move(from: .priceCalculated, to: .manufacturingApproved, roles: [.seller, .admin, .system]),
            Move(from: .manufacturingApproved, to: .manufacturingStarted, roles: [.operator]),
            Move(from: .manufacturingStarted, to: .manufacturingCompleted, roles: [.operator]),
            Move(from: .manufacturingCompleted, to: .packaging, roles: [.operator]),
            Move(from: .packaging, to: .shipped, roles: [.operator]),
            Move(from: .shipped, to: .closed, roles: [.carrier, .seller, .admin]),
        ]
        for status in staffCancellable.sorted() {
            var roles: Set<Role> = [.seller, .admin]
            if customerCancellable.contains(status) { roles.formUnion(orderingParties) }
            moves.append(Move(from: status, to: .cancelled, roles: roles))
        }
        return moves
    }()

    private static let index: [OrderStatus: [OrderStatus: Set<Role>]] = {
        var index: [OrderStatus: [OrderStatus: Set<Role>]] = [:]
        for move in moves { index[move.from, default: [:]][move.to] = move.roles }
        return index
    }()

    /// The roles that may move an order from `from` to `to`; empty when the move does not exist.
    public static func roles(from: OrderStatus, to: OrderStatus) -> Set<Role> {
        index[from]?[to] ?? []
    }

    /// The statuses `role` may move an order to from `status`, in lifecycle order.
    public static func allowedMoves(from status: OrderStatus, for role: Role) -> [OrderStatus] {
        (index[status] ?? [:]).filter { $0.value.contains(role) }.map(\.key).sorted()
    }

    /// Every status reachable from `status` by anyone, in lifecycle order.
    public static func allowedMoves(from status: OrderStatus) -> [OrderStatus] {
        (index[status] ?? [:]).keys.sorted()
    }
}
