import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTelemetry
import AtelierText
import Foundation
import Logging
import Mustache

/// The job that sends one recorded e-mail.
public struct CustomerEmailJob: JobPayload, Hashable {
    public static let kind = "mail.customer"
    public static let queue = "mail"
    public var emailID: Int64
    /// The order it tells of; nil for an account e-mail.
    public var orderID: String?
    public var subject: String? { orderID }
    /// Attempts before an e-mail goes to the dead letters: with the mail worker's backoff (doubling
    /// up to ten minutes), about two and a half hours of a server refusing or away.
    public static let maxAttempts = 20
}

extension StoreTransaction {
    /// Records the e-mails that `entries` call for and enqueues the job that sends each, in this
    /// transaction: a shop order's customer is written once per event, whichever use case made it
    /// (a key per order and event makes a second recording of the same event a no-op).
    func recordCustomerEmails(order: Order, entries: [HistoryEntry]) async throws {
        guard order.channel == .shop else { return }  // a partner hears of its orders through webhooks
        for kind in entries.compactMap(CustomerEmailKind.kind(for:)) {
            let key = OutgoingEmail.key(orderID: order.id, kind: kind)
            guard
                let id = try await insertEmail(key: key, kind: kind, orderID: order.id, userID: order.customerID, at: order.updatedAt)
            else { continue }
            try await enqueue(
                CustomerEmailJob(emailID: id, orderID: order.id), at: order.updatedAt, maxAttempts: CustomerEmailJob.maxAttempts)
        }
    }

    /// Records an account e-mail of `kind` to `userID` (each request its own, `request` making the
    /// key unique) and enqueues its job, in this transaction.
    func recordAccountEmail(_ kind: CustomerEmailKind, userID: String, request: String, at now: Date) async throws {
        let key = "account:\(userID):\(kind.rawValue):\(request)"
        guard let id = try await insertEmail(key: key, kind: kind, orderID: nil, userID: userID, at: now) else { return }
        try await enqueue(CustomerEmailJob(emailID: id, orderID: nil), at: now, maxAttempts: CustomerEmailJob.maxAttempts)
    }
}

/// Writes and sends the customers' e-mails: the worker of the `mail` queue.
///
/// One e-mail per event, never two on Atelier's side: it is recorded once (a unique key) and
/// marked sent after the server took it; a job that finds it sent ends. SMTP itself has no way to
/// take a message exactly once, so a crash after the server's acceptance and before the mark sends
/// it again on the next attempt, with the same `Message-ID` (mail programs show one message; the
/// mail folder keeps one file).
///
/// An account e-mail's single-use link is made here, when the e-mail is written: only its hash is
/// stored, so the link exists nowhere but in the e-mail (not in the job, not in the database). An
/// attempt that fails after making one leaves it unused; it expires, and the next attempt makes another.
public struct CustomerEmailService: Sendable {
    let context: UseCaseContext
    let transport: any MailTransport
    let texts: Result<[Language: MailTexts], MailError>

    public init(context: UseCaseContext, transport: any MailTransport) {
        self.context = context
        self.transport = transport
        texts = Result { try MailTexts.loadAll() }.mapError { $0 as? MailError ?? .unsupported("\($0)") }
    }

    /// The handler the job runner calls.
    public var handler: any JobHandler {
        TypedJobHandler(CustomerEmailJob.self) { payload in try await send(emailID: payload.emailID) }
    }

    /// Sends the e-mail `emailID` unless it was sent; marks it sent.
    public func send(emailID: Int64) async throws {
        guard let draft = try await context.store.reader.emailDraft(id: emailID) else {
            throw PermanentJobError("e-mail \(emailID) does not exist")
        }
        guard draft.email.sentAt == nil else { return }
        guard draft.email.kind.isEssential || draft.progressEmails else {
            // The customer stopped these: the e-mail is done without being sent.
            try await context.store.write { tx in try await tx.markEmailSent(id: emailID, at: context.time.now()) }
            context.logger.info(
                "e-mail not sent: the customer stopped these", metadata: ["email.kind": "\(draft.email.kind.rawValue)"])
            return
        }
        let link = try await link(for: draft)
        let stop = draft.email.kind.isEssential ? nil : try await stopLink(for: draft)
        let message: MailMessage
        do {
            message = try compose(draft, link: link, stop: stop)
        } catch let error as MailError {
            throw PermanentJobError("e-mail \(emailID) cannot be written: \(error)")
        }
        do {
            try await transport.send(message)
        } catch let error as MailError where error.isPermanent {
            throw PermanentJobError("e-mail \(emailID): \(error)")
        }
        try await context.store.write { tx in try await tx.markEmailSent(id: emailID, at: context.time.now()) }
        context.logger.info(
            "e-mail sent", metadata: ["order.id": "\(draft.order?.id ?? "")", "email.kind": "\(draft.email.kind.rawValue)"])
    }

    /// The link that stops the e-mails that are not essential, without signing in: the account's
    /// e-mail preferences token, made with its first such e-mail.
    func stopLink(for draft: EmailDraft) async throws -> URL {
        var token = draft.emailToken
        if token == nil {
            let new = randomToken()
            token = try await context.store.write { tx in try await tx.emailToken(userID: draft.email.userID, new: new) }
        }
        return context.configuration.siteURL.appendingPathComponent("email-preferences/\(token ?? "")")
    }

