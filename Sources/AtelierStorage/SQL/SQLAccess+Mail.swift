import AtelierDomain
import AtelierText
import Foundation

extension SQLAccess {
    static let emailDraftSQL = """
        SELECT \(orderColumns.split(separator: ",").map { "orders." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ")),
          (SELECT body FROM quotes WHERE quotes.order_id = orders.id) AS quote_body,
          emails.id AS email_id, emails.dedupe_key AS email_key, emails.kind AS email_kind, emails.user_id AS email_user_id,
          emails.created_at AS email_created_at, emails.sent_at AS email_sent_at, users.name AS user_name, users.email AS user_email,
          users.language AS user_language, users.progress_emails AS user_progress_emails, users.email_token AS user_email_token
        FROM emails JOIN users ON users.id = emails.user_id LEFT JOIN orders ON orders.id = emails.order_id
        WHERE emails.id = ?
        """

    func emailDraft(id: Int64) async throws -> EmailDraft? {
        try await sql.first(Self.emailDraftSQL, id).map { row in
            let order = try row.optionalString("id") == nil ? nil : try Self.order(from: row)
            return EmailDraft(
                email: OutgoingEmail(
                    id: try row.int64("email_id"), key: try row.string("email_key"),
                    kind: try row.value(CustomerEmailKind.self, "email_kind"), orderID: order?.id, userID: try row.string("email_user_id"),
                    createdAt: try row.date("email_created_at"), sentAt: try row.optionalInt64("email_sent_at").map { Date(millis: $0) }),
                order: order, quote: try row.optionalString("quote_body").map(DecodedCache.quotes.decoded),
                customerName: try row.string("user_name"), customerEmail: try row.string("user_email"),
                language: Language(rawValue: try row.string("user_language")) ?? .english,
                progressEmails: try row.int64("user_progress_emails") != 0, emailToken: try row.optionalString("user_email_token"))
        }
    }

    func emails(orderID: String) async throws -> [OutgoingEmail] {
        try await sql.query("SELECT * FROM emails WHERE order_id = ? ORDER BY id", orderID).map(Self.email(from:))
    }

    func accountEmails(userID: String) async throws -> [OutgoingEmail] {
        try await sql.query("SELECT * FROM emails WHERE user_id = ? AND order_id IS NULL ORDER BY id", userID).map(Self.email(from:))
    }

    func emailCount(userID: String, kind: CustomerEmailKind, since: Date) async throws -> Int {
        try await sql.first(
            "SELECT COUNT(*) AS n FROM emails WHERE user_id = ? AND kind = ? AND created_at >= ?", userID, kind.rawValue, since
        ).map { try $0.int("n") } ?? 0
    }

    func insertEmail(key: String, kind: CustomerEmailKind, orderID: String?, userID: String, at: Date) async throws -> Int64? {
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
            orderID: try row.optionalString("order_id"), userID: try row.string("user_id"), createdAt: try row.date("created_at"),
            sentAt: try row.optionalInt64("sent_at").map { Date(millis: $0) })
    }
}
