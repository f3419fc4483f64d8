import AtelierApp
import AtelierDomain
import AtelierServices
import AtelierStorage
import Foundation
import Logging
import Testing

@Suite("Loading a price list")
struct PriceListTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/price-list.json")

    /// Atelier on a new database without the demo data: no prices, no accounts.
    func bare() async throws -> Composition {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-prices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = AtelierConfiguration()
        configuration.dataDirectory = folder.path
        let store = try SQLiteStore(path: configuration.databasePath)
        try await store.migrate()
        return Composition(store: store, configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("without a price list nothing is priced, and the refusal says how to load one; the example loads as version 1, then 2")
    func firstPriceList() async throws {
        let composition = try await bare()
        let admin = composition.useCases.admin
        let missing = await #expect(throws: PriceListMissing.self) { try await composition.useCases.shop.priceList() }
        #expect(missing?.description.contains("atelier prices load") == true)

        let example = try JSONDecoder().decode(PriceList.self, from: Data(contentsOf: Self.example))
        #expect(example.currency == "RUB")
        #expect(try await admin.load(priceList: example).version == 1)
        #expect(try await admin.load(priceList: example).version == 2)
        #expect(try await composition.useCases.shop.priceList().materials.map(\.code) == example.materials.map(\.code))
    }

    @Test("a price list with a wrong currency, a repeated code or absurd rates is refused, and nothing is saved")
    func refused() async throws {
        let composition = try await bare()
        let admin = composition.useCases.admin
        let example = try JSONDecoder().decode(PriceList.self, from: Data(contentsOf: Self.example))
        var lowercase = example
        lowercase.currency = "rub"
        var repeated = example
        repeated.materials.append(example.materials[0])
        var markup = example
        markup.labour.markupPercent = 10_000
        var density = example
        density.materials[0].densityGPerCM3 = 0
        for list in [lowercase, repeated, markup, density] {
            await #expect(throws: DomainError.self) { try await admin.load(priceList: list) }
        }
        await #expect(throws: PriceListMissing.self) { try await admin.priceList() }
    }
}
