/// An amount of money in integer minor units (cents) of one currency.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Adds two amounts of the same currency.
    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "cannot add \(lhs.currency) to \(rhs.currency)")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    /// Rounds a fractional amount of minor units half away from zero.
    public static func rounded(_ minorUnits: Double, _ currency: String) -> Money {
        Money(minorUnits: Int64(minorUnits.rounded(.toNearestOrAwayFromZero)), currency: currency)
    }

    /// `1234.56 EUR`
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let value = minorUnits.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}
