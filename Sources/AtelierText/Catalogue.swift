import Foundation

/// The translations of one language: each English text (a ``Phrase``'s key, or a text of a page
/// template, its white space collapsed) mapped to the same text in that language, with the same
/// `{n}` placeholders or template tags. The catalogues are files shipped with the program
/// (`Resources/<language>.json`); a test fails when one lacks a text the program uses.
public struct Catalogue: Sendable {
    public let language: Language
    public let entries: [String: String]

    public init(language: Language, entries: [String: String]) {
        self.language = language
        self.entries = Dictionary(entries.map { (Self.normalized($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// English needs no translation: the texts are written in it.
    public static let english = Catalogue(language: .english, entries: [:])
    /// Russian, from `Resources/ru.json`; empty (English shows) when the file cannot be read,
    /// which ``loadingProblem`` reports at start.
    public static let russian: Catalogue = (try? load(.russian)) ?? Catalogue(language: .russian, entries: [:])

    public static func `for`(_ language: Language) -> Catalogue {
        switch language {
        case .english: english
        case .russian: russian
        }
    }

    /// Why a shipped catalogue cannot be read, or nil; the program refuses to start with one.
    public static var loadingProblem: String? {
        for language in Language.allCases where language != .english {
            do { _ = try load(language) } catch { return "The \(language.rawValue) translations cannot be read: \(error)" }
        }
        return nil
    }

    static func load(_ language: Language) throws -> Catalogue {
        guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json") else {
            throw CatalogueError.missing(language.rawValue)
        }
        let entries = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        return Catalogue(language: language, entries: entries)
    }

    /// `phrase` in this language: its translation with the values put in (values that are
    /// phrases translated too); the English text where the catalogue has none.
    public func text(_ phrase: Phrase) -> String {
        let template = language == .english ? phrase.key : entries[phrase.key] ?? phrase.key
        guard !phrase.values.isEmpty else { return template }
        return Self.fill(template) { index in
            guard phrase.values.indices.contains(index) else { return nil }
            switch phrase.values[index] {
            case let .text(text): return text
            case let .phrase(inner): return self.text(inner)
            }
        }
    }

    /// A text of a page template in this language (the English text where there is none).
    public func translate(_ english: String) -> String {
        let key = Self.normalized(english)
        return language == .english ? key : entries[key] ?? key
    }

    /// White space collapsed to single spaces, none at the ends: a template's line breaks and
    /// indentation are not part of what it says.
    public static func normalized(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// `template` with each `{n}` replaced by `value(n - 1)`; a brace that starts no placeholder
    /// stays as it is. One pass over the template.
    static func fill(_ template: String, _ value: (Int) -> String?) -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            let digits = rest[afterOpen...].prefix(while: \.isASCIIDigit)
            if !digits.isEmpty, digits.count <= 3, digits.endIndex < rest.endIndex, rest[digits.endIndex] == "}",
                let number = Int(digits), let text = value(number - 1)
            {
                result += text
                rest = rest[rest.index(after: digits.endIndex)...]
            } else {
                result.append("{")
                rest = rest[afterOpen...]
            }
        }
        result += rest
        return result
    }
}

enum CatalogueError: Error, CustomStringConvertible {
    case missing(String)

    var description: String {
        switch self {
        case let .missing(name): "the file \(name).json is not among the program's resources"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
