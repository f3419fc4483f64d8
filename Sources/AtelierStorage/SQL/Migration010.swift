/// 010: the language each person reads Atelier in (their e-mails are written in it). Existing
/// accounts read English, the language they have seen so far.
enum Migration010 {
    static let sql = """
        ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
        """
}
