import AtelierDomain
import Testing

@Suite("Delivery details")
struct DeliveryTests {
    func delivery(phone: String = "+7 912 345-67-89", country: String = "RU", postalCode: String = "101000", recipient: String = "Anna")
        throws -> DeliveryDetails
    {
        try DeliveryDetails(
            recipient: recipient, phone: phone, country: country, postalCode: postalCode, city: "Moscow", street: "Tverskaya 7")
    }

    @Test("phone numbers as people write them become one international form")
    func phones() throws {
        #expect(try delivery(phone: "8 (912) 345-67-89").phone == "+79123456789")
        #expect(try delivery(phone: "+7 912 345 67 89").phone == "+79123456789")
        #expect(try delivery(phone: "+49 30 1234567", country: "DE", postalCode: "10115").phone == "+49301234567")
        for bad in ["", "912-34", "+7 912 ABC", "89123456789", "+1234567890123456"] where bad != "89123456789" {
            #expect(throws: DomainError.self, "\(bad)") { try delivery(phone: bad) }
        }
        // A number without its country code is Russian only when it says so (8 or 7 and ten digits).
        #expect(throws: DomainError.self) { try delivery(phone: "912 345 67 89") }
    }

    @Test("each field says what is wrong with it")
    func messages() throws {
        let postal = #expect(throws: DomainError.self) { try delivery(postalCode: "10100") }
        #expect(postal?.description == "A Russian postal code has six digits.")
        let name = #expect(throws: DomainError.self) { try delivery(recipient: "  ") }
        #expect(name?.description.contains("recipient") == true)
        let country = #expect(throws: DomainError.self) { try delivery(country: "Russia") }
        #expect(country?.description == "The country is a two-letter code such as RU.")
        #expect(try delivery(country: "de", postalCode: "10115").country == "DE")
        #expect(throws: DomainError.self) { try delivery(recipient: "Anna\nNew line") }
        // Lengths count what was sent, as the API contracts do: spaces around a full name too.
        #expect(try delivery(recipient: String(repeating: "a", count: 100)).recipient.count == 100)
        #expect(throws: DomainError.self) { try delivery(recipient: " " + String(repeating: "a", count: 100)) }
        #expect(throws: DomainError.self) { try delivery(country: " RU") }
    }
}
