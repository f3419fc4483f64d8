import Foundation

/// ISO 8601 in UTC with milliseconds (`2026-12-01T18:34:55.001Z`), the form of every date Atelier
/// writes. Written from the instant's milliseconds, rounded to the nearest: Foundation's
/// `ISO8601FormatStyle` truncates the binary fraction, so a stored `.001` came out as `.000`, and
/// it costs a calendar lookup per date on every response.
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the 24 characters of `date`.
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = millis.floorDivided(by: 86_400_000)
        let inDay = millis - days * 86_400_000
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
        days += 719_468
        let era = days.floorDivided(by: 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        digits(year, 4, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2, &bytes)
        bytes.append(UInt8(ascii: "T"))
        digits(inDay / 3_600_000, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay / 60_000 % 60, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay / 1000 % 60, 2, &bytes)
        bytes.append(UInt8(ascii: "."))
        digits(inDay % 1000, 3, &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    private static func digits(_ value: Int64, _ count: Int, _ bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = max(value, 0)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