    /// Where the e-mail's button leads: the order's page, or a new single-use account link.
    func link(for draft: EmailDraft) async throws -> URL {
        let site = context.configuration.siteURL
        if let purpose = draft.email.kind.tokenPurpose {
            let token = randomToken()
            let now = context.time.now()
            let record = AccountToken(
                tokenHash: sha256Hex(Data(token.utf8)), userID: draft.email.userID, purpose: purpose, createdAt: now,
                expiresAt: now.addingTimeInterval(purpose.lifetime))
            try await context.store.write { tx in try await tx.insert(token: record) }
            return site.appendingPathComponent(purpose == .verifyEmail ? "verify-email/\(token)" : "password-reset/\(token)")
        }
        guard let order = draft.order else {
            throw PermanentJobError("e-mail \(draft.email.id) is about an order that does not exist")
        }
        return site.appendingPathComponent("orders/\(order.id)")
    }

    /// The e-mail as its customer reads it.
    func compose(_ draft: EmailDraft, link: URL, stop: URL? = nil) throws -> MailMessage {
        let all = try self.texts.get()
        guard let texts = all[draft.language] ?? all[.english] else { throw MailError.unsupported("no e-mail texts") }
        let email = draft.email
        let order = draft.order
        // Amounts and days as the customer's language writes them; days in the workshop's zone.
        let audience = Addressee(language: draft.language)
        let values: [String: String] = [
            "name": draft.customerName, "order": order.map { String($0.id.prefix(8)) } ?? "",
            "price": draft.quote.map { audience.amount(minorUnits: $0.total.minorUnits, currency: $0.total.currency) } ?? "",
            "tracking": order?.trackingNumber ?? "", "reason": order?.cancelReason ?? "",
            "promised": order?.promisedBy.map(audience.day) ?? "",
        ]
        let kind = email.kind.rawValue
        let subject = texts.text("\(kind).subject", values)
        let page = MailPage(
            language: texts.language, subject: subject, greeting: texts.text("greeting", values), body: texts.text("\(kind).body", values),
            link: .init(url: link.absoluteString, label: texts.text(texts.has("\(kind).link") ? "\(kind).link" : "open", values)),
            signature: texts.text("signature", values),
            footer: texts.text(email.kind.tokenPurpose != nil ? "account" : email.kind.isEssential ? "essential" : "progress", values),
            stop: stop.map { .init(url: $0.absoluteString, label: texts.text("stop", values)) })
        let domain = context.configuration.mailFrom.address.split(separator: "@").last.map(String.init) ?? "atelier.localhost"
        return MailMessage(
            from: context.configuration.mailFrom, to: try MailAddress(draft.customerEmail, name: draft.customerName), subject: subject,
            text: texts.render(page, template: "mail.txt"), html: texts.render(page, template: "mail.html"),
            messageID: "\(email.key.replacingOccurrences(of: ":", with: "."))@\(domain)", date: email.createdAt, unsubscribe: stop)
    }
}

/// What the layout templates show.
struct MailPage {
    struct Link {
        var url: String
        var label: String
    }
    var language: String
    var subject: String
    var greeting: String
    var body: String
    var link: Link
    var signature: String
    var footer: String
    /// The link that stops the e-mails that are not essential (only in those).
    var stop: Link?
}

/// The e-mails' words, one file per language (`Resources/mail/<language>.json`, each a Mustache
/// template over the e-mail's values), and their two layouts (plain text and HTML). Every template
/// is parsed once, when the service starts: a catalogue that does not parse fails there.
struct MailTexts: Sendable {
    let language: String
    let entries: [String: MustacheTemplate]
    let library: MustacheLibrary

    /// Every language's texts, each complete (a test compares their keys).
    static func loadAll() throws -> [Language: MailTexts] {
        var all: [Language: MailTexts] = [:]
        for language in Language.allCases { all[language] = try load(language: language.rawValue) }
        return all
    }

    static func load(language: String = "en") throws -> MailTexts {
        guard let folder = Bundle.module.url(forResource: "mail", withExtension: nil),
            let data = try? Data(contentsOf: folder.appendingPathComponent("\(language).json")),
            let words = try? JSONDecoder().decode([String: String].self, from: data)
        else { throw MailError.unsupported("the e-mails' texts for \(language) are missing from the build") }
        var entries: [String: MustacheTemplate] = [:]
        for (key, word) in words {
            do {
                entries[key] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + word)
            } catch {
                throw MailError.unsupported("the e-mail text \(key) (\(language)) is not a template: \(error)")
            }
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in ["mail.txt", "mail.html"] {
            guard let text = try? String(contentsOf: folder.appendingPathComponent("\(name).mustache"), encoding: .utf8) else {
                throw MailError.unsupported("the e-mail layout \(name) is missing from the build")
            }
            templates[name] = try MustacheTemplate(string: text)
        }
        return MailTexts(language: language, entries: entries, library: MustacheLibrary(templates: templates))
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The entry `key` with `values` put in (as they are: the layouts escape what they show).
    func text(_ key: String, _ values: [String: String]) -> String {
        entries[key]?.render(values) ?? key
    }

    func render(_ page: MailPage, template: String) -> String {
        library.render(page, withTemplate: template) ?? ""
    }
}
