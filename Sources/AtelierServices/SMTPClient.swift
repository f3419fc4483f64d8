import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to hand e-mails to an SMTP server, from `ATELIER_SMTP_URL`:
/// `smtp://[user:password@]host[:port][?tls=starttls|required|none]` (port 587 by default; STARTTLS
/// when the server offers it, `required` refuses a server that does not) or
/// `smtps://[user:password@]host[:port]` (TLS from the first byte, port 465).
public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable {
        /// No TLS at all (a relay on the same machine).
        case none
        /// STARTTLS when the server offers it.
        case startTLS = "starttls"
        /// STARTTLS, and no e-mail to a server that does not offer it.
        case startTLSRequired = "required"
        /// TLS from the first byte (`smtps://`).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: Secret?
    /// Certificates to trust besides the system's (PEM), for a server with its own authority.
    public var trustedCertificatesFile: String?
    /// The longest wait for the connection and for each answer of the server.
    public var timeout: Duration = .seconds(30)
    /// The name this client gives in `EHLO`.
    public var clientName = "atelier.invalid"

    public init(host: String, port: Int, security: Security, username: String? = nil, password: Secret? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }

    /// Reads an `smtp://` or `smtps://` URL; nil with the reason when it is not one. The reason never
    /// holds the URL (it may hold a password).
    public static func parse(_ text: String) -> Result<SMTPSettings, SettingsError> {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
            let host = url.host, !host.isEmpty
        else { return .failure(SettingsError("must look like smtp://user:password@host:587 or smtps://host:465")) }
        var security: Security = scheme == "smtps" ? .implicitTLS : .startTLS
        if let tls = url.queryItems?.first(where: { $0.name == "tls" })?.value {
            guard scheme == "smtp", let chosen = Security(rawValue: tls) else {
                return .failure(SettingsError("takes ?tls=starttls, ?tls=required or ?tls=none (smtp:// only)"))
            }
            security = chosen
        }
        let port = url.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65_535).contains(port) else { return .failure(SettingsError("has a port outside 1–65535")) }
        var settings = SMTPSettings(host: host, port: port, security: security)
        if let user = url.user, !user.isEmpty {
            settings.username = user.removingPercentEncoding ?? user
            settings.password = Secret(url.password.map { $0.removingPercentEncoding ?? $0 } ?? "")
        }
        return .success(settings)
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The timeout as NIO counts time.
    var waitLimit: TimeAmount { .nanoseconds(nanoseconds) }
    private var nanoseconds: Int64 {
        let (seconds, attoseconds) = timeout.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// A password may go over a connection without TLS only to this machine.
    var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per e-mail, `EHLO`, `STARTTLS`
/// (RFC 3207) with NIOSSL, `AUTH PLAIN` or `AUTH LOGIN` (RFC 4954), `MAIL`, `RCPT`, `DATA`, `QUIT`;
/// no pipelining. Every step waits at most the settings' timeout, and every answer is bounded
/// (a line of at most 2,048 bytes, at most 100 lines), so no server can hold it or fill its memory.
public struct SMTPClient: MailTransport {
    let settings: SMTPSettings
    let group: any EventLoopGroup

    public init(settings: SMTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.group = group
    }

    public func send(_ message: MailMessage) async throws {
        let tls = try settings.security == .none ? nil : Self.tlsContext(settings)
        let connection = try await SMTPConnection.open(settings: settings, tls: tls, group: group)
        do {
            try await connection.deliver(message)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    static func tlsContext(_ settings: SMTPSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let file = settings.trustedCertificatesFile {
            do {
                let extra = try NIOSSLCertificate.fromPEMFile(file)
                configuration.additionalTrustRoots = [.certificates(extra)]
            } catch {
                throw MailError.unsupported("the certificates to trust for the mail server cannot be read (ATELIER_SMTP_CA_FILE)")
            }
        }
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw MailError.unsupported("TLS for the mail server cannot be set up: \(error)")
        }
    }
}

/// One SMTP reply: its code and its text lines.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// One open connection, driven step by step from async code.
final class SMTPConnection: Sendable {
    let channel: any Channel
    let replies: NIOLoopBound<SMTPReplyHandler>
    let settings: SMTPSettings
    let tls: NIOSSLContext?

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, settings: SMTPSettings, tls: NIOSSLContext?) {
        self.channel = channel
        self.replies = replies
        self.settings = settings
        self.tls = tls
    }

    static func open(settings: SMTPSettings, tls: NIOSSLContext?, group: any EventLoopGroup) async throws -> SMTPConnection {
        let implicitTLS = settings.security == .implicitTLS
        let host = settings.host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(settings.waitLimit)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: SMTPConnection.sniName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw MailError.connection("\(settings.host):\(settings.port): \(error)")
        }
        let replies = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, replies: replies, settings: settings, tls: tls)
    }

    /// SNI takes a name, never an address.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
    }

    func deliver(_ message: MailMessage) async throws {
        try await expect(220, step: "the greeting", from: nil)
        var capabilities = try await hello()
        if settings.security == .startTLS || settings.security == .startTLSRequired {
            if capabilities.contains("STARTTLS") {
                try await expect(220, step: "STARTTLS", from: "STARTTLS")
                try await startTLS()
                capabilities = try await hello()
            } else if settings.security == .startTLSRequired {
                throw MailError.unsupported("the mail server does not offer STARTTLS, which the settings require (?tls=required)")
            }
        }
        if let username = settings.username {
            try await authenticate(username: username, password: settings.password?.value ?? "", capabilities: capabilities)
        }
        try await expect(250, step: "MAIL FROM", from: "MAIL FROM:<\(message.from.address)>")
        try await expect([250, 251], step: "RCPT TO", from: "RCPT TO:<\(message.to.address)>")
        try await expect(354, step: "DATA", from: "DATA")
        try await expect(250, step: "the message", raw: Self.dataBlock(message.rendered()))
        _ = try? await reply(to: "QUIT", step: "QUIT")
    }

    /// The message with every line that starts with a dot given one more (RFC 5321 4.5.2), ended by a
    /// line with one dot.
    static func dataBlock(_ rendered: String) -> String {
        let lines = rendered.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for line in lines.dropLast(lines.last == "" ? 1 : 0) { out += (line.hasPrefix(".") ? "." : "") + line + "\r\n" }
        return out + ".\r\n"
    }

    /// `EHLO`, and the keywords of the extensions the server names (upper-cased; `AUTH` with its
    /// mechanisms as `AUTH PLAIN`, `AUTH LOGIN`).
    private func hello() async throws -> Set<String> {
        let reply = try await reply(to: "EHLO \(settings.clientName)", step: "EHLO")
        guard reply.code == 250 else { throw MailError.rejected(step: "EHLO", code: reply.code, text: reply.text) }
        var keywords = Set<String>()
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            keywords.insert(first)
            if first == "AUTH" { for mechanism in words.dropFirst() { keywords.insert("AUTH \(mechanism)") } }
        }
        return keywords
    }

    private func startTLS() async throws {
        guard let tls else { throw MailError.unsupported("TLS is not set up") }
        let host = settings.host
        let replies = self.replies
        do {
            try await channel.eventLoop.submit { [channel] in
                // Whatever arrived after the server's "220 ready" came before the handshake, unprotected:
                // an answer injected there would be read as the encrypted server's (CVE-2011-0411).
                guard !replies.value.hasBuffered else { throw MailError.malformedReply("answers sent before TLS started") }
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tls, serverHostname: SMTPConnection.sniName(host)), position: .first)
            }.get()
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError.connection("TLS could not start: \(error)")
        }
    }

    private func authenticate(username: String, password: String, capabilities: Set<String>) async throws {
        let secure = try await channel.eventLoop.submit { [channel] in
            (try? channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)) != nil
        }.get()
        guard secure || settings.isLoopback else {
            throw MailError.unsupported("the mail server offers no TLS, and the password is never sent without it")
        }
        if capabilities.contains("AUTH PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await expect(235, step: "AUTH", from: "AUTH PLAIN \(token)")
        } else if capabilities.contains("AUTH LOGIN") {
            try await expect(334, step: "AUTH", from: "AUTH LOGIN")
            try await expect(334, step: "AUTH", from: Data(username.utf8).base64EncodedString())
            try await expect(235, step: "AUTH", from: Data(password.utf8).base64EncodedString())
        } else {
            throw MailError.unsupported("the mail server offers neither AUTH PLAIN nor AUTH LOGIN, and the settings name a user")
        }
    }

    private func expect(_ code: Int, step: String, from command: String?) async throws {
        try await expect([code], step: step, from: command)
    }

    private func expect(_ codes: [Int], step: String, from command: String?) async throws {
        let reply = try await reply(to: command, step: step)
        guard codes.contains(reply.code) else { throw MailError.rejected(step: step, code: reply.code, text: reply.text) }
    }

    private func expect(_ code: Int, step: String, raw: String) async throws {
        let reply = try await reply(raw: raw, step: step)
        guard reply.code == code else { throw MailError.rejected(step: step, code: reply.code, text: reply.text) }
    }

    private func reply(to command: String?, step: String) async throws -> SMTPReply {
        try await reply(raw: command.map { $0 + "\r\n" }, step: step)
    }

    /// Writes `raw` (if any) and waits for the next reply, at most the settings' timeout.
    private func reply(raw: String?, step: String) async throws -> SMTPReply {
        let replies = self.replies
        let channel = self.channel
        let timeout = settings.waitLimit
        let next = try await channel.eventLoop.submit {
            let next = replies.value.next(timeout: timeout, step: step, on: channel)
            if let raw { channel.writeAndFlush(ByteBuffer(string: raw), promise: nil) }
            return next
        }.get()
        return try await next.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Splits the server's bytes into replies: lines ending in CRLF, `250-` continuing one, `250 `
/// ending it. A line over 2,048 bytes or a reply over 100 lines is an error.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    static let maxLine = 2_048
    static let maxLines = 100
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLine { throw MailError.malformedReply("a line longer than \(Self.maxLine) bytes") }
            return .needMoreData
        }
        let length = end - buffer.readerIndex
        guard length <= Self.maxLine else { throw MailError.malformedReply("a line longer than \(Self.maxLine) bytes") }
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { throw MailError.malformedReply("a line that is no SMTP reply") }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maxLines else { throw MailError.malformedReply("a reply of more than \(Self.maxLines) lines") }
        if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
            context.fireChannelRead(Self.wrapInboundOut(SMTPReply(code: code, lines: lines)))
            lines = []
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Hands each reply to the step waiting for it, in order; a reply no step waits for is kept for
/// the next one. An error or the end of the connection fails the waiting step.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    private var waiting: [(promise: EventLoopPromise<SMTPReply>, timer: Scheduled<Void>)] = []
    private var received: [SMTPReply] = []
    private var failure: (any Error)?

    /// True when a reply came that no step has asked for yet.
    var hasBuffered: Bool { !received.isEmpty }

    func next(timeout: TimeAmount, step: String, on channel: any Channel) -> EventLoopFuture<SMTPReply> {
        if !received.isEmpty { return channel.eventLoop.makeSucceededFuture(received.removeFirst()) }
        if let failure { return channel.eventLoop.makeFailedFuture(failure) }
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(MailError.timeout(step: step))
            channel.close(promise: nil)
        }
        waiting.append((promise, timer))
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if waiting.isEmpty {
            received.append(reply)
        } else {
            let first = waiting.removeFirst()
            first.timer.cancel()
            first.promise.succeed(reply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error as? MailError ?? MailError.connection("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(MailError.connection("the mail server closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(_ error: MailError) {
        if failure == nil { failure = error }
        for entry in waiting {
            entry.timer.cancel()
            entry.promise.fail(error)
        }
        waiting = []
    }
}
