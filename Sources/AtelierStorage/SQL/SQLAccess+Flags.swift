import AtelierDomain
import Foundation

extension SQLAccess {
    func featureFlags() async throws -> FlagSnapshot {
        // One statement: the flags and the revision they are at come from one snapshot.
        let rows = try await sql.query(
            """
            SELECT 'flag' AS part, body, 0 AS revision FROM feature_flags
            UNION ALL
            SELECT 'revision' AS part, NULL AS body, COALESCE(MAX(id), 0) AS revision FROM feature_flag_changes
            """)
        var flags: [FeatureFlag] = []
        var revision: Int64 = 0
        for row in rows {
            if try row.string("part") == "revision" {
                revision = try row.int64("revision")
            } else {
                flags.append(try ColumnJSON.decode(FeatureFlag.self, try row.string("body")))
            }
        }
        return FlagSnapshot(flags: flags, revision: revision)
    }

    func flagRevision() async throws -> Int64 {
        try await sql.first("SELECT COALESCE(MAX(id), 0) AS revision FROM feature_flag_changes")?.int64("revision") ?? 0
    }

    func flagChanges(key: String, limit: Int) async throws -> [FlagChange] {
        try await sql.query(
            "SELECT * FROM feature_flag_changes WHERE flag_key = ? ORDER BY id DESC LIMIT ?", key, Int64(max(1, min(limit, 1000)))
        ).map { row in
            FlagChange(
                id: try row.int64("id"), key: try row.string("flag_key"), at: try row.date("changed_at"), by: try row.string("changed_by"),
                before: try row.optionalString("before_body").map { try ColumnJSON.decode(FeatureFlag.self, $0) },
                after: try ColumnJSON.decode(FeatureFlag.self, try row.string("after_body")))
        }
    }

    func featureFlagForUpdate(key: String) async throws -> FeatureFlag? {
        try await sql.first("SELECT body FROM feature_flags WHERE key = ?\(lock)", key).map {
            try ColumnJSON.decode(FeatureFlag.self, try $0.string("body"))
        }
    }

    func save(flag: FeatureFlag, before: FeatureFlag?) async throws {
        let body = try ColumnJSON.encode(flag)
        try await sql.execute(
            """
            INSERT INTO feature_flags (key, body, updated_at) VALUES (?,?,?)
            ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
            """, flag.key, body, flag.updatedAt)
        try await sql.execute(
            "INSERT INTO feature_flag_changes (flag_key, changed_at, changed_by, before_body, after_body) VALUES (?,?,?,?,?)", flag.key,
            flag.updatedAt, flag.updatedBy, try before.map { try ColumnJSON.encode($0) }, body)
    }
}
