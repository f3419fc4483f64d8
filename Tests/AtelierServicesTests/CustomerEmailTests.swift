import AtelierApp
import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

@testable import AtelierServices

@Suite("Customer e-mails")
struct CustomerEmailTests {
    @Test("each event of a shop order is one e-mail in the mail folder, however often its job runs")
    func mailFolder() async throws {
        let harness = try await Harness.make()
        let customer = try await principal(harness, "customer@atelier.test")
        let order = try await placedAndPriced(harness, customer)
        _ = try await harness.useCases.shop.cancel(orderID: order, reason: "Changed my mind", by: customer)
        try await harness.composition.mailWorker().runDueJobs()

        let folder = harness.dataDirectory.appendingPathComponent("mail")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        #expect(files.count == 3)
        let emails = try await harness.store.reader.emails(orderID: order)
        #expect(emails.map(\.kind) == [.placed, .priced, .cancelled])
        #expect(emails.allSatisfy { $0.sentAt != nil && $0.userID == customer.userID })
        let texts = try files.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
        #expect(texts.allSatisfy { $0.contains("To: \"Clara Customer\" <customer@atelier.test>") })
        let cancelled = try #require(texts.first { $0.contains("cancelled") && $0.contains("Subject: Your order") })
        #expect(Harness.decodedParts(cancelled).allSatisfy { $0.contains("Changed my mind") && $0.contains("/orders/\(order)") })
        // The price as the customer's language writes it (the subject is encoded: it has a €).
        let priced = try #require(texts.first { Harness.decodedParts($0).first?.contains("The price of your order") == true })
        #expect(Harness.decodedParts(priced).first?.contains("€") == true)

        // The job again (a retry after a crash, a second worker): nothing new is written.
        for email in emails { try await harness.useCases.emails.send(emailID: email.id) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.count == 3)
    }

    @Test("a partner's orders send no e-mails: the partner hears of them through webhooks")
    func partnerOrders() async throws {
        let harness = try await Harness.make()
        let (partner, _) = try await harness.partner()
        let created = try await harness.useCases.partners.createOrder(
            .init(
                material: "gold-585", finishes: [], reference: "ref-1", filename: "ring.stl", model: try await harness.spool(Models.ring)),
            by: partner.principal,
            idempotencyKey: nil)
        _ = try await harness.pricingWorker.runDueJobs()
        #expect(try await harness.store.reader.emails(orderID: created.order.id).isEmpty)
    }

    @Test(
        "through a real SMTP server that is busy at first: the e-mail arrives once, after a retry",
        .enabled(if: TestSMTPServer.python != nil))
    func smtpRetry() async throws {
        let server = try await TestSMTPServer.start(["--refuse", "1"])
        let harness = try await Harness.make { configuration in
            var smtp = SMTPSettings(host: "127.0.0.1", port: server.port, security: .none)
            smtp.timeout = .seconds(2)
            configuration.smtp = smtp
            configuration.jobBaseBackoffSeconds = 0.01
        }
        let customer = try await principal(harness, "customer@atelier.test")
        let order = try await harness.useCases.shop.createOrder(
            ShopService.NewOrder(material: "gold-585", finishes: []), model: try await harness.spool(Models.ring), filename: "ring.stl",
            by: customer)
        _ = try await harness.useCases.shop.submit(orderID: order.id, delivery: try Deliveries.sample(), by: customer, idempotencyKey: nil)
        let worker = harness.composition.mailWorker()
        let deadline = Date().addingTimeInterval(10)
        while server.messages().isEmpty, Date() < deadline {
            try await worker.runDueJobs()
            try await Task.sleep(for: .milliseconds(50))
        }
        try await worker.runDueJobs()
        let received = server.messages()
        #expect(received.count == 1)
        #expect(received.first?.contains("Subject: We have your order") == true)
        #expect(try await harness.store.reader.emails(orderID: order.id).map { $0.sentAt != nil } == [true])
    }

    private func placedAndPriced(_ harness: Harness, _ customer: Principal) async throws -> String {
        let order = try await harness.useCases.shop.createOrder(
            ShopService.NewOrder(material: "gold-585", finishes: []), model: try await harness.spool(Models.ring), filename: "ring.stl",
            by: customer)
        _ = try await harness.useCases.shop.submit(orderID: order.id, delivery: try Deliveries.sample(), by: customer, idempotencyKey: nil)
        _ = try await harness.pricingWorker.runDueJobs()
        return order.id
    }

    private func principal(_ harness: Harness, _ email: String) async throws -> Principal {
        let session = try await harness.useCases.accounts.signIn(email: email, password: Harness.password)
        return try #require(try await harness.useCases.accounts.authenticate(token: session.token))
    }
}
