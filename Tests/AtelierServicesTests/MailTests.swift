import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

@testable import AtelierServices

@Suite("E-mail messages and settings")
struct MailMessageTests {
    let message = MailMessage(
        from: MailAddress(known: "atelier@shop.test", name: "Atelier"), to: MailAddress(known: "clara@example.test", name: "Клара Иванова"),
        subject: "Ваш заказ 1a2b3c4d отправлен", text: "Line one\n.starts with a dot\nThe end", html: "<p>Line one</p>",
        messageID: "order.1a2b.shipped@shop.test", date: Date(timeIntervalSince1970: 1_796_000_000))

    @Test("a message has its headers, non-ASCII headers as encoded words, and both parts in base64")
    func rendering() throws {
        let text = message.rendered()
        #expect(text.contains("From: \"Atelier\" <atelier@shop.test>\r\n"))
        #expect(text.contains("Message-ID: <order.1a2b.shipped@shop.test>\r\n"))
        #expect(text.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000\r\n"))
        #expect(MailMessage.rfc5322(Date(timeIntervalSince1970: 1_796_115_907.6)) == "Tue, 01 Dec 2026 09:05:07 +0000")
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(!text.contains("Клара") && text.contains("<clara@example.test>"))
        let parts = text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").dropFirst().map {
            String($0.prefix(while: { $0 != "-" })).replacingOccurrences(of: "\r\n", with: "")
        }
        #expect(parts.count == 2)
        #expect(parts.compactMap { Data(base64Encoded: $0).map { String(decoding: $0, as: UTF8.self) } } == [message.text, message.html])
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test("a subject in words of many bytes is split into encoded words of whole characters")
    func encodedWords() throws {
        let subject = String(repeating: "Драгоценность ", count: 6)
        let words = MailMessage.encodedWord(subject).components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64))!, as: UTF8.self)
        }
        #expect(decoded.joined() == subject)
    }

    @Test("the catalogue has a subject and a body for every kind of e-mail, and the layouts' words")
    func catalogue() throws {
        let texts = try MailTexts.load()
        let keys =
            ["greeting", "signature", "open", "essential", "account"]
            + CustomerEmailKind.allCases.flatMap { ["\($0.rawValue).subject", "\($0.rawValue).body"] }
        #expect(keys.filter { texts.entries[$0] == nil } == [])
        #expect(texts.text("shipped.body", ["order": "1a2b", "tracking": "TRK-1"]).contains("TRK-1"))
    }

    @Test("a line that starts with a dot gets a second one in DATA, and the block ends with a lone dot")
    func dotStuffing() {
        #expect(SMTPConnection.dataBlock("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n")
    }

    @Test("an address that could end a header or a command is refused")
    func addresses() {
        for bad in ["", "no-at", "a@b", "a@.b.c", "a@b.c>\r\nRCPT TO:<x@y.z", "a b@c.d", "<a@b.c>", "a@b.c\n"] {
            #expect(throws: MailError.invalidAddress) { try MailAddress(bad) }
        }
        #expect((try? MailAddress("clara+orders@example.test").address) == "clara+orders@example.test")
        #expect((try? MailAddress("a@b.test", name: "Evil\r\nBcc: x@y.z"))?.header == "\"EvilBcc: x@y.z\" <a@b.test>")
    }

    @Test("ATELIER_SMTP_URL: schemes, ports, TLS choices and credentials; a bad one is reported without its value")
    func settings() throws {
        let plain = try SMTPSettings.parse("smtp://mail.example.test").get()
        #expect(plain.port == 587 && plain.security == .startTLS && plain.username == nil)
        let secure = try SMTPSettings.parse("smtps://user%40shop:p%3Ass@mail.example.test").get()
        #expect(secure.port == 465 && secure.security == .implicitTLS && secure.username == "user@shop" && secure.password?.value == "p:ss")
        #expect(try SMTPSettings.parse("smtp://localhost:2525?tls=none").get().security == .none)
        #expect(try SMTPSettings.parse("smtp://localhost?tls=required").get().security == .startTLSRequired)
        for bad in ["http://mail.example.test", "smtp://", "smtp://host?tls=maybe", "smtps://host?tls=none"] {
            #expect((try? SMTPSettings.parse(bad).get()) == nil)
        }
        let problems = #expect(throws: (any Error).self) {
            try AtelierConfiguration.fromEnvironment(["ATELIER_SMTP_URL": "smtp://user:secret-pass@", "ATELIER_MAIL_FROM": "nobody"])
        }
        #expect(!"\(problems!)".contains("secret-pass"))
        #expect("\(problems!)".contains("ATELIER_MAIL_FROM"))
    }
}

