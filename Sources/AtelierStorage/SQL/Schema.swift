import Foundation

/// The numbered migrations, forward-only, shared by both engines.
public enum Schema {
    /// (version, SQL in SQLite's words), in order.
    static let migrations: [(version: String, sql: String)] = [
        ("001-orders-and-queue", Migration001.sql),
        ("002-watchdog-and-traces", Migration002.sql),
        ("003-partners-and-webhooks", Migration003.sql),
        ("004-sharded-status-counts", Migration004.sql),
        ("005-job-redrives", Migration005.sql),
        ("006-session-idle-and-disabled-users", Migration006.sql),
        ("007-customer-emails", Migration007.sql),
        ("008-account-links", Migration008.sql),
        ("009-deliveries", Migration009.sql),
        ("010-user-language", Migration010.sql),
        ("011-email-preferences", Migration011.sql),
        ("012-catalog-ring-sizes", Migration012.sql),
        ("013-feature-flags", Migration013.sql),
        ("014-casting-rules", Migration014.sql),
    ]

    /// Every migration as PostgreSQL runs it, statement by statement: what `atelier migrate
    /// --print-postgres` writes for the migration linter (squawk) and the schema checks.
    public static func postgresScripts() -> [(version: String, statements: [String])] {
        migrations.map { ($0.version, statements(render($0.sql, for: .postgres))) }
    }

    /// Adapts a migration to PostgreSQL's types: 64-bit integers, identities, byte arrays.
    static func render(_ sql: String, for dialect: SQLDialect) -> String {
        guard dialect.numberedPlaceholders else { return sql }
        return
            sql
            .replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
            .replacingOccurrences(of: "INTEGER", with: "BIGINT")
            .replacingOccurrences(of: "BLOB", with: "BYTEA")
    }

    /// The statements of a migration, one by one (PostgreSQL runs one statement per query).
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
