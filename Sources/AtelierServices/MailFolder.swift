import Foundation

/// The embedded default when no SMTP server is set: each e-mail becomes one `.eml` file in a
/// folder (`ATELIER_DATA/mail`), which any mail program opens. The file is written under a
/// temporary name and renamed into place, and its name comes from the message's `Message-ID`, so
/// the same e-mail handed over twice is one file, never two.
public struct MailFolder: MailTransport {
    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    public func send(_ message: MailMessage) async throws {
        let files = FileManager.default
        do {
            try files.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // `.atomic` writes a temporary file and renames it over the name, replacing an earlier copy.
            try Data(message.rendered().utf8).write(to: folder.appendingPathComponent(Self.fileName(message)), options: .atomic)
        } catch {
            throw MailError.connection("the mail folder cannot be written")
        }
    }

    /// `<date>-<message id>.eml`, with every character that is not a letter, a digit, a dot or a
    /// dash replaced, so a name sorts by time and cannot leave the folder.
    static func fileName(_ message: MailMessage) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-".unicodeScalars)
        let id = String(String.UnicodeScalarView(message.messageID.unicodeScalars.prefix(120).map { allowed.contains($0) ? $0 : "_" }))
        let stamp = Int64((message.date.timeIntervalSince1970 * 1000).rounded())
        return "\(stamp)-\(id).eml"
    }
}
