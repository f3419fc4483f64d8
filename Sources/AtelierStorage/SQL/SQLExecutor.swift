/// What differs between the SQL engines behind the same queries.
public struct SQLDialect: Sendable {
    /// Appended to a `SELECT` that loads a row the transaction will change (`FOR UPDATE`).
    var lockForUpdate: String
    /// Appended to the job claim's `SELECT` so that concurrent workers skip each other's rows.
    var skipLocked: String
    /// Rewrites `?` placeholders for the engine (`$1`, `$2`… for PostgreSQL).
    var numberedPlaceholders: Bool
    /// Whether a `WITH` may hold `INSERT`s and `UPDATE`s (PostgreSQL): several changes in one
    /// statement, so one round trip to a database across the network.
    var writableCommonTables: Bool

    static let sqlite = SQLDialect(lockForUpdate: "", skipLocked: "", numberedPlaceholders: false, writableCommonTables: false)
    static let postgres = SQLDialect(
        lockForUpdate: " FOR UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED", numberedPlaceholders: true, writableCommonTables: true)

    /// `?` → `$n`, outside string literals.
    func placeholders(_ sql: String) -> String {
        guard numberedPlaceholders else { return sql }
        var result = ""
        result.reserveCapacity(sql.count + 16)
        var number = 0
        var inString = false
        for character in sql {
            if character == "'" { inString.toggle() }
            if character == "?", !inString {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Runs statements on one engine, either on a read connection or inside the open transaction.
protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }
    /// True inside a write transaction: loads lock the rows they read.
    var inTransaction: Bool { get }
    func query(_ sql: String, _ values: [SQLValue]) async throws -> [SQLRow]
    func execute(_ sql: String, _ values: [SQLValue]) async throws
    /// Runs `statement`, an INSERT or UPDATE of jobs that ends in `RETURNING id, queue`, so that
    /// the workers of each returned job's queue are woken once the transaction commits.
    func queryWakingWorkers(_ statement: String, _ values: [SQLValue]) async throws -> [SQLRow]
}

extension SQLExecutor {
    func query(_ sql: String, _ values: any SQLBindable...) async throws -> [SQLRow] {
        try await query(sql, values.map(\.sqlValue))
    }

    func execute(_ sql: String, _ values: any SQLBindable...) async throws {
        try await execute(sql, values.map(\.sqlValue))
    }

    func queryWakingWorkers(_ sql: String, _ values: any SQLBindable...) async throws -> [SQLRow] {
        try await queryWakingWorkers(sql, values.map(\.sqlValue))
    }

    func first(_ sql: String, _ values: any SQLBindable...) async throws -> SQLRow? {
        try await query(sql, values.map(\.sqlValue)).first
    }
}
