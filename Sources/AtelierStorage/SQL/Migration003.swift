/// 003: partners, their API keys and auto-approval policy; webhook endpoints, events and deliveries;
/// where an order came from and the partner's reference; the stored first response of an idempotent request.
enum Migration003 {
    static let sql = """
        CREATE TABLE partners (
            id TEXT PRIMARY KEY REFERENCES users(id),
            name TEXT NOT NULL,
            auto_approve_limit_minor INTEGER,
            auto_approve_currency TEXT,
            requests_per_minute INTEGER NOT NULL,
            burst INTEGER NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE partner_keys (
            id TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL REFERENCES partners(id),
            prefix TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX partner_keys_partner ON partner_keys(partner_id, created_at);
        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL REFERENCES partners(id),
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            description TEXT,
            created_at INTEGER NOT NULL,
            disabled_at INTEGER
        );
        CREATE INDEX webhook_endpoints_partner ON webhook_endpoints(partner_id, created_at);
        CREATE TABLE webhook_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            partner_id TEXT NOT NULL REFERENCES partners(id),
            order_id TEXT NOT NULL REFERENCES orders(id),
            type TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id INTEGER NOT NULL REFERENCES webhook_events(id),
            endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
            partner_id TEXT NOT NULL REFERENCES partners(id),
            order_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_status INTEGER,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            delivered_at INTEGER,
            replay_of INTEGER,
            job_id INTEGER
        );
        CREATE INDEX webhook_deliveries_stream ON webhook_deliveries(endpoint_id, order_id, event_id);
        CREATE INDEX webhook_deliveries_partner ON webhook_deliveries(partner_id, id);
        CREATE INDEX webhook_deliveries_endpoint_state ON webhook_deliveries(endpoint_id, state);
        ALTER TABLE orders ADD COLUMN channel TEXT NOT NULL DEFAULT 'shop';
        ALTER TABLE orders ADD COLUMN reference TEXT;
        ALTER TABLE idempotency_keys ADD COLUMN response TEXT;
        """
}
