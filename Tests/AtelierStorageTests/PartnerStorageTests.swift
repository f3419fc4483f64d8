import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

/// Partners, keys and webhooks behave alike on both engines.
@Suite("Partner storage")
struct PartnerStorageTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func insertPartner(_ store: any Store, id: String = "p1") async throws -> Partner {
        let partner = Partner(
            id: id, name: "Gem Shop \(id)", email: "\(id)@partner.test",
            autoApproval: AutoApprovalPolicy(limit: Money(minorUnits: 50_000, currency: "EUR")), requestsPerMinute: 120, burst: 10,
            createdAt: t0)
        try await store.write { tx in
            try await tx.insert(
                user: UserAccount(id: id, email: partner.email, name: partner.name, role: .partner, passwordHash: "!", createdAt: t0))
            try await tx.insert(partner: partner)
        }
        return partner
    }

    @Test("a partner, its policy and its keys round-trip; a revoked key no longer finds its partner", arguments: Engine.allCases)
    func partnersAndKeys(engine: Engine) async throws {
        let store = try await engine.makeStore()
        var partner = try await Self.insertPartner(store)
        #expect(try await store.reader.partner(id: "p1") == partner)
        let key = PartnerKey(
            id: "k1", partnerID: "p1", prefix: "atk_abcdefgh", keyHash: String(repeating: "a", count: 64), createdAt: Self.t0)
        try await store.write { tx in try await tx.insert(partnerKey: key) }
        #expect(try await store.reader.partnerKey(hash: key.keyHash)?.1 == partner)

        partner.autoApproval = .off
        partner.burst = 20
        try await store.write { [partner] tx in try await tx.update(partner: partner) }
        #expect(try await store.reader.partners() == [partner])

        #expect(try await store.write { tx in try await tx.revokePartnerKey(id: "k1", partnerID: "p1", at: Self.t0) })
        #expect(try await store.write { tx in try await tx.revokePartnerKey(id: "k1", partnerID: "p1", at: Self.t0) } == false)
        #expect(try await store.reader.partnerKey(hash: key.keyHash) == nil)
        #expect(try await store.reader.partnerKeys(partnerID: "p1").first?.revokedAt == Self.t0)
    }

    @Test(
        "webhook deliveries keep their stream's order, record attempts, and a disabled endpoint gives its pending ones up",
        arguments: Engine.allCases)
    func deliveries(engine: Engine) async throws {
        let store = try await engine.makeStore()
        _ = try await Self.insertPartner(store)
        let partner = Principal(userID: "p1", role: .partner, name: "Gem Shop")
        let (order, _) = try Order.start(
            id: "o-1", customer: partner, materialCode: "gold-585", finishCodes: [], traceContext: nil, at: Self.t0)
        let endpoint = WebhookEndpoint(
            id: "e1", partnerID: "p1", url: "https://hooks.example/a", secret: "whsec_x", description: nil, createdAt: Self.t0)
        let ids: [Int64] = try await store.write { tx in
            try await tx.insert(order: order)
            try await tx.insert(webhookEndpoint: endpoint)
            var ids: [Int64] = []
            for status in ["INITIATED", "FILE_UPLOADED"] {
                let event = try await tx.insert(
                    webhookEvent: WebhookEvent(
                        partnerID: "p1", orderID: "o-1", type: "order.status_changed", data: #"{"to":"\#(status)"}"#, createdAt: Self.t0))
                ids.append(try await tx.insertDelivery(event: event, endpointID: "e1", replayOf: nil, at: Self.t0))
            }
            return ids
        }
        let first = try #require(try await store.reader.webhookDelivery(id: ids[0]))
        let second = try #require(try await store.reader.webhookDelivery(id: ids[1]))
        #expect(second.eventID > first.eventID)
        #expect(try await store.reader.pendingPredecessor(of: first) == nil)
        #expect(try await store.reader.pendingPredecessor(of: second)?.id == first.id)

        try await store.write { tx in
            try await tx.record(.failed(statusCode: 500, error: "the endpoint answered 500"), deliveryID: ids[0], at: Self.t0)
            try await tx.record(.delivered(statusCode: 204), deliveryID: ids[0], at: Self.t0.addingTimeInterval(5))
        }
        let delivered = try #require(try await store.reader.webhookDelivery(id: ids[0]))
        #expect(delivered.state == .delivered)
        #expect(delivered.attempts == 2)
        #expect(delivered.lastStatusCode == 204)
        #expect(try await store.reader.pendingPredecessor(of: second) == nil)

        var health = try await store.reader.webhookHealth(partnerID: "p1")
        #expect(health.first?.pending == 1)
        #expect(health.first?.lastSuccessAt == Self.t0.addingTimeInterval(5))
        #expect(health.first?.lastError == "the endpoint answered 500")

        #expect(try await store.write { tx in try await tx.disableWebhookEndpoint(id: "e1", at: Self.t0) })
        #expect(try await store.reader.webhookDelivery(id: ids[1])?.state == .failed)
        #expect(try await store.reader.webhookEndpoints(partnerID: "p1", activeOnly: true).isEmpty)
        health = try await store.reader.webhookHealth(partnerID: nil)
        #expect(health.first?.failed == 1)
        let page = try await store.reader.webhookDeliveries(partnerID: "p1", state: nil, orderID: "o-1", page: PageRequest(limit: 1))
        #expect(page.items.map(\.id) == [ids[1]])
        let next = try await store.reader.webhookDeliveries(
            partnerID: "p1", state: nil, orderID: "o-1", page: PageRequest(cursor: page.next, limit: 1))
        #expect(next.items.map(\.id) == [ids[0]])
    }

    @Test("a deferred job comes back at its time without spending an attempt", arguments: Engine.allCases)
    func deferral(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let id = try await store.write { tx in
            try await tx.enqueue(NewJob(queue: "webhooks", kind: "k", payload: "{}", runAt: Self.t0, maxAttempts: 3))
        }
        let claimed = try await store.write { tx in
            try await tx.claimJobs(queues: ["webhooks"], worker: "w", limit: 1, now: Self.t0, leaseUntil: Self.t0.addingTimeInterval(60))
        }
        #expect(claimed.first?.attempts == 1)
        try await store.write { tx in try await tx.deferJob(id: id, worker: "w", runAt: Self.t0.addingTimeInterval(5), at: Self.t0) }
        let job = try #require(try await store.reader.job(id: id))
        #expect(job.state == .ready)
        #expect(job.attempts == 0)
        #expect(job.runAt == Self.t0.addingTimeInterval(5))
        let early = try await store.write { tx in
            try await tx.claimJobs(
                queues: ["webhooks"], worker: "w", limit: 1, now: Self.t0.addingTimeInterval(1), leaseUntil: Self.t0.addingTimeInterval(60))
        }
        #expect(early.isEmpty)
    }
}
