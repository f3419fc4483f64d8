import AtelierDomain
import AtelierText
import Foundation
import Testing

@Suite("Money never traps")
struct MoneyTests {
    @Test("adding past the largest amount is an error, not a crash")
    func overflow() throws {
        let big = Money(minorUnits: Money.limit, currency: "EUR")
        #expect(throws: DomainError.self) { try big + Money(minorUnits: 1, currency: "EUR") }
        #expect(throws: DomainError.self) { try Money(minorUnits: .max, currency: "EUR") + Money(minorUnits: .max, currency: "EUR") }
        #expect(
            try Money(minorUnits: 150, currency: "EUR") + Money(minorUnits: 250, currency: "EUR") == Money(minorUnits: 400, currency: "EUR")
        )
    }

    @Test("adding two currencies is an error, not a crash")
    func currencies() {
        #expect(throws: DomainError.self) { try Money(minorUnits: 1, currency: "EUR") + Money(minorUnits: 1, currency: "RUB") }
    }

    @Test("rounding a huge, infinite or NaN amount is an error, not a crash")
    func rounding() throws {
        for value in [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 9.3e18] {
            #expect(throws: DomainError.self, "\(value)") { try Money.rounded(value, "EUR") }
        }
        #expect(try Money.rounded(1234.5, "EUR").minorUnits == 1235)
    }

    @Test("an amount typed in major units is checked against its range, with the range in the message")
    func typed() throws {
        #expect(try Money.minorUnits(ofMajor: 499.9, what: "A limit") == 49_990)
        do {
            _ = try Money.minorUnits(ofMajor: 1e300, what: "An auto-approval limit")
            Issue.record("1e300 was accepted")
        } catch let error as DomainError {
            #expect(error.description == "An auto-approval limit must be an amount between 0 and 100000000000.00.")
        }
        #expect(throws: DomainError.self) { try Money.minorUnits(ofMajor: -1, what: "A limit") }
    }

    @Test("a price per gram past its bound is refused, so no quote can overflow")
    func materialBound() {
        let gold = Material(code: "gold", name: "Gold", densityGPerCM3: 15, pricePerGramMinor: .max, castingLossPercent: 5)
        #expect(throws: DomainError.self) { try gold.validated() }
    }

    @Test("a quote whose amounts leave the range is refused, not a crash")
    func quoteOverflow() {
        let list = PriceList(
            version: 1, currency: "EUR",
            materials: [Material(code: "gold", name: "Gold", densityGPerCM3: 15, pricePerGramMinor: .max / 2, castingLossPercent: 5)],
            finishes: [],
            labour: LabourRates(baseMinor: 1, perSquareCMMinor: 1, perExtraShellMinor: 1, perDetailDoublingMinor: 1, markupPercent: 10))
        let metrics = ModelMetrics(volumeMM3: 5_000, surfaceAreaMM2: 100, triangles: 1_000, shells: 1)
        #expect(throws: DomainError.self) {
            try QuoteCalculator.quote(metrics: metrics, materialCode: "gold", finishCodes: [], priceList: list)
        }
    }
}
