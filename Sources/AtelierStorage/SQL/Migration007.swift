/// 007: the e-mails customers are sent, about their orders (one per event) and their accounts,
/// each with a unique key, recorded with the change it tells of and marked sent once a server took it.
enum Migration007 {
    static let sql = """
        CREATE TABLE emails (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dedupe_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            order_id TEXT REFERENCES orders(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            created_at INTEGER NOT NULL,
            sent_at INTEGER
        );
        CREATE INDEX emails_order ON emails(order_id);
        """
}
