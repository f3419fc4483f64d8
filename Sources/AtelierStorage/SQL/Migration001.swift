/// 001: users, sessions, price list, catalog, models, orders with history and quotes, notes,
/// idempotency keys, the job queue. Written in SQLite's words; ``Schema/render(_:for:)`` adapts it.
enum Migration001 {
    static let sql = """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX users_role ON users(role, created_at DESC, id DESC);

        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );

        CREATE TABLE price_lists (
            version INTEGER PRIMARY KEY,
            currency TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE models (
            hash TEXT PRIMARY KEY,
            filename TEXT NOT NULL,
            format TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            info TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE model_files (
            hash TEXT PRIMARY KEY REFERENCES models(hash),
            bytes BLOB NOT NULL
        );

        CREATE TABLE catalog_items (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            model_hash TEXT NOT NULL REFERENCES models(hash),
            model_filename TEXT NOT NULL,
            default_material TEXT NOT NULL
        );

        CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES users(id),
            status TEXT NOT NULL,
            status_since INTEGER NOT NULL,
            material_code TEXT NOT NULL,
            finish_codes TEXT NOT NULL,
            catalog_item_id TEXT,
            model_hash TEXT,
            model_filename TEXT,
            assignee_id TEXT,
            assignee_name TEXT,
            tracking_number TEXT UNIQUE,
            cancel_reason TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX orders_status ON orders(status, updated_at DESC, id DESC);
        CREATE INDEX orders_customer ON orders(customer_id, updated_at DESC, id DESC);
        CREATE INDEX orders_assignee ON orders(assignee_id, updated_at DESC, id DESC);
        CREATE INDEX orders_updated ON orders(updated_at DESC, id DESC);

        CREATE TABLE status_counts (
            status TEXT PRIMARY KEY,
            n INTEGER NOT NULL
        );

        CREATE TABLE order_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id TEXT NOT NULL REFERENCES orders(id),
            from_status TEXT,
            to_status TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_role TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            at INTEGER NOT NULL,
            note TEXT
        );
        CREATE INDEX order_history_order ON order_history(order_id, id);

        CREATE TABLE quotes (
            order_id TEXT PRIMARY KEY REFERENCES orders(id),
            body TEXT NOT NULL,
            total_minor INTEGER NOT NULL,
            labour_minor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE quote_cache (
            cache_key TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE order_notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id TEXT NOT NULL REFERENCES orders(id),
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX order_notes_order ON order_notes(order_id, id);

        CREATE TABLE idempotency_keys (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            result_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (scope, key)
        );

        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            queue TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            run_at INTEGER NOT NULL,
            leased_by TEXT,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX jobs_due ON jobs(queue, state, run_at);
        CREATE INDEX jobs_state ON jobs(state, id);
        """
}
