import AtelierDomain
import Foundation

extension SQLAccess {
    func email(id: Int64) async throws -> OutgoingEmail? {
        try await sql.first("SELECT * FROM emails WHERE id = ?", id).map(Self.email(from:))
    }

    func emails(orderID: String) async throws -> [OutgoingEmail] {
        try await sql.query("SELECT * FROM emails WHERE order_id = ? ORDER BY id", orderID).map(Self.email(from:))
    }

    func insertEmail(key: String, kind: CustomerEmailKind, orderID: String, userID: String, at: Date) async throws -> Int64? {
        try await sql.first(
            """
            INSERT INTO emails (dedupe_key, kind, order_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """, key, kind.rawValue, orderID, userID, at
        ).map { try $0.int64("id") }
    }

    func markEmailSent(id: Int64, at: Date) async throws {
        try await sql.execute("UPDATE emails SET sent_at = ? WHERE id = ? AND sent_at IS NULL", at, id)
    }

    static func email(from row: SQLRow) throws -> OutgoingEmail {
        OutgoingEmail(
            id: try row.int64("id"), key: try row.string("dedupe_key"), kind: try row.value(CustomerEmailKind.self, "kind"),
            orderID: try row.string("order_id"), userID: try row.string("user_id"), createdAt: try row.date("created_at"),
            sentAt: try row.optionalInt64("sent_at").map { Date(millis: $0) })
    }
}
