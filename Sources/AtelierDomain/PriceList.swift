import AtelierText

/// No price list has been loaded yet: nothing can be priced until an administrator loads one.
public struct PriceListMissing: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var phrase: Phrase {
        "No price list has been loaded yet: an administrator loads one with `atelier prices load FILE` (examples/price-list.json is one), or starts with the demo data (`atelier demo`)."
    }
    public var description: String { phrase.description }
}

/// An alloy that pieces are cast in, with its density and its price per gram.
public struct Material: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    /// Density of the alloy in g/cm³.
    public var densityGPerCM3: Double
    /// Price of one gram of the alloy, in minor units.
    public var pricePerGramMinor: Int64
    /// Metal lost in casting (sprues, polishing) as a share of the metal cost, in percent.
    public var castingLossPercent: Double
    public var active: Bool

    public init(
        code: String, name: String, densityGPerCM3: Double, pricePerGramMinor: Int64,
        castingLossPercent: Double, active: Bool = true
    ) {
        self.code = code
        self.name = name
        self.densityGPerCM3 = densityGPerCM3
        self.pricePerGramMinor = pricePerGramMinor
        self.castingLossPercent = castingLossPercent
        self.active = active
    }

    /// The highest price per gram an admin may set, in minor units (100,000 in major units; the
    /// dearest alloys cost well under a thousandth of that): a typo cannot make every quote absurd.
    public static let maxPricePerGramMinor: Int64 = 10_000_000

    /// Checks the values an admin typed in.
    public func validated() throws -> Material {
        guard !code.isEmpty, code.count <= 40, code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw DomainError.invalid("A material code is 1 to 40 letters, digits or dashes.")
        }
        guard !name.isEmpty, name.count <= 100 else { throw DomainError.invalid("A material's name has 1 to 100 characters.") }
        guard densityGPerCM3 > 0.5, densityGPerCM3 < 25 else {
            throw DomainError.invalid("Density of \(code) must be between 0.5 and 25 g/cm³, got \(densityGPerCM3).")
        }
        guard pricePerGramMinor > 0, pricePerGramMinor <= Self.maxPricePerGramMinor else {
            throw DomainError.invalid(
                "Price per gram of \(code) must be more than 0 and at most \(Money(minorUnits: Self.maxPricePerGramMinor, currency: "").major)."
            )
        }
        guard castingLossPercent >= 0, castingLossPercent <= 50 else {
            throw DomainError.invalid("Casting loss of \(code) must be between 0 and 50 %.")
        }
        return self
    }
}

/// A finishing option (polish, plating, engraving…) with its fixed price.
public struct Finish: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var priceMinor: Int64

    public init(code: String, name: String, priceMinor: Int64) {
        self.code = code
        self.name = name
        self.priceMinor = priceMinor
    }
}

/// Labour and markup rules of the workshop.
public struct LabourRates: Sendable, Hashable, Codable {
    /// Fixed labour for any piece (setup, casting, cleaning), minor units.
    public var baseMinor: Int64
    /// Labour per cm² of surface to finish, minor units.
    public var perSquareCMMinor: Int64
    /// Labour per extra shell (separate part to assemble), minor units.
    public var perExtraShellMinor: Int64
    /// Labour per doubling of detail above 10,000 triangles, minor units.
    public var perDetailDoublingMinor: Int64
    /// Markup on the subtotal, percent.
    public var markupPercent: Double

    public init(
        baseMinor: Int64, perSquareCMMinor: Int64, perExtraShellMinor: Int64, perDetailDoublingMinor: Int64,
        markupPercent: Double
    ) {
        self.baseMinor = baseMinor
        self.perSquareCMMinor = perSquareCMMinor
        self.perExtraShellMinor = perExtraShellMinor
        self.perDetailDoublingMinor = perDetailDoublingMinor
        self.markupPercent = markupPercent
    }
}

/// Everything a quote depends on, at one version. Any edit by an admin makes a new version.
public struct PriceList: Sendable, Hashable, Codable {
    public var version: Int
    public var currency: String
    public var materials: [Material]
    public var finishes: [Finish]
    public var labour: LabourRates

    public init(version: Int, currency: String, materials: [Material], finishes: [Finish], labour: LabourRates) {
        self.version = version
        self.currency = currency
        self.materials = materials
        self.finishes = finishes
        self.labour = labour
    }

    /// Checks a whole price list an admin loads: a currency code, its materials and finishes
    /// (codes once each, values in range) and labour rates that cannot make a quote absurd.
    public func validated() throws -> PriceList {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw DomainError.invalid("A currency is a three-letter code such as RUB or EUR, not '\(currency.prefix(20))'.")
        }
        guard !materials.isEmpty, materials.count <= 100, finishes.count <= 100 else {
            throw DomainError.invalid("A price list has 1 to 100 materials and at most 100 finishes.")
        }
        let checked = try materials.map { try $0.validated() }
        guard Set(checked.map(\.code)).count == checked.count, Set(finishes.map(\.code)).count == finishes.count else {
            throw DomainError.invalid("Each material and each finish has a code of its own.")
        }
        for finish in finishes {
            guard !finish.code.isEmpty, finish.code.count <= InputLimits.code, !finish.name.isEmpty, finish.name.count <= 100,
                (0...Material.maxPricePerGramMinor).contains(finish.priceMinor)
            else { throw DomainError.invalid("The finish '\(finish.code.prefix(40))' needs a code, a name and a price from 0.") }
        }
        let rates = [labour.baseMinor, labour.perSquareCMMinor, labour.perExtraShellMinor, labour.perDetailDoublingMinor]
        guard rates.allSatisfy({ (0...Material.maxPricePerGramMinor).contains($0) }), (0...200).contains(labour.markupPercent) else {
            throw DomainError.invalid("Labour rates are amounts from 0, and the markup is 0 to 200 %.")
        }
        var list = self
        list.materials = checked
        return list
    }

    public func material(_ code: String) throws -> Material {
        guard let material = materials.first(where: { $0.code == code && $0.active }) else {
            let known = materials.filter(\.active).map(\.code).joined(separator: ", ")
            throw DomainError.invalid("Unknown material '\(code)'. Known materials: \(known).")
        }
        return material
    }

    public func finishes(_ codes: [String]) throws -> [Finish] {
        try InputLimits.finishCodes(codes).map { code in
            guard let finish = finishes.first(where: { $0.code == code }) else {
                let known = finishes.map(\.code).joined(separator: ", ")
                throw DomainError.invalid("Unknown finish '\(code)'. Known finishes: \(known).")
            }
            return finish
        }
    }
}
