import AtelierDomain
import AtelierText
import Foundation

extension SQLAccess {
    static func user(from row: SQLRow) throws -> UserAccount {
        var user = UserAccount(
            id: try row.string("id"), email: try row.string("email"), name: try row.string("name"),
            role: try row.value(Role.self, "role"), passwordHash: try row.string("password_hash"),
            createdAt: try row.date("created_at"))
        user.disabledAt = try row.optionalInt64("disabled_at").map(Date.init(millis:))
        user.emailVerifiedAt = try row.optionalInt64("email_verified_at").map(Date.init(millis:))
        user.language = Language(rawValue: try row.string("language")) ?? .english
        user.progressEmails = try row.int64("progress_emails") != 0
        user.emailToken = try row.optionalString("email_token")
        return user
    }

    func user(id: String) async throws -> UserAccount? {
        try await sql.first("SELECT * FROM users WHERE id = ?", id).map(Self.user(from:))
    }

    func user(email: String) async throws -> UserAccount? {
        try await sql.first("SELECT * FROM users WHERE email = ?", email.lowercased()).map(Self.user(from:))
    }

    func session(tokenHash: String, at now: Date, idleSince: Date) async throws -> (UserAccount, lastSeen: Date)? {
        guard
            let row = try await sql.first(
                """
                SELECT u.*, s.last_seen_at AS session_last_seen FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled_at IS NULL
                """,
                tokenHash, now, idleSince)
        else { return nil }
        return (try Self.user(from: row), try row.date("session_last_seen"))
    }

    func users(role: Role?, search: String?, page: PageRequest) async throws -> Page<UserAccount> {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let role {
            conditions.append("role = ?")
            values.append(.text(role.rawValue))
        }
        if let search = search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            let pattern = "%" + likeEscaped(search.lowercased()) + "%"
            conditions.append("(lower(email) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')")
            values += [.text(pattern), .text(pattern)]
        }
        if let cursor = page.cursor {
            conditions.append("(created_at, id) < (?, ?)")
            values += [.integer(cursor.millis), .text(cursor.id)]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await sql.query(
            "SELECT * FROM users \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(page.limit + 1)", values)
        return Page.cut(try rows.map(Self.user(from:)), limit: page.limit) { Cursor(millis: $0.createdAt.millis, id: $0.id) }
    }

    func insert(user: UserAccount) async throws {
        try await sql.execute(
            "INSERT INTO users (id, email, name, role, password_hash, created_at, email_verified_at, language) VALUES (?,?,?,?,?,?,?,?)",
            user.id, user.email.lowercased(), user.name, user.role.rawValue, user.passwordHash, user.createdAt, user.emailVerifiedAt,
            user.language.rawValue)
    }

    func update(userID: String, role: Role) async throws {
        try await sql.execute("UPDATE users SET role = ? WHERE id = ?", role.rawValue, userID)
    }

    func insertSession(tokenHash: String, userID: String, createdAt: Date, expiresAt: Date) async throws {
        try await sql.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?,?,?,?,?)", tokenHash, userID,
            createdAt, expiresAt, createdAt)
    }

    func touchSession(tokenHash: String, at now: Date) async throws {
        try await sql.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", now, tokenHash)
    }

    func deleteSession(tokenHash: String) async throws {
        try await sql.execute("DELETE FROM sessions WHERE token_hash = ?", tokenHash)
    }

    func deleteSessions(userID: String, except tokenHash: String?) async throws -> Int {
        try await sql.query(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash", userID, tokenHash ?? ""
        ).count
    }

    func deleteExpiredSessions(at now: Date, idleSince: Date) async throws -> Int {
        try await sql.query("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ? RETURNING token_hash", now, idleSince).count
    }

    func update(userID: String, passwordHash: String) async throws {
        try await sql.execute("UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, userID)
    }

    func update(userID: String, disabledAt: Date?) async throws {
        try await sql.execute("UPDATE users SET disabled_at = ? WHERE id = ?", disabledAt, userID)
    }

    func accountToken(hash: String) async throws -> AccountToken? {
        try await sql.first("SELECT * FROM account_tokens WHERE token_hash = ?", hash).map { row in
            AccountToken(
                tokenHash: try row.string("token_hash"), userID: try row.string("user_id"),
                purpose: try row.value(AccountTokenPurpose.self, "purpose"), createdAt: try row.date("created_at"),
                expiresAt: try row.date("expires_at"), usedAt: try row.optionalInt64("used_at").map(Date.init(millis:)))
        }
    }

    func insert(token: AccountToken) async throws {
        try await sql.execute(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            token.tokenHash, token.userID, token.purpose.rawValue, token.createdAt, token.expiresAt)
    }

    func useTokens(userID: String, purpose: AccountTokenPurpose, at: Date) async throws {
        try await sql.execute(
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL", at, userID, purpose.rawValue)
    }

    func user(emailToken: String) async throws -> UserAccount? {
        try await sql.first("SELECT * FROM users WHERE email_token = ?", emailToken).map(Self.user(from:))
    }

    func update(userID: String, progressEmails: Bool) async throws {
        try await sql.execute("UPDATE users SET progress_emails = ? WHERE id = ?", progressEmails ? 1 : 0, userID)
    }

    func emailToken(userID: String, new: String) async throws -> String {
        try await sql.execute("UPDATE users SET email_token = ? WHERE id = ? AND email_token IS NULL", new, userID)
        guard let token = try await sql.first("SELECT email_token FROM users WHERE id = ?", userID)?.optionalString("email_token") else {
            throw StorageError.conflict("user \(userID) does not exist")
        }
        return token
    }

    func update(userID: String, language: Language) async throws {
        try await sql.execute("UPDATE users SET language = ? WHERE id = ?", language.rawValue, userID)
    }

    func markEmailVerified(userID: String, at: Date) async throws {
        try await sql.execute("UPDATE users SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL", at, userID)
    }

    func savedDeliveries(userID: String) async throws -> [DeliveryDetails] {
        try await sql.query("SELECT body FROM saved_deliveries WHERE user_id = ? ORDER BY used_at DESC, id DESC LIMIT 5", userID)
            .map { try ColumnJSON.decode(DeliveryDetails.self, try $0.string("body")) }
    }

    func saveDelivery(_ delivery: DeliveryDetails, userID: String, at: Date) async throws {
        let body = try ColumnJSON.encode(delivery)
        try await sql.execute(
            """
            INSERT INTO saved_deliveries (user_id, fingerprint, body, used_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, fingerprint) DO UPDATE SET body = excluded.body, used_at = excluded.used_at
            """, userID, delivery.fingerprint, body, at)
    }
}
