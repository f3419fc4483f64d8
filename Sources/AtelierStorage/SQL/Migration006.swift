/// 006: sessions end after a time without use as well as at their absolute end, and an
/// administrator can disable an account (its sessions end, it cannot sign in).
enum Migration006 {
    static let sql = """
        ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
        UPDATE sessions SET last_seen_at = created_at;
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE INDEX sessions_expiry ON sessions(expires_at);
        ALTER TABLE users ADD COLUMN disabled_at INTEGER;
        """
}
