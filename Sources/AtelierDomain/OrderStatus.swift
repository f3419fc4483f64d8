/// The statuses an order passes through, in the order of the brief, plus `cancelled`.
public enum OrderStatus: String, CaseIterable, Codable, Sendable, Comparable {
    case initiated = "INITIATED"
    case fileUploaded = "FILE_UPLOADED"
    case submitted = "SUBMITTED"
    case priceCalculated = "PRICE_CALCULATED"
    case manufacturingApproved = "MANUFACTURING_APPROVED"
    case manufacturingStarted = "MANUFACTURING_STARTED"
    case manufacturingCompleted = "MANUFACTURING_COMPLETED"
    case packaging = "PACKAGING"
    case shipped = "SHIPPED"
    case closed = "CLOSED"
    case cancelled = "CANCELLED"

    /// A terminal status admits no further move.
    public var isTerminal: Bool { self == .closed || self == .cancelled }

    /// Position in the lifecycle; `cancelled` sorts last.
    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: OrderStatus, rhs: OrderStatus) -> Bool { lhs.rank < rhs.rank }
}
