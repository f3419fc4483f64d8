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

    /// A stored list of codes (`["polish","engraving"]`), read on every order row: codes are plain
    /// letters, digits and dashes, so the list is split directly; anything else goes to the decoder.
    static func decodeCodes(_ text: String) throws -> [String] {
        let utf8 = text.utf8
        guard utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]"), !utf8.contains(UInt8(ascii: "\\")) else {
            return try decode([String].self, text)
        }
        let inner = utf8.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        var codes: [String] = []
        for part in inner.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard part.count >= 2, part.first == UInt8(ascii: "\""), part.last == UInt8(ascii: "\""),
                !part.dropFirst().dropLast().contains(UInt8(ascii: "\""))
            else { return try decode([String].self, text) }
            codes.append(String(decoding: part.dropFirst().dropLast(), as: UTF8.self))
        }
        return codes
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
