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

    /// The amount of the labour line: what the operator who makes the piece earns.
    public var labour: Money {
        lines.first(where: { $0.code == "labour" })?.amount ?? .zero(total.currency)
    }
}
