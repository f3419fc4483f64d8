import AtelierText
import Foundation

/// The bounds of every text and list a person or a partner sends, in one place (and in
/// docs/security.md). A value past its bound is refused with a message that names the bound.
public enum InputLimits {
    /// Finishes on one order; a set: the same finish twice counts once.
    public static let finishes = 10
    /// A material or finish code.
    public static let code = 40
    /// The reason given for a cancellation.
    public static let cancelReason = 500
    /// A note on an approval, a close, or a history entry given by a person.
    public static let note = 1000
    /// A search in a list (orders, customers, users).
    public static let search = 200

    /// `codes` without repeats, in their first order; throws past ``finishes`` or a code too long.
    public static func finishCodes(_ codes: [String]) throws -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for code in codes where seen.insert(code).inserted {
            guard code.unicodeScalars.count <= Self.code else {
                throw DomainError.invalid("A finish code has at most \(Self.code) characters.")
            }
            result.append(code)
            guard result.count <= finishes else { throw DomainError.invalid("An order has at most \(finishes) finishes.") }
        }
        return result
    }

    /// `text` trimmed, or an error naming `what` and the bound.
    public static func text(_ text: String, max: Int, what: Phrase) throws -> String {
        // Counted as sent, spaces around it included, as the API contracts' maxLength counts it.
        guard text.unicodeScalars.count <= max else {
            throw DomainError.invalid("\(what) has at most \(max) characters; this one has \(text.unicodeScalars.count).")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A search, trimmed and cut to ``search`` characters (a longer one cannot match better).
    public static func search(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return String(text.prefix(search))
    }
}
