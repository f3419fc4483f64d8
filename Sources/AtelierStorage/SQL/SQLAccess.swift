import AtelierDomain
import Foundation

/// The storage ports implemented once, in SQL that both engines run; ``SQLDialect`` holds the differences.
final class SQLAccess: StoreTransaction {
    let sql: any SQLExecutor

    init(_ executor: any SQLExecutor) { sql = executor }

    /// `FOR UPDATE` inside a write transaction on engines that lock rows.
    var lock: String { sql.inTransaction ? sql.dialect.lockForUpdate : "" }
}

/// JSON helpers for columns holding encoded values.
enum ColumnJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension JSONEncoder {
    /// Encodes with sorted keys, so equal values give equal text.
    public static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
func likeEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_")
}
