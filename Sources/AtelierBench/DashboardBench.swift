import AtelierDomain
@_spi(Benchmarks) import AtelierStorage
import Foundation

/// Synthetic orders and raw queries for the dashboard benchmark (`atelier bench dashboard`): fills a
/// database with a realistic status mix, and runs the offset pagination and the query plans that the
/// application itself never uses, beside the real code path. Not for production databases.
public enum DashboardBench {
    /// Share of orders per status, in percent: most orders of a workshop that has run for years are closed.
    public static let statusMix: [(OrderStatus, Int)] = [
        (.initiated, 4), (.fileUploaded, 4), (.submitted, 1), (.priceCalculated, 3), (.manufacturingApproved, 3),
        (.manufacturingStarted, 5), (.manufacturingCompleted, 2), (.packaging, 1), (.shipped, 5), (.closed, 64),
        (.cancelled, 8),
    ]

    /// Adds `count` orders (ids `bench-1`…) in batches of one transaction each, then recounts the
    /// statuses and refreshes the planner's statistics. `progress` gets the number written so far.
    public static func fill(_ store: any Store, count: Int, batch: Int = 500_000, progress: (Int) -> Void = { _ in }) async throws {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        try await store.write { tx in
            try await RawSQL(tx).execute(
                "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                [
                    .text("bench-customer"), .text("bench@customer.test"), .text("Bench Customer"), .text(Role.customer.rawValue),
                    .text("!"), .integer(now),
                ])
        }
        var cases: [String] = []
        var upper = 0
        for (status, share) in statusMix {
            upper += share
            cases.append("WHEN n % 100 < \(upper) THEN '\(status.rawValue)'")
        }
        let statusExpression = "CASE \(cases.joined(separator: " ")) END"
        var start = 1
        while start <= count {
            let end = min(count, start + batch - 1)
            let first = start
            // A recursive count runs on both engines; newer orders have larger n and later times.
            try await store.write { tx in
                try await RawSQL(tx).execute(
                    """
                    WITH RECURSIVE seq(n) AS (SELECT \(first) UNION ALL SELECT n + 1 FROM seq WHERE n < \(end))
                    INSERT INTO orders (id, customer_id, status, status_since, material_code, finish_codes, model_hash, model_filename,
                      created_at, updated_at)
                    SELECT 'bench-' || n, 'bench-customer', \(statusExpression), \(now) - (\(count) - n) * 60,
                      'gold-585', '[]', 'bench-model', 'ring.stl', \(now) - (\(count) - n) * 60 - 3600000, \(now) - (\(count) - n) * 60
                    FROM seq
                    """)
            }
            progress(end)
            start = end + 1
        }
        try await store.write { tx in
            let sql = try RawSQL(tx)
            try await sql.execute("DELETE FROM order_counts")
            try await sql.execute("INSERT INTO order_counts (status, shard, n) SELECT status, 0, COUNT(*) FROM orders GROUP BY status")
        }
        try await store.write { tx in try await RawSQL(tx).execute("ANALYZE") }
    }

    /// The number of orders already there.
    public static func orderCount(_ store: any Store) async throws -> Int {
        try await RawSQL(store.reader).query("SELECT COUNT(*) AS n FROM orders").first.map { try integer($0, "n") }.map(Int.init) ?? 0
    }

    /// Page `page` (from 1) of `status`, by `LIMIT … OFFSET …`: what the old dashboard did.
    public static func offsetPage(_ store: any Store, status: OrderStatus, page: Int, limit: Int) async throws -> [String] {
        try await RawSQL(store.reader).query(
            "SELECT \(RawSQL.orderColumns) FROM orders WHERE status = ? ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
            [.text(status.rawValue), .integer(Int64(limit)), .integer(Int64((page - 1) * limit))]
        ).map { try text($0, "id") }
    }

    /// The cursor that the application hands out after page `page - 1`, to ask for page `page`.
    public static func cursor(_ store: any Store, status: OrderStatus, page: Int, limit: Int) async throws -> Cursor? {
        guard page > 1 else { return nil }
        return try await RawSQL(store.reader).query(
            "SELECT updated_at, id FROM orders WHERE status = ? ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET ?",
            [.text(status.rawValue), .integer(Int64((page - 1) * limit - 1))]
        ).first.map { Cursor(millis: try integer($0, "updated_at"), id: try text($0, "id")) }
    }

    /// The plans of the dashboard's queries: counts, the dashboard's first page, and of `status` the
    /// first page, a cursor page and an offset page.
    public static func plans(
        _ store: any Store, dashboardStatus: OrderStatus, status: OrderStatus, deepCursor: Cursor, deepOffset: Int, limit: Int
    ) async throws -> [(String, String)] {
        let sql = try RawSQL(store.reader)
        let postgres = sql.isPostgres
        let explain = postgres ? "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)" : "EXPLAIN QUERY PLAN"
        let columns = RawSQL.orderColumns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .joined(separator: ", ")
        let queries: [(String, String, [SQLValue])] = [
            ("status counts", "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM order_counts GROUP BY status", []),
            (
                "dashboard page (\(dashboardStatus.rawValue))",
                "SELECT \(columns) FROM orders o WHERE o.status = ? ORDER BY o.updated_at DESC, o.id DESC LIMIT \(limit + 1)",
                [.text(dashboardStatus.rawValue)]
            ),
            (
                "first page (\(status.rawValue))",
                "SELECT \(columns) FROM orders o WHERE o.status = ? ORDER BY o.updated_at DESC, o.id DESC LIMIT \(limit + 1)",
                [.text(status.rawValue)]
            ),
            (
                "cursor page",
                "SELECT \(columns) FROM orders o WHERE o.status = ? AND (o.updated_at, o.id) < (?, ?) ORDER BY o.updated_at DESC, o.id DESC LIMIT \(limit + 1)",
                [.text(status.rawValue), .integer(deepCursor.millis), .text(deepCursor.id)]
            ),
            (
                "offset page",
                "SELECT \(columns) FROM orders o WHERE o.status = ? ORDER BY o.updated_at DESC, o.id DESC LIMIT \(limit) OFFSET \(deepOffset)",
                [.text(status.rawValue)]
            ),
        ]
        var plans: [(String, String)] = []
        for (name, query, values) in queries {
            let rows = try await sql.query("\(explain) \(query)", values)
            let lines = try rows.map { row in
                try text(row, postgres ? "QUERY PLAN" : "detail")
            }
            plans.append((name, lines.joined(separator: "\n")))
        }
        return plans
    }

    private struct MissingColumn: Error, CustomStringConvertible {
        var column: String
        var description: String { "the benchmark's query gave no \(column)" }
    }

    private static func text(_ row: [String: SQLValue], _ column: String) throws -> String {
        guard case let .text(value) = row[column] else { throw MissingColumn(column: column) }
        return value
    }

    private static func integer(_ row: [String: SQLValue], _ column: String) throws -> Int64 {
        guard case let .integer(value) = row[column] else { throw MissingColumn(column: column) }
        return value
    }
}
