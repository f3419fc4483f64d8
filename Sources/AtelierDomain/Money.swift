import AtelierText

/// An amount of money in integer minor units (cents) of one currency.
///
/// Every amount Atelier computes or is given stays within ``Money/limit``; arithmetic and
/// conversions that would leave it throw ``DomainError/invalid(_:)`` instead of trapping, so no
/// price an admin types and no number a client sends can stop the program.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: String

    /// The largest amount, in minor units: 10^13 (a hundred billion in major units), far above any
    /// piece of jewelry and far below where `Int64` or a `Double`'s exact integers end.
    public static let limit: Int64 = 10_000_000_000_000

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Adds two amounts of the same currency; throws when the sum leaves ±``limit``.
    public static func + (lhs: Money, rhs: Money) throws -> Money {
        guard lhs.currency == rhs.currency else {
            throw DomainError.invalid("Amounts in \(lhs.currency) and \(rhs.currency) cannot be added.")
        }
        let (sum, overflow) = lhs.minorUnits.addingReportingOverflow(rhs.minorUnits)
        guard !overflow, sum.magnitude <= limit.magnitude else { throw tooLarge }
        return Money(minorUnits: sum, currency: lhs.currency)
    }

    /// Rounds a fractional amount of minor units half away from zero; throws when it is not a
    /// finite number within ±``limit``.
    public static func rounded(_ minorUnits: Double, _ currency: String) throws -> Money {
        let rounded = minorUnits.rounded(.toNearestOrAwayFromZero)
        guard rounded.isFinite, rounded.magnitude <= Double(limit), let units = Int64(exactly: rounded) else { throw tooLarge }
        return Money(minorUnits: units, currency: currency)
    }

    /// Minor units of an amount a person typed in major units (`499.90`), checked to lie in
    /// `0...max`; `what` names the amount in the message.
    public static func minorUnits(ofMajor amount: Double, max: Int64 = limit, what: Phrase) throws -> Int64 {
        let minor = (amount * 100).rounded(.toNearestOrAwayFromZero)
        guard minor.isFinite, minor >= 0, minor <= Double(max), let units = Int64(exactly: minor) else {
            throw DomainError.invalid("\(what) must be an amount between 0 and \(Money(minorUnits: max, currency: "").major).")
        }
        return units
    }

    private static var tooLarge: DomainError {
        DomainError.invalid("The amount would exceed \(Money(minorUnits: limit, currency: "").major), the largest Atelier handles.")
    }

    /// `1234.56`
    public var major: String {
        let sign = minorUnits < 0 ? "-" : ""
        let value = minorUnits.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// `1234.56 EUR`
    public var description: String { "\(major) \(currency)" }
}
