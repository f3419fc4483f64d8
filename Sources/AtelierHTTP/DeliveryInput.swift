import AtelierDomain

/// Where a piece goes, as a client sends it: checked into ``DeliveryDetails`` (each mistake has
/// its own message), the same for the shop's API and its checkout page.
public struct DeliveryInput: Decodable, Sendable {
    public var recipient: String
    public var phone: String
    public var country: String?
    public var postalCode: String
    public var city: String
    public var street: String
    public var note: String?

    public init(
        recipient: String, phone: String, country: String?, postalCode: String, city: String, street: String, note: String?
    ) {
        self.recipient = recipient
        self.phone = phone
        self.country = country
        self.postalCode = postalCode
        self.city = city
        self.street = street
        self.note = note
    }

    /// Russia when no country is given: Alexandrite's customers are there.
    public func checked() throws -> DeliveryDetails {
        try DeliveryDetails(
            recipient: recipient, phone: phone, country: country ?? "RU", postalCode: postalCode, city: city, street: street, note: note)
    }
}
