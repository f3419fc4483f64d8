import Foundation

/// A value bound to a statement or read from a row, the same for every engine.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Types that bind as an ``SQLValue``.
public protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension Array: SQLBindable where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .integer(millis) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, by column name.
struct SQLRow: Sendable {
    let values: [String: SQLValue]

    func string(_ column: String) throws -> String {
        guard case let .text(value) = values[column] else { throw SQLRowError(column: column, expected: "text", found: values[column]) }
        return value
    }

    func optionalString(_ column: String) throws -> String? {
        if case .null = values[column] ?? .null { return nil }
        return try string(column)
    }

    func int64(_ column: String) throws -> Int64 {
        switch values[column] {
        case let .integer(value): return value
        case let .real(value) where Int64(exactly: value) != nil: return Int64(value)
        default: throw SQLRowError(column: column, expected: "integer", found: values[column])
        }
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        if case .null = values[column] ?? .null { return nil }
        return try int64(column)
    }

    func int(_ column: String) throws -> Int { Int(try int64(column)) }

    func date(_ column: String) throws -> Date { Date(millis: try int64(column)) }

    /// A stored enumeration value; an unknown one is an error, never a silent default.
    func value<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T where T.RawValue == String {
        let text = try string(column)
        guard let value = T(rawValue: text) else { throw SQLRowError(column: column, expected: "a \(T.self)", found: .text(text)) }
        return value
    }

    func optionalValue<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T? where T.RawValue == String {
        try optionalString(column) == nil ? nil : try value(type, column)
    }

    func blob(_ column: String) throws -> [UInt8] {
        guard case let .blob(value) = values[column] else { throw SQLRowError(column: column, expected: "blob", found: values[column]) }
        return value
    }
}

/// A column did not hold what the schema promises: a programming or migration error.
struct SQLRowError: Error, CustomStringConvertible {
    var column: String
    var expected: String
    var found: SQLValue?
    var description: String { "column \(column): expected \(expected), found \(found.map { "\($0)" } ?? "no such column")" }
}
