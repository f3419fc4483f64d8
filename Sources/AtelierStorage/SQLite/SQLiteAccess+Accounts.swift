import AtelierDomain
import Foundation
import GRDB

extension SQLiteAccess {
    static func user(from row: Row) -> UserAccount {
        UserAccount(
            id: row["id"], email: row["email"], name: row["name"], role: Role(rawValue: row["role"]) ?? .customer,
            passwordHash: row["password_hash"], createdAt: Date(millis: row["created_at"]))
    }

    func user(id: String) async throws -> UserAccount? {
        try await run { db in try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]).map(Self.user(from:)) }
    }

    func user(email: String) async throws -> UserAccount? {
        try await run { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE email = ?", arguments: [email.lowercased()]).map(Self.user(from:))
        }
    }

    func user(sessionTokenHash: String, at now: Date) async throws -> UserAccount? {
        try await run { db in
            try Row.fetchOne(
                db,
                sql: "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
                arguments: [sessionTokenHash, now.millis]
            ).map(Self.user(from:))
        }
    }

    func users(role: Role?, search: String?, page: PageRequest) async throws -> Page<UserAccount> {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let role {
            conditions.append("role = ?")
            arguments += [role.rawValue]
        }
        if let search = search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            conditions.append("(email LIKE ? OR name LIKE ?)")
            arguments += ["%\(search)%", "%\(search)%"]
        }
        if let cursor = page.cursor {
            conditions.append("(created_at, id) < (?, ?)")
            arguments += [cursor.millis, cursor.id]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = page.limit
        let sql = "SELECT * FROM users \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
        let finalArguments = arguments
        return try await run { db in
            let users = try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.user(from:))
            return Page.cut(users, limit: limit) { Cursor(millis: $0.createdAt.millis, id: $0.id) }
        }
    }

    func insert(user: UserAccount) async throws {
        try await run { db in
            try db.execute(
                sql: "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?,?,?,?,?,?)",
                arguments: [user.id, user.email.lowercased(), user.name, user.role.rawValue, user.passwordHash, user.createdAt.millis])
        }
    }

    func insertSession(tokenHash: String, userID: String, createdAt: Date, expiresAt: Date) async throws {
        try await run { db in
            try db.execute(
                sql: "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)",
                arguments: [tokenHash, userID, createdAt.millis, expiresAt.millis])
        }
    }

    func deleteSession(tokenHash: String) async throws {
        try await run { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }
}
