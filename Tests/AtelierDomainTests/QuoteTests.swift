import AtelierDomain
import AtelierText
import Foundation
import Testing

@Suite("Quotes")
struct QuoteTests {
    let priceList = PriceList(
        version: 3, currency: "EUR",
        materials: [Material(code: "gold-585", name: "Gold 585", densityGPerCM3: 13.0, pricePerGramMinor: 4_000, castingLossPercent: 5)],
        finishes: [Finish(code: "polish", name: "Polish", priceMinor: 1_500)],
        labour: LabourRates(
            baseMinor: 4_000, perSquareCMMinor: 100, perExtraShellMinor: 1_000, perDetailDoublingMinor: 500, markupPercent: 10))

    @Test("metal weight comes from volume and density; every line adds up to the total")
    func itemised() throws {
        // 1 cm³ of gold at 13 g/cm³: 13 g, 520.00 EUR of metal.
        let metrics = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 12, shells: 1)

        let quote = try QuoteCalculator.quote(metrics: metrics, materialCode: "gold-585", finishCodes: ["polish"], priceList: priceList)

        #expect(abs(quote.metalWeightGrams - 13) < 1e-9)
        let amounts = Dictionary(uniqueKeysWithValues: quote.lines.map { ($0.code, $0.amount.minorUnits) })
        #expect(amounts["metal"] == 52_000)
        #expect(amounts["casting-loss"] == 2_600)
        #expect(amounts["labour"] == Int64(4_600))  // base 40.00 + 6 cm² × 1.00
        #expect(amounts["finish:polish"] == 1_500)
        let subtotal: Int64 = 52_000 + 2_600 + 4_600 + 1_500
        #expect(amounts["markup"] == subtotal / 10)
        #expect(quote.total == Money(minorUnits: subtotal + subtotal / 10, currency: "EUR"))
        #expect(quote.lines.reduce(0) { $0 + $1.amount.minorUnits } == quote.total.minorUnits)
        #expect(quote.priceListVersion == 3)
        #expect(quote.labour.minorUnits == 4_600)

        // The customer's quote: the markup carried by every line, the same total to the cent.
        let shown = quote.forCustomer
        #expect(shown.lines.map(\.code) == ["metal", "casting-loss", "labour", "finish:polish"])
        #expect(shown.lines.reduce(0) { $0 + $1.amount.minorUnits } == quote.total.minorUnits)
        #expect(shown.lines.first?.amount.minorUnits == 57_200)  // 520.00 EUR of metal and its 10 %
        #expect(shown.total == quote.total && shown.labour.minorUnits == 5_060)
    }

    @Test("more detail and more parts cost more labour")
    func complexity() throws {
        let simple = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 10_000, shells: 1)
        var detailed = simple
        detailed.triangles = 40_000  // two doublings
        detailed.shells = 3
        let a = try QuoteCalculator.quote(metrics: simple, materialCode: "gold-585", finishCodes: [], priceList: priceList)
        let b = try QuoteCalculator.quote(metrics: detailed, materialCode: "gold-585", finishCodes: [], priceList: priceList)
        #expect(b.labour.minorUnits - a.labour.minorUnits == 2 * 500 + 2 * 1_000)
    }

    @Test("an unknown material or finish is named with the known ones")
    func unknownCodes() {
        let metrics = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 12, shells: 1)
        #expect(throws: DomainError.invalid("Unknown material 'tin'. Known materials: gold-585.")) {
            _ = try QuoteCalculator.quote(metrics: metrics, materialCode: "tin", finishCodes: [], priceList: priceList)
        }
        #expect(throws: DomainError.invalid("Unknown finish 'gilt'. Known finishes: polish.")) {
            _ = try QuoteCalculator.quote(metrics: metrics, materialCode: "gold-585", finishCodes: ["gilt"], priceList: priceList)
        }
    }

    @Test("money prints in major units")
    func money() {
        #expect(Money(minorUnits: 123_456, currency: "EUR").description == "1234.56 EUR")
        #expect(Money(minorUnits: -5, currency: "EUR").description == "-0.05 EUR")
    }
}

@Suite("Pricing rules")
struct PricingRulesTests {
    let priceList = PriceList(
        version: 1, currency: "EUR",
        materials: [Material(code: "silver-925", name: "Silver", densityGPerCM3: 10.4, pricePerGramMinor: 90, castingLossPercent: 5)],
        finishes: [],
        labour: LabourRates(
            baseMinor: 4_000, perSquareCMMinor: 100, perExtraShellMinor: 1_000, perDetailDoublingMinor: 500, markupPercent: 10))

    func labour(_ metrics: ModelMetrics, _ rules: PricingRules) throws -> Int64 {
        try QuoteCalculator.quote(metrics: metrics, materialCode: "silver-925", finishCodes: [], priceList: priceList, rules: rules).labour
            .minorUnits
    }

    @Test("v2 prices the shape, not the export: the same piece exported finer costs the same")
    func resolutionDoesNotMatter() throws {
        let coarse = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 12, shells: 1)
        var fine = coarse
        fine.triangles = 1_280_000  // 7 doublings above 10,000
        #expect(try labour(fine, .v1) - labour(coarse, .v1) == 7 * 500)
        #expect(try labour(fine, .v2) == labour(coarse, .v2))
    }

    @Test("v2 detail: none for a sphere, log2(6 / (36π)^(1/3)) doublings for a cube, more for a thin plate")
    func shapeDetail() {
        let r = 5.0
        let sphere = ModelMetrics(volumeMM3: 4 / 3 * .pi * r * r * r, surfaceAreaMM2: 4 * .pi * r * r, triangles: 10, shells: 1)
        #expect(abs(PricingRules.v2.detailDoublings(sphere)) < 1e-9)
        let cube = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 12, shells: 1)
        #expect(abs(PricingRules.v2.detailDoublings(cube) - log2(6 / cbrt(36 * .pi))) < 1e-9)
        let plate = ModelMetrics(volumeMM3: 20 * 20 * 0.5, surfaceAreaMM2: 2 * 400 + 4 * 20 * 0.5, triangles: 12, shells: 1)
        #expect(PricingRules.v2.detailDoublings(plate) > PricingRules.v2.detailDoublings(cube) + 1)
    }

    @Test("a quote records its rules; one stored before there were two reads as v1")
    func recorded() throws {
        let metrics = ModelMetrics(volumeMM3: 1000, surfaceAreaMM2: 600, triangles: 12, shells: 1)
        let quote = try QuoteCalculator.quote(
            metrics: metrics, materialCode: "silver-925", finishCodes: [], priceList: priceList, rules: .v2)
        #expect(quote.rules == .v2)
        let text = String(decoding: try JSONEncoder().encode(quote), as: UTF8.self)
        #expect(text.contains("\"pricingRules\":2"))
        #expect(try JSONDecoder().decode(Quote.self, from: Data(text.utf8)) == quote)
        let old = text.replacingOccurrences(of: ",\"pricingRules\":2", with: "").replacingOccurrences(of: "\"pricingRules\":2,", with: "")
        #expect(!old.contains("pricingRules"))
        #expect(try JSONDecoder().decode(Quote.self, from: Data(old.utf8)).rules == .v1)
    }
}
