/// Words for a person: an English sentence with the values put into it kept apart, so that the
/// sentence can be looked up in a ``Catalogue`` and said in the person's ``Language``.
///
/// A string literal is a phrase: `"Order \(id) has no model."` is the phrase with the key
/// `Order {1} has no model.` and the value `id`. The key is the English text as written in the
/// source; the catalogue of each other language maps it to a translation with the same `{n}`.
public struct Phrase: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// A value put into a phrase: a text shown as it is, or another phrase, translated too.
    public indirect enum Value: Sendable, Hashable {
        case text(String)
        case phrase(Phrase)
    }

    /// The English sentence with `{1}`, `{2}`… where the values go.
    public let key: String
    public let values: [Value]

    public init(stringLiteral value: String) {
        key = value
        values = []
    }

    public init(stringInterpolation: Interpolation) {
        key = stringInterpolation.key
        values = stringInterpolation.values
    }

    /// A text that is shown as it is in every language: a name, a code, or words that are already
    /// in the person's language.
    public init(verbatim text: String) {
        key = "{1}"
        values = [.text(text)]
    }

    public struct Interpolation: StringInterpolationProtocol {
        var key = ""
        var values: [Value] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            key.reserveCapacity(literalCapacity + 3 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { key += literal }

        public mutating func appendInterpolation(_ phrase: Phrase) {
            values.append(.phrase(phrase))
            key += "{\(values.count)}"
        }

        public mutating func appendInterpolation(_ value: some Any) {
            values.append(.text(String(describing: value)))
            key += "{\(values.count)}"
        }
    }

    /// Two phrases are the same when they say the same (in English): `"Order \(id)"` and the
    /// literal `"Order o-1"` are one phrase.
    public static func == (lhs: Phrase, rhs: Phrase) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// The phrase in English, as written in the source.
    public var description: String { Catalogue.english.text(self) }

    /// The phrase in the language of the person being answered (``Addressee/current``).
    public var localized: String { Addressee.current.text(self) }
}
