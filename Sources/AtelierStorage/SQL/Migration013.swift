/// 013: feature flags (how each declared flag is set) and every change of one (who, when, from
/// what to what). Only adds: the previous version runs against this schema during a rolling upgrade.
enum Migration013 {
    static let sql = """
        CREATE TABLE feature_flags (
            key TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE feature_flag_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            flag_key TEXT NOT NULL,
            changed_at INTEGER NOT NULL,
            changed_by TEXT NOT NULL,
            before_body TEXT,
            after_body TEXT NOT NULL
        );
        CREATE INDEX feature_flag_changes_by_key ON feature_flag_changes (flag_key, id);
        """
}
