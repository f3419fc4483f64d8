/// 011: whether a person gets the e-mails that are not essential (an order's progress), and the
/// token of the link in those e-mails that stops them without signing in.
enum Migration011 {
    static let sql = """
        ALTER TABLE users ADD COLUMN progress_emails INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE users ADD COLUMN email_token TEXT;
        CREATE UNIQUE INDEX users_email_token ON users(email_token);
        """
}
