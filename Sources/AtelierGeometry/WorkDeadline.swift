/// The moment work on one model must stop.
///
/// Reading, analysing and drawing a model are linear in its size, but a size that is allowed can
/// still take long on a busy machine; every loop of that work checks the deadline every few
/// thousand steps and ends with ``MeshError/tooComplex(budgetSeconds:)`` once it has passed.
public struct WorkDeadline: Sendable {
    private let end: ContinuousClock.Instant?
    /// The whole budget, for the message.
    public let budget: Duration

    /// No deadline (tools and tests that read files they made themselves).
    public static let none = WorkDeadline(end: nil, budget: .zero)

    private init(end: ContinuousClock.Instant?, budget: Duration) {
        self.end = end
        self.budget = budget
    }

    /// Ends `budget` from now.
    public init(after budget: Duration) {
        self.init(end: .now + budget, budget: budget)
    }

    /// A deadline from the limits' time budget, or none when the limits set none.
    public init(_ limits: MeshLimits) {
        if let budget = limits.timeBudget { self.init(after: budget) } else { self = .none }
    }

    /// Throws once the deadline has passed; cheap enough to call in every loop step (it reads the
    /// clock only when `step` is a multiple of 4,096).
    @inlinable @inline(__always)
    public func check(_ step: Int) throws {
        if step & 0xFFF == 0 { try check() }
    }

    /// Throws once the deadline has passed.
    public func check() throws {
        if let end, ContinuousClock.now > end {
            let parts = budget.components
            throw MeshError.tooComplex(budgetSeconds: Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
        }
    }
}
