import AtelierText
import Foundation

/// The versions of the labour rule. A quote records the version that made it and is never
/// recalculated by another; which version prices an order is the `pricing-rules-v2` flag's answer
/// for whoever ordered it.
public enum PricingRules: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Labour from the surface, the shells and the triangle count (detail doublings above 10,000
    /// triangles): the same ring exported finer cost more.
    case v1 = 1
    /// Labour from the surface, the shells and the shape: detail is how far the surface per volume
    /// stands above a sphere's (doublings of `area / volume^(2/3)` over `(36π)^(1/3)`), which a finer
    /// export of the same piece does not change; thin, open, intricate pieces take more finishing.
    case v2 = 2

    /// The version `flag` (the `pricing-rules-v2` answer) chooses.
    public init(v2 flag: Bool) { self = flag ? .v2 : .v1 }

    /// The detail doublings the labour's last term counts under these rules.
    public func detailDoublings(_ metrics: ModelMetrics) -> Double {
        switch self {
        case .v1:
            return max(0, log2(Double(max(metrics.triangles, 1)) / 10_000))
        case .v2:
            let sphere = cbrt(36 * Double.pi)
            let compactness = metrics.surfaceAreaMM2 / pow(metrics.volumeMM3, 2.0 / 3.0)
            guard compactness.isFinite else { return 0 }
            return max(0, log2(compactness / sphere))
        }
    }
}

/// The workshop's pricing rules: metal, casting loss, labour from complexity, finishes, markup.
public enum QuoteCalculator {
    /// Prices `metrics` in `materialCode` with `finishCodes` under `priceList`, by `rules`.
    public static func quote(
        metrics: ModelMetrics, materialCode: String, finishCodes: [String], priceList: PriceList, rules: PricingRules = .v1
    ) throws -> Quote {
        guard metrics.volumeMM3.isFinite, metrics.volumeMM3 > 0 else {
            throw DomainError.invalid("The model encloses no volume, so its metal weight cannot be priced.")
        }
        let material = try priceList.material(materialCode)
        let finishes = try priceList.finishes(finishCodes)
        let currency = priceList.currency
        let rates = priceList.labour

        let weightGrams = metrics.volumeMM3 / 1000 * material.densityGPerCM3
        let metalMinor = weightGrams * Double(material.pricePerGramMinor)
        let lossMinor = metalMinor * material.castingLossPercent / 100

        let areaCM2 = metrics.surfaceAreaMM2 / 100
        let detailDoublings = rules.detailDoublings(metrics)
        let labourMinor =
            Double(rates.baseMinor)
            + areaCM2 * Double(rates.perSquareCMMinor)
            + Double(max(metrics.shells - 1, 0)) * Double(rates.perExtraShellMinor)
            + detailDoublings * Double(rates.perDetailDoublingMinor)

        var lines = [
            QuoteLine(
                code: "metal", label: "\(material.name), \(format2(weightGrams)) g",
                amount: try .rounded(metalMinor, currency)),
            QuoteLine(
                code: "casting-loss", label: "Casting loss \(format1(material.castingLossPercent)) %",
                amount: try .rounded(lossMinor, currency)),
            QuoteLine(code: "labour", label: "Labour", amount: try .rounded(labourMinor, currency)),
        ]
        for finish in finishes {
            lines.append(
                QuoteLine(
                    code: "finish:\(finish.code)", label: finish.name, amount: Money(minorUnits: finish.priceMinor, currency: currency)))
        }
        let subtotal = try lines.reduce(Money.zero(currency)) { try $0 + $1.amount }
        let markup = try Money.rounded(Double(subtotal.minorUnits) * rates.markupPercent / 100, currency)
        lines.append(QuoteLine(code: "markup", label: "Markup \(format1(rates.markupPercent)) %", amount: markup))

        return Quote(
            materialCode: material.code, finishCodes: finishCodes, metalWeightGrams: weightGrams,
            lines: lines, total: try subtotal + markup, priceListVersion: priceList.version, rules: rules
        )
    }

    private static func format2(_ value: Double) -> String { String(format: "%.2f", value) }
    private static func format1(_ value: Double) -> String { String(format: "%.1f", value) }
}
