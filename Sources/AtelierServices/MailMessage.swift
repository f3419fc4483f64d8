import Foundation

/// One e-mail to one person: plain text and HTML of the same content, and the headers that make
/// it one message however many times it is handed to a server (`Message-ID`).
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    public var html: String
    /// Without the angle brackets: `<id>@<domain>`. The same e-mail sent again keeps it.
    public var messageID: String
    public var date: Date
    /// Where a recipient stops the e-mails that are not essential (`List-Unsubscribe`), if anywhere.
    public var unsubscribe: URL?

    public init(
        from: MailAddress, to: MailAddress, subject: String, text: String, html: String, messageID: String, date: Date,
        unsubscribe: URL? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.unsubscribe = unsubscribe
    }

    /// The message as RFC 5322 text with CRLF line ends: `multipart/alternative` with both
    /// parts in UTF-8 and base64 (so no line is too long and no byte needs escaping), and every
    /// header that is not plain ASCII as an RFC 2047 encoded word.
    public func rendered() -> String {
        let boundary =
            "atelier-"
            + String(messageID.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 36)
        var headers: [(String, String)] = [
            ("From", from.header), ("To", to.header), ("Subject", Self.encodedWord(subject)), ("Date", Self.rfc5322(date)),
            ("Message-ID", "<\(messageID)>"), ("MIME-Version", "1.0"),
        ]
        if let unsubscribe {
            headers.append(("List-Unsubscribe", "<\(unsubscribe.absoluteString)>"))
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        }
        headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
        var out = headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            out += Self.base64Lines(body) + "\r\n"
        }
        return out + "--\(boundary)--\r\n"
    }

    /// Base64 in lines of 76 characters (RFC 2045).
    static func base64Lines(_ text: String) -> String {
        let encoded = Array(Data(text.utf8).base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map { String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self) }
            .joined(separator: "\r\n")
    }

    /// `text` as it may stand in a header: itself when printable ASCII, else one RFC 2047 encoded
    /// word per 45 bytes of whole characters.
    static func encodedWord(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            if chunk.utf8.count + character.utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// The `Date` header's form, in UTC: `Tue, 01 Dec 2026 18:34:55 +0000`.
    static func rfc5322(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}

/// An e-mail address with an optional display name, checked so that it cannot end a header or an
/// SMTP command: no line breaks, no angle brackets, one `@` with something on either side.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) throws {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            trimmed.utf8.count <= 254,
            trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !"<>()[],;:\\\"".unicodeScalars.contains($0) })
        else { throw MailError.invalidAddress }
        self.address = trimmed
        self.name = name.map { String($0.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }) }.flatMap {
            $0.isEmpty ? nil : $0
        }
    }

    /// An address written in the code itself (a default), taken as it is.
    init(known address: String, name: String?) {
        self.address = address
        self.name = name
    }

    var header: String {
        guard let name else { return "<\(address)>" }
        let shown = name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? "\"\(name)\"" : MailMessage.encodedWord(name)
        return "\(shown) <\(address)>"
    }
}

/// What can go wrong handing an e-mail over.
public enum MailError: Error, CustomStringConvertible, Equatable {
    case invalidAddress
    /// The server could not be reached, or the connection broke.
    case connection(String)
    /// The server did not answer within the time allowed for `step`.
    case timeout(step: String)
    /// The server answered `code` at `step`.
    case rejected(step: String, code: Int, text: String)
    /// The server's answer is not SMTP, or is larger than an answer may be.
    case malformedReply(String)
    /// The settings ask for something the server does not offer (TLS, a way to sign in).
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidAddress: "not a usable e-mail address"
        case let .connection(detail): "the mail server could not be reached: \(detail)"
        case let .timeout(step): "the mail server did not answer in time (\(step))"
        case let .rejected(step, code, text): "the mail server refused \(step) with \(code) \(text)"
        case let .malformedReply(detail): "the mail server's answer is not SMTP: \(detail)"
        case let .unsupported(detail): detail
        }
    }

    /// True when sending the same message again cannot succeed: the server refused the sender, the
    /// recipient or the message itself for good (5xx), or the address is unusable.
    public var isPermanent: Bool {
        switch self {
        case .invalidAddress: true
        case let .rejected(step, code, _): code >= 500 && ["MAIL FROM", "RCPT TO", "DATA", "the message"].contains(step)
        default: false
        }
    }
}

/// Hands an e-mail to whatever delivers it: an SMTP server, or a folder of `.eml` files.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}
