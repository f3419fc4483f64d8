import Foundation

/// The measurements of a model that its price depends on.
public struct ModelMetrics: Sendable, Hashable, Codable {
    public var volumeMM3: Double
    public var surfaceAreaMM2: Double
    public var triangles: Int
    public var shells: Int

    public init(volumeMM3: Double, surfaceAreaMM2: Double, triangles: Int, shells: Int) {
        self.volumeMM3 = volumeMM3
        self.surfaceAreaMM2 = surfaceAreaMM2
        self.triangles = triangles
        self.shells = shells
    }
}

/// One line of an itemised quote.
public struct QuoteLine: Sendable, Hashable, Codable {
    public var code: String
    public var label: String
    public var amount: Money

    public init(code: String, label: String, amount: Money) {
        self.code = code
        self.label = label
        self.amount = amount
    }
}

/// An itemised price for manufacturing one model in one material with some finishes.
public struct Quote: Sendable, Hashable, Codable {
    public var materialCode: String
    public var finishCodes: [String]
    public var metalWeightGrams: Double
    public var lines: [QuoteLine]
    public var total: Money
    public var priceListVersion: Int
    /// The labour rule that made it (quotes stored before there were two are `v1`).
    public var rules: PricingRules
    /// Whether the model can be cast in the material (quotes made before the check have none).
    public var casting: CastingReport?

    public init(
        materialCode: String, finishCodes: [String], metalWeightGrams: Double, lines: [QuoteLine], total: Money, priceListVersion: Int,
        rules: PricingRules = .v1
    ) {
        self.materialCode = materialCode
        self.finishCodes = finishCodes
        self.metalWeightGrams = metalWeightGrams
        self.lines = lines
        self.total = total
        self.priceListVersion = priceListVersion
        self.rules = rules
    }

    enum CodingKeys: String, CodingKey {
        case materialCode, finishCodes, metalWeightGrams, lines, total, priceListVersion
        case rules = "pricingRules"
        case casting
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        materialCode = try container.decode(String.self, forKey: .materialCode)
        finishCodes = try container.decode([String].self, forKey: .finishCodes)
        metalWeightGrams = try container.decode(Double.self, forKey: .metalWeightGrams)
        lines = try container.decode([QuoteLine].self, forKey: .lines)
        total = try container.decode(Money.self, forKey: .total)
        priceListVersion = try container.decode(Int.self, forKey: .priceListVersion)
        rules = try container.decodeIfPresent(PricingRules.self, forKey: .rules) ?? .v1
        casting = try container.decodeIfPresent(CastingReport.self, forKey: .casting)
    }

    /// The amount of the labour line: what the operator who makes the piece earns.
    public var labour: Money {
        lines.first(where: { $0.code == "labour" })?.amount ?? .zero(total.currency)
    }

    /// The quote as a customer reads it: the same total, with the workshop's markup carried by
    /// each line in proportion instead of standing as a line of its own (the lines still add up
    /// to the total to the last kopeck; what rounding leaves over goes to the largest line).
    public var forCustomer: Quote {
        guard let markup = lines.first(where: { $0.code == "markup" }) else { return self }
        let others = lines.filter { $0.code != "markup" }
        let subtotal = others.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        guard subtotal > 0 else { return self }
        let factor = Double(subtotal + markup.amount.minorUnits) / Double(subtotal)
        var shown = others.map { line in
            QuoteLine(
                code: line.code, label: line.label,
                amount: Money(minorUnits: Int64((Double(line.amount.minorUnits) * factor).rounded()), currency: line.amount.currency))
        }
        let left = total.minorUnits - shown.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        if let largest = shown.indices.max(by: { shown[$0].amount.minorUnits < shown[$1].amount.minorUnits }) {
            shown[largest].amount.minorUnits += left
        }
        var quote = self
        quote.lines = shown
        return quote
    }
}