@Suite("SMTP against a real server", .enabled(if: TestSMTPServer.python != nil))
struct SMTPClientTests {
    let message = MailMessage(
        from: MailAddress(known: "atelier@shop.test", name: nil), to: MailAddress(known: "clara@example.test", name: nil), subject: "Hello",
        text: "Plain body", html: "<p>HTML body</p>", messageID: "test.1@shop.test", date: Date())

    func client(_ server: TestSMTPServer, _ security: SMTPSettings.Security, user: String? = nil, password: String? = nil)
        -> SMTPClient
    {
        var settings = SMTPSettings(
            host: "127.0.0.1", port: server.port, security: security, username: user, password: password.map(Secret.init))
        settings.trustedCertificatesFile = FileManager.default.fileExists(atPath: server.authority) ? server.authority : nil
        settings.timeout = .seconds(2)
        return SMTPClient(settings: settings)
    }

    @Test("without TLS or a password, the server gets the message as rendered")
    func plain() async throws {
        let server = try await TestSMTPServer.start()
        try await client(server, .none).send(message)
        let received = try await server.waitFor(1)
        #expect(received.count == 1)
        #expect(received.first?.contains("Message-ID: <test.1@shop.test>") == true)
    }

    @Test("STARTTLS with the server's own authority, then AUTH: the message arrives")
    func startTLSAndAuth() async throws {
        let server = try await TestSMTPServer.start(["--tls", "--require-tls", "--auth", "atelier:s3cret"])
        try await client(server, .startTLSRequired, user: "atelier", password: "s3cret").send(message)
        #expect(try await server.waitFor(1).count == 1)
    }

    @Test("AUTH without TLS to this machine works; a wrong password is refused and is no permanent failure (the settings can be fixed)")
    func wrongPassword() async throws {
        let server = try await TestSMTPServer.start(["--auth", "atelier:s3cret"])
        try await client(server, .none, user: "atelier", password: "s3cret").send(message)
        #expect(try await server.waitFor(1).count == 1)
        await #expect {
            try await client(server, .none, user: "atelier", password: "wrong").send(message)
        } throws: { error in
            // aiosmtpd answers a wrong password late (after the client's two seconds here) or with 535.
            guard let mail = error as? MailError else { return false }
            switch mail {
            case .rejected(step: "AUTH", code: 535, _), .timeout(step: "AUTH"): return !mail.isPermanent
            default: return false
            }
        }
        #expect(server.messages().count == 1)
    }

    @Test("a server without the TLS the settings require, or one that trusts no certificate of ours, gets nothing")
    func tlsRequired() async throws {
        let server = try await TestSMTPServer.start()
        await #expect(throws: MailError.self) { try await client(server, .startTLSRequired).send(message) }
        let withTLS = try await TestSMTPServer.start(["--tls"])
        var settings = SMTPSettings(host: "127.0.0.1", port: withTLS.port, security: .startTLSRequired)
        settings.timeout = .seconds(2)  // the system's authorities do not know the test's
        await #expect(throws: MailError.self) { try await SMTPClient(settings: settings).send(message) }
        #expect(server.messages().isEmpty && withTLS.messages().isEmpty)
    }

    @Test("a server that hangs is given up after the timeout; one that is busy answers 451; neither is permanent")
    func hangAndBusy() async throws {
        let hanging = try await TestSMTPServer.start(["--hang", "1"])
        let started = ContinuousClock.now
        await #expect {
            try await client(hanging, .none).send(message)
        } throws: { error in
            (error as? MailError) == .timeout(step: "EHLO") && !(error as! MailError).isPermanent
        }
        // The server would hang for an hour; the client gives up after its two seconds (more on a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(30))
        let busy = try await TestSMTPServer.start(["--refuse", "1"])
        await #expect {
            try await client(busy, .none).send(message)
        } throws: { error in
            guard let mail = error as? MailError, case .rejected(step: "the message", code: 451, _) = mail else { return false }
            return !mail.isPermanent
        }
        try await client(busy, .none).send(message)
        #expect(try await busy.waitFor(1).count == 1)
    }

    @Test("a mailbox that does not exist is a permanent failure")
    func unknownRecipient() async throws {
        let server = try await TestSMTPServer.start(["--reject-recipient", "clara@example.test"])
        await #expect {
            try await client(server, .none).send(message)
        } throws: { error in
            guard let mail = error as? MailError, case .rejected(step: "RCPT TO", code: 550, _) = mail else { return false }
            return mail.isPermanent
        }
    }
}
