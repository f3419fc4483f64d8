/// 004: the per-status counts split into shards. Every status change adds to two counters; with one
/// row per status, concurrent transactions queued on the same two rows. An order's changes go to
/// one of 16 rows of each status, chosen by its id, and the dashboard sums them.
enum Migration004 {
    static let sql = """
        CREATE TABLE order_counts (
            status TEXT NOT NULL,
            shard INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (status, shard)
        );
        INSERT INTO order_counts (status, shard, n) SELECT status, 0, n FROM status_counts;
        DROP TABLE status_counts;
        """

    static let shards: UInt32 = 16
}
