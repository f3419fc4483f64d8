/// 008: confirmed e-mail addresses and single-use account links (address confirmation, password
/// reset), kept only as SHA-256. Accounts that existed before count as confirmed.
enum Migration008 {
    static let sql = """
        ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
        UPDATE users SET email_verified_at = created_at;
        CREATE TABLE account_tokens (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            purpose TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        );
        CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);
        """
}
