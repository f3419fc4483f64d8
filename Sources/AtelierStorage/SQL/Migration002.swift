/// 002: the promised delivery date; the trace every step of an order joins; stalled-order lookups by (status, time in status); jobs carry
/// what they are about (an order id) and the trace they belong to.
enum Migration002 {
    static let sql = """
        ALTER TABLE orders ADD COLUMN promised_by INTEGER;
        ALTER TABLE orders ADD COLUMN trace_context TEXT;
        CREATE INDEX orders_status_since ON orders(status, status_since);
        CREATE INDEX orders_promised_by ON orders(promised_by);
        ALTER TABLE jobs ADD COLUMN subject TEXT;
        ALTER TABLE jobs ADD COLUMN trace_context TEXT;
        CREATE INDEX jobs_subject ON jobs(subject, kind, id);
        """
}
