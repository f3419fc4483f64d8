import AtelierDomain
import AtelierGeometry
import AtelierStorage
import Foundation

/// The data a fresh Atelier starts with: a price list, a small catalog and one user per role.
public struct DemoData: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// The demo logins, one per role.
    public static let users: [(email: String, name: String, role: Role)] = [
        ("customer@atelier.test", "Clara Customer", .customer),
        ("seller@atelier.test", "Sam Seller", .seller),
        ("operator@atelier.test", "Olga Operator", .operator),
        ("admin@atelier.test", "Ada Admin", .admin),
    ]

    /// The starting price list: common alloys, finishes, labour rates (EUR).
    public static let priceList = PriceList(
        version: 1, currency: "EUR",
        materials: [
            Material(code: "silver-925", name: "Sterling silver 925", densityGPerCM3: 10.36, pricePerGramMinor: 95, castingLossPercent: 8),
            Material(
                code: "gold-585", name: "Yellow gold 585 (14k)", densityGPerCM3: 13.07, pricePerGramMinor: 4_200, castingLossPercent: 5),
            Material(
                code: "gold-750", name: "Yellow gold 750 (18k)", densityGPerCM3: 15.58, pricePerGramMinor: 5_600, castingLossPercent: 5),
            Material(code: "platinum-950", name: "Platinum 950", densityGPerCM3: 20.7, pricePerGramMinor: 3_900, castingLossPercent: 4),
        ],
        finishes: [
            Finish(code: "polish", name: "Mirror polish", priceMinor: 1_500),
            Finish(code: "matte", name: "Matte brushed finish", priceMinor: 1_200),
            Finish(code: "rhodium", name: "Rhodium plating", priceMinor: 2_500),
            Finish(code: "engraving", name: "Engraving", priceMinor: 3_000),
        ],
        labour: LabourRates(
            baseMinor: 4_000, perSquareCMMinor: 150, perExtraShellMinor: 1_000, perDetailDoublingMinor: 500, markupPercent: 30)
    )

    /// The currencies the demo price list comes in.
    public static let currencies = ["EUR", "RUB"]

    /// The demo price list in `currency`: in roubles, every amount at a round 100 ₽ to the euro.
    public static func priceList(in currency: String) -> PriceList {
        guard currency == "RUB" else { return priceList }
        var list = priceList
        list.currency = "RUB"
        list.materials = list.materials.map {
            var material = $0; material.pricePerGramMinor *= 100; return material
        }
        list.finishes = list.finishes.map {
            var finish = $0; finish.priceMinor *= 100; return finish
        }
        list.labour.baseMinor *= 100
        list.labour.perSquareCMMinor *= 100
        list.labour.perExtraShellMinor *= 100
        list.labour.perDetailDoublingMinor *= 100
        return list
    }

    /// Loads what is missing; safe to run on every start.
    /// Returns false when the database already had data.
    @discardableResult
    public func load() async throws -> Bool {
        let reader = context.store.reader
        if try await reader.user(email: Self.users[0].email) != nil { return false }
        let accounts = AccountService(context: context)
        var accountsToAdd: [UserAccount] = []
        for user in Self.users {
            accountsToAdd.append(
                try await accounts.newAccount(
                    email: user.email, name: user.name, password: context.configuration.demoPassword.value, role: user.role))
        }
        let now = context.time.now()
        let pieces = try Self.catalogPieces().map { item, bytes in
            let info = try ModelIntake.analyze(bytes: bytes, filename: item.modelFilename, limits: MeshLimits())
            var stored = item
            stored.modelHash = info.hash
            return (stored, info, bytes)
        }
        // The models go into the model store before anything in the database refers to them.
        for (_, info, bytes) in pieces {
            let upload = try await context.uploads.spool(bytes)
            defer { upload.remove() }
            try await context.models.put(hash: info.hash, fromFile: upload.path)
        }
        let users = accountsToAdd
        let existingPrices = try? await reader.priceList()
        do {
            // All or nothing: a second instance starting at the same time collides here and backs off.
            try await context.store.write { tx in
                for user in users { try await tx.insert(user: user) }
                if existingPrices == nil { try await tx.save(priceList: Self.priceList(in: context.configuration.demoCurrency)) }
                for (item, info, _) in pieces {
                    try await tx.insert(model: info, at: now)
                    try await tx.insert(catalogItem: item)
                }
            }
        } catch StorageError.conflict {
            return false
        }
        return true
    }

    static func catalogPieces() -> [(CatalogItem, [UInt8])] {
        // A band with an 18 mm finger hole: Russian size 18.
        let band = MeshGenerator.torus(major: 10.2, minor: 1.2, segments: 96, sides: 24)
        let pendant = MeshGenerator.merge([
            MeshGenerator.sphere(radius: 5, segments: 48, rings: 24),
            MeshGenerator.torus(major: 1.6, minor: 0.5, segments: 32, sides: 12, center: SIMD3(0, 0, 5.8)),
        ])
        let studs = MeshGenerator.merge([
            MeshGenerator.sphere(radius: 3, segments: 32, rings: 16),
            MeshGenerator.sphere(radius: 3, segments: 32, rings: 16, center: SIMD3(10, 0, 0)),
        ])
        var classic = CatalogItem(
            id: "classic-band", name: "Classic band", description: "A plain comfort-fit wedding band, size 18 mm.", modelHash: "",
            modelFilename: "classic-band.stl", defaultMaterial: "gold-585")
        classic.ringInnerDiameterMM = 18
        return [
            (classic, MeshWriter.binarySTL(band.soup)),
            (
                CatalogItem(
                    id: "pearl-pendant", name: "Round pendant", description: "A polished sphere pendant with its bail.", modelHash: "",
                    modelFilename: "round-pendant.stl", defaultMaterial: "silver-925"), MeshWriter.binarySTL(pendant.soup)
            ),
            (
                CatalogItem(
                    id: "ball-studs", name: "Ball studs", description: "A pair of 6 mm ball stud earrings.", modelHash: "",
                    modelFilename: "ball-studs.stl", defaultMaterial: "gold-750"), MeshWriter.binarySTL(studs.soup)
            ),
        ]
    }
}
