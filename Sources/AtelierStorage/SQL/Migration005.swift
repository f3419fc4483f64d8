/// 005: how often a dead job was put back in its queue, so the watchdog re-drives a job a few
/// times and then hands it to a person instead of re-driving it for ever.
enum Migration005 {
    static let sql = """
        ALTER TABLE jobs ADD COLUMN redrives INTEGER NOT NULL DEFAULT 0;
        """
}
