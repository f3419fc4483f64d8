import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Idempotency keys")
struct IdempotencyTests {
    @Test("a retried create with the same key makes no second order; another body with it is refused")
    func create() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let body: [String: any Sendable] = ["material": "gold-585", "finishes": ["polish"]]

            let first = try await api.call(.post, "/api/shop/orders", token: customer, json: body, headers: ["Idempotency-Key": "k-1"])
            let retry = try await api.call(.post, "/api/shop/orders", token: customer, json: body, headers: ["Idempotency-Key": "k-1"])
            let other = try await api.call(
                .post, "/api/shop/orders", token: customer, json: ["material": "silver-925"], headers: ["Idempotency-Key": "k-1"])

            #expect(first.status == .created)
            #expect(retry.status == .ok)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(retry.string("id") == first.string("id"))
            #expect(other.status == .unprocessableContent)
            #expect(other.string("detail") == "Idempotency-Key 'k-1' was already used with a different request.")
            let mine = try await api.call(.get, "/api/shop/orders", token: customer)
            #expect((mine.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("a retried submit with the same key answers like the first and enqueues one pricing job")
    func submit() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585", "catalogItem": "ball-studs"])
                    .string("id"))

            let first = try await api.call(
                .post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody, headers: ["Idempotency-Key": "s-1"])
            let retry = try await api.call(
                .post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody, headers: ["Idempotency-Key": "s-1"])
            let withoutKey = try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer)

            #expect(first.status == .ok)
            #expect(retry.status == .ok)
            #expect(retry.string("status") == "SUBMITTED")
            #expect(withoutKey.status == .conflict)
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await harness.store.reader.history(orderID: id).filter { $0.to == .submitted }.count == 1)
        }
    }
}
