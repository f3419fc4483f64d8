/// 009: where each order goes (kept as it was when ordered) and the addresses a customer used
/// before, offered again at the next checkout.
enum Migration009 {
    static let sql = """
        CREATE TABLE order_deliveries (
            order_id TEXT PRIMARY KEY REFERENCES orders(id),
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE saved_deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL REFERENCES users(id),
            fingerprint TEXT NOT NULL,
            body TEXT NOT NULL,
            used_at INTEGER NOT NULL,
            UNIQUE (user_id, fingerprint)
        );
        """
}
