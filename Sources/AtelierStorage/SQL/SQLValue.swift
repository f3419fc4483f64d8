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

/// The names of a result's columns and where each one is, shared by every row of the result (and,
/// on SQLite, by every result of the same statement), so a row is one array of values and no row
/// builds a map of its own.
final class SQLColumns: Sendable {
    let names: [String]
    private let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        // The leftmost of two columns with one name wins, as in GRDB and PostgresNIO.
        positions = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    func position(of column: String) -> Int? { positions[column] }
}

/// One result row, read by column name.
struct SQLRow: Sendable {
    let columns: SQLColumns
    let cells: [SQLValue]

    init(columns: SQLColumns, cells: [SQLValue]) {
        assert(columns.names.count == cells.count, "a row has one value per column")
        self.columns = columns
        self.cells = cells
    }

    /// The value of `column`, nil when the result has no such column.
    subscript(column: String) -> SQLValue? { columns.position(of: column).map { cells[$0] } }

    /// The row as a column → value map (the benchmarks' raw reads).
    var values: [String: SQLValue] {
        Dictionary(zip(columns.names, cells).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
    }

    func string(_ column: String) throws -> String {
        guard case let .text(value) = self[column] else { throw SQLRowError(column: column, expected: "text", found: self[column]) }
        return value
    }

    func optionalString(_ column: String) throws -> String? {
        switch self[column] {
        case let .text(value): return value
        case .null, nil: return nil
        case let other: throw SQLRowError(column: column, expected: "text", found: other)
        }
    }

    func int64(_ column: String) throws -> Int64 {
        guard let value = try optionalInt64(column) else { throw SQLRowError(column: column, expected: "integer", found: self[column]) }
        return value
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        switch self[column] {
        case .null, nil: return nil
        case let .integer(value): return value
        case let .real(value) where Int64(exactly: value) != nil: return Int64(value)
        case let other: throw SQLRowError(column: column, expected: "integer", found: other)
        }
    }

    func int(_ column: String) throws -> Int { Int(try int64(column)) }

    func date(_ column: String) throws -> Date { Date(millis: try int64(column)) }

    /// A stored enumeration value; an unknown one is an error, never a silent default.
    func value<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T where T.RawValue == String {
        try Self.parse(type, try string(column), column)
    }

    func optionalValue<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T? where T.RawValue == String {
        try optionalString(column).map { try Self.parse(type, $0, column) }
    }

    private static func parse<T: RawRepresentable>(_ type: T.Type, _ text: String, _ column: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else { throw SQLRowError(column: column, expected: "a \(T.self)", found: .text(text)) }
        return value
    }

    func blob(_ column: String) throws -> [UInt8] {
        guard case let .blob(value) = self[column] else { throw SQLRowError(column: column, expected: "blob", found: self[column]) }
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
