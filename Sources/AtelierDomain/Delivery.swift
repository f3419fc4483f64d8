import AtelierText
import Foundation

/// Where a piece goes and whom the carrier calls: kept with the order as it was when ordered (a
/// later change of the customer's saved addresses does not move a parcel on its way).
public struct DeliveryDetails: Sendable, Hashable, Codable {
    public var recipient: String
    /// In international form: `+` and 8 to 15 digits.
    public var phone: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    public var postalCode: String
    public var city: String
    /// Street, house, flat: the line the carrier reads.
    public var street: String
    /// A word for the workshop (an engraving's font, a gift box); nil when none.
    public var note: String?

    /// Checks and tidies what a person typed; each problem has its own message.
    public init(
        recipient: String, phone: String, country: String, postalCode: String, city: String, street: String, note: String? = nil
    ) throws {
        self.recipient = try Self.text(recipient, field: "The recipient's name", max: 100)
        self.phone = try Self.phoneNumber(phone, country: country)
        let country = country.uppercased()
        guard country.count == 2, country.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw DomainError.invalid("The country is a two-letter code such as RU.")
        }
        self.country = country
        guard postalCode.unicodeScalars.count <= 10 else { throw DomainError.invalid("The postal code is not one.") }
        let postal = postalCode.trimmingCharacters(in: .whitespaces).uppercased()
        let postalValid =
            country == "RU"
            ? postal.count == 6 && postal.allSatisfy(\.isASCIIDigit)
            : (2...10).contains(postal.count)
                && postal.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == " " || $0 == "-" }
        guard postalValid else {
            throw DomainError.invalid(country == "RU" ? "A Russian postal code has six digits." : "The postal code is not one.")
        }
        self.postalCode = postal
        self.city = try Self.text(city, field: "The city", max: 100)
        self.street = try Self.text(street, field: "The street and house", max: 200)
        guard (note?.unicodeScalars.count ?? 0) <= 1000 else {
            throw DomainError.invalid("A note for the workshop has at most 1000 characters.")
        }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        self.note = note.isEmpty ? nil : note
    }

    /// What makes two addresses the same one (a saved address is kept once).
    public var fingerprint: String {
        [recipient, phone, country, postalCode, city, street].map { $0.lowercased() }.joined(separator: "\u{1F}")
    }

    /// The address as lines on a parcel.
    public var lines: [String] { [recipient, street, "\(postalCode) \(city)", country, phone] }

    /// A line of 1 to `max` characters, without control characters.
    static func text(_ sent: String, field: Phrase, max: Int) throws -> String {
        // Counted as sent (the contracts' maxLength counts spaces around it too).
        let value = sent.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty, sent.unicodeScalars.count <= max,
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw DomainError.invalid("\(field) is needed, in at most \(max) characters on one line.") }
        return value
    }

    /// `+` and 8 to 15 digits, from what people write: spaces, dashes, brackets and dots go; a
    /// Russian number written from inside the country (`8 912 …`) becomes `+7 912 …`.
    static func phoneNumber(_ value: String, country: String) throws -> String {
        let problem = DomainError.invalid("The phone number is not one: write it with its country code, such as +7 912 345-67-89.")
        guard value.unicodeScalars.count <= 30 else { throw problem }
        let kept = value.filter { !" -().\u{A0}".contains($0) }
        var digits = kept.hasPrefix("+") ? String(kept.dropFirst()) : kept
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { throw problem }
        if !kept.hasPrefix("+") {
            guard country.uppercased() == "RU", digits.count == 11, digits.first == "8" || digits.first == "7" else { throw problem }
            digits = "7" + digits.dropFirst()
        }
        guard (8...15).contains(digits.count) else { throw problem }
        return "+" + digits
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
