import Foundation

/// A language Atelier speaks. English is the language of the source and the fallback.
public enum Language: String, Sendable, CaseIterable, Codable {
    case english = "en"
    case russian = "ru"

    /// The locale its dates, numbers and amounts are written in.
    public var locale: Locale {
        switch self {
        case .english: Locale(identifier: "en_GB")
        case .russian: Locale(identifier: "ru_RU")
        }
    }

    /// The language's own name, as its speakers write it (for the switch).
    public var name: String {
        switch self {
        case .english: "English"
        case .russian: "Русский"
        }
    }

    /// A language tag such as `ru`, `ru-RU` or `EN_us`; nil when Atelier does not speak it.
    public init?(tag: some StringProtocol) {
        let primary = tag.prefix(while: { $0 != "-" && $0 != "_" }).lowercased()
        guard let language = Language(rawValue: primary) else { return nil }
        self = language
    }

    /// The language an `Accept-Language` header asks for (RFC 9110: tags with optional `q`
    /// weights): the supported one with the highest weight, the first of equal weights; English
    /// when it names none Atelier speaks. A hostile header costs at most its first 32 entries.
    public static func preferred(acceptLanguage header: String?) -> Language {
        guard let header, !header.isEmpty else { return .english }
        var best: (language: Language, weight: Double)?
        for entry in header.utf8.prefix(1024).split(separator: UInt8(ascii: ","), maxSplits: 32).prefix(32) {
            let parts = entry.split(separator: UInt8(ascii: ";"))
            guard let tagBytes = parts.first else { continue }
            let tag = String(decoding: tagBytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard let language = Language(tag: tag) else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let text = String(decoding: parameter, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("q="), let value = Double(text.dropFirst(2)), value.isFinite { weight = min(max(value, 0), 1) }
            }
            if weight > 0, weight > (best?.weight ?? 0) { best = (language, weight) }
        }
        return best?.language ?? .english
    }
}

/// The person being answered: the language and the time zone their words, dates and amounts are
/// written in. Set for each request (see the HTTP layer's language middleware) and for each e-mail.
public struct Addressee: Sendable, Equatable {
    public var language: Language
    public var timeZone: TimeZone

    /// Where Alexandrite's workshop is: the time zone of a person who has not said theirs.
    public static let workshopTimeZone = TimeZone(identifier: "Europe/Moscow") ?? .gmt

    public init(language: Language, timeZone: TimeZone = Addressee.workshopTimeZone) {
        self.language = language
        self.timeZone = timeZone
    }

    /// The audience of the work being done now; English in the workshop's zone outside a request.
    @TaskLocal public static var current = Addressee(language: .english)

    /// A time zone a browser reported (an IANA name such as `Europe/Moscow`); nil when it is not one.
    public static func timeZone(named name: String?) -> TimeZone? {
        guard let name, (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
                    || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
            })
        else { return nil }
        return TimeZone(identifier: name)
    }

    /// `phrase` in this audience's language.
    public func text(_ phrase: Phrase) -> String { Catalogue.for(language).text(phrase) }

    /// A moment with its date and time: `2 Dec 2026, 15:04` / `2 дек. 2026 г., 15:04`.
    public func dateTime(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: language.locale, timeZone: timeZone))
    }

    /// A day: `9 December 2026` / `9 декабря 2026 г.`.
    public func day(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, locale: language.locale, timeZone: timeZone))
    }

    /// A number with `decimals` digits after the point, grouped as the language writes it.
    public func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "–" }
        return value.formatted(.number.precision(.fractionLength(decimals)).locale(language.locale))
    }

    /// An amount of `currency` (ISO 4217, such as `RUB` or `EUR`) given in minor units.
    public func amount(minorUnits: Int64, currency: String) -> String {
        let value = Decimal(minorUnits) / 100
        return value.formatted(.currency(code: currency).locale(language.locale))
    }
}
