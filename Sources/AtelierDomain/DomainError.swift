import AtelierText

/// A business rule refused an action. Each case carries what a person needs to understand why,
/// as a ``Phrase`` that the surfaces say in the person's language.
public enum DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The move is not in the transition table for this actor, or the order is in another status.
    case illegalTransition(orderID: String, current: OrderStatus, requested: OrderStatus, role: Role, allowed: [OrderStatus])
    /// Another operator took the order first.
    case alreadyTaken(orderID: String, by: String)
    /// The order belongs to someone else (another customer, another operator's work).
    case notYours(orderID: String, reason: Phrase)
    /// A required value is missing or wrong.
    case invalid(Phrase)
    /// Something that was asked for does not exist.
    case notFound(Phrase)

    /// What went wrong, in words for a person.
    public var phrase: Phrase {
        switch self {
        case let .illegalTransition(orderID, current, requested, role, allowed):
            let moves: Phrase = allowed.isEmpty ? "none" : Phrase(verbatim: allowed.map(\.rawValue).joined(separator: ", "))
            return
                "Order \(orderID) is \(current.rawValue); a \(role.rawValue) cannot move it to \(requested.rawValue). Allowed moves for a \(role.rawValue) from \(current.rawValue): \(moves)."
        case let .alreadyTaken(orderID, by):
            return "Order \(orderID) was already taken by \(by)."
        case let .notYours(orderID, reason):
            return "Order \(orderID): \(reason)"
        case let .invalid(message):
            return message
        case let .notFound(message):
            return message
        }
    }

    /// The message in English.
    public var description: String { phrase.description }
}
