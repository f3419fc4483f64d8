import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// A partner's webhook endpoint: checks each signature, fails the first `failFirst` requests,
/// and records what arrived.
final class TestReceiver: Sendable {
    struct Arrival: Sendable {
        var eventID: String
        var orderID: String
        var sequence: Int
        var to: String
        var signatureValid: Bool
    }

    let failFirst: Int
    private let state = Mutex<(secret: String, requests: Int, arrivals: [Arrival])>(("", 0, []))

    init(failFirst: Int) { self.failFirst = failFirst }

    func setSecret(_ secret: String) { state.withLock { $0.secret = secret } }
    var requests: Int { state.withLock { $0.requests } }
    var arrivals: [Arrival] { state.withLock { $0.arrivals } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let bytes = Array(body.readableBytesView)
            let header = request.headers[HTTPField.Name("Atelier-Signature")!] ?? ""
            let failing = self.state.withLock { state -> Bool in
                state.requests += 1
                return state.requests <= self.failFirst
            }
            if failing { return .serviceUnavailable }
            let valid = self.verify(header: header, body: bytes)
            let event = try? JSONDecoder().decode(OrderEventView.self, from: Data(bytes))
            let arrival = Arrival(
                eventID: event?.id ?? "", orderID: event?.data.orderId ?? "", sequence: event?.data.sequence ?? -1,
                to: event?.data.to ?? "", signatureValid: valid)
            self.state.withLock { $0.arrivals.append(arrival) }
            return .noContent
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// `t=<seconds>,v1=<hex HMAC-SHA256("<t>.<body>")>`, computed here independently of Atelier's code.
    func verify(header: String, body: [UInt8]) -> Bool {
        let parts = Dictionary(
            header.split(separator: ",").compactMap { part -> (String, String)? in
                let pair = part.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            }, uniquingKeysWith: { first, _ in first })
        guard let timestamp = parts["t"], let signature = parts["v1"], let seconds = Double(timestamp),
            abs(Date().timeIntervalSince1970 - seconds) < 300
        else { return false }
        let secret = state.withLock { $0.secret }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == signature
    }
}

@Suite("Webhooks")
struct WebhookTests {
    /// Runs the webhook worker until `done` or 20 s.
    static func deliver(_ harness: Harness, until done: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !done(), ContinuousClock.now < deadline {
            try await harness.webhookWorker.runDueJobs()
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("signed events of every status change arrive, retried after failures, each order's in order; a replay re-delivers")
    func delivery() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner()
        let receiver = TestReceiver(failFirst: 5)
        try await receiver.application().test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            try await harness.partnerTest { api in
                let registered = try await api.call(
                    .post, "/v1/webhook-endpoints", token: key, json: ["url": "http://127.0.0.1:\(port)/hook", "description": "tests"])
                #expect(registered.status == .created)
                let secret = try #require(registered.string("secret"))
                #expect(secret.hasPrefix("whsec_"))
                receiver.setSecret(secret)
                // The secret is shown once: the list does not have it.
                #expect(!(try await api.call(.get, "/v1/webhook-endpoints", token: key).text.contains(secret)))

                var orders: [String] = []
                for material in ["silver-925", "gold-585", "gold-750"] {
                    orders.append(
                        try #require(try await api.postModel("/v1/orders?material=\(material)", key: key, model: Models.ring).string("id")))
                }
                #expect(try await harness.pricingWorker.runDueJobs() == 3)
                // 4 events an order: INITIATED, FILE_UPLOADED, SUBMITTED, PRICE_CALCULATED.
                try await Self.deliver(harness) { Set(receiver.arrivals.map(\.eventID)).count >= 12 }

                let arrivals = receiver.arrivals
                #expect(Set(arrivals.map(\.eventID)).count == 12)
                #expect(arrivals.allSatisfy { $0.signatureValid })
                #expect(receiver.requests > arrivals.count, "the first 5 requests failed and were retried")
                for order in orders {
                    var seen: [String] = []
                    var sequences: [Int] = []
                    for arrival in arrivals where arrival.orderID == order && !seen.contains(arrival.eventID) {
                        seen.append(arrival.eventID)
                        sequences.append(arrival.sequence)
                    }
                    #expect(sequences == sequences.sorted(), "the events of order \(order) arrived in order")
                    #expect(
                        arrivals.filter { $0.orderID == order }.map(\.to).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                            == ["INITIATED", "FILE_UPLOADED", "SUBMITTED", "PRICE_CALCULATED"])
                }

                let deliveries = try await api.call(.get, "/v1/webhook-deliveries?limit=100", token: key)
                let items = try deliveries.decode(PageView<DeliveryView>.self).items
                #expect(items.count == 12)
                #expect(items.allSatisfy { $0.state == "delivered" })
                #expect(items.contains { $0.attempts > 1 })
                let failedFirst = try #require(items.first { $0.attempts > 1 })
                #expect(failedFirst.lastStatusCode == 204)

                // A replay sends the same event again, as a new delivery.
                let original = try #require(items.last)
                let eventID = original.eventId
                let replay = try await api.call(.post, "/v1/webhook-deliveries/\(original.id)/replay", token: key)
                #expect(replay.status == .accepted)
                #expect(replay.string("replayOf") == original.id)
                let before = receiver.arrivals.filter { $0.eventID == eventID }.count
                try await Self.deliver(harness) { receiver.arrivals.filter { $0.eventID == eventID }.count > before }
                #expect(receiver.arrivals.filter { $0.eventID == eventID }.count == before + 1)

                // Another partner cannot replay this partner's deliveries.
                let (_, otherKey) = try await harness.partner(name: "Other")
                #expect(
                    try await api.call(.post, "/v1/webhook-deliveries/\(original.id)/replay", token: otherKey).status
                        == .notFound)
            }
        }
    }

    @Test("after the retry window a delivery is given up: failed for the partner, done for the queue, not a dead letter")
    func givenUp() async throws {
        let harness = try await Harness.make {
            $0.webhookPolicy.retryWindow = .milliseconds(500)
            $0.webhookPolicy.timeout = .milliseconds(200)
        }
        let (_, key) = try await harness.partner()
        try await harness.partnerTest { api in
            #expect(
                try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": "http://127.0.0.1:9/dead"]).status == .created)
            _ = try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring)
            let deadline = ContinuousClock.now + .seconds(20)
            var states: [String] = []
            while ContinuousClock.now < deadline {
                try await harness.webhookWorker.runDueJobs()
                let reply = try await api.call(.get, "/v1/webhook-deliveries?limit=100", token: key)
                states = try reply.decode(PageView<DeliveryView>.self).items.map(\.state)
                if states.count == 3, states.allSatisfy({ $0 == "failed" }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(states == ["failed", "failed", "failed"])
            let counts = try await harness.store.reader.jobCounts().filter { $0.queue == "webhooks" }
            #expect(counts.map(\.state) == [.done])
            #expect(counts.first?.count == 3)
        }
    }

    @Test("a dead endpoint trips its circuit breaker, shows as failing in the CRM, and does not hold up a healthy one")
    func deadEndpoint() async throws {
        let harness = try await Harness.make {
            $0.webhookPolicy.breakerThreshold = 3
            $0.webhookPolicy.timeout = .milliseconds(500)
        }
        let (partner, key) = try await harness.partner()
        let receiver = TestReceiver(failFirst: 0)
        try await receiver.application().test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            try await harness.partnerTest { api in
                // Nothing listens on port 9 (discard) of the loopback: connections are refused.
                #expect(
                    try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": "http://127.0.0.1:9/dead"]).status
                        == .created)
                let healthy = try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": "http://127.0.0.1:\(port)/hook"])
                receiver.setSecret(try #require(healthy.string("secret")))
                for _ in 0..<2 { _ = try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring) }
                try await Self.deliver(harness) { receiver.arrivals.count >= 6 }
                #expect(Set(receiver.arrivals.map(\.eventID)).count == 6)
                // Keep trying the dead one a little: its circuit opens and attempts stop reaching it.
                for _ in 0..<10 {
                    try await harness.webhookWorker.runDueJobs()
                    try await Task.sleep(for: .milliseconds(50))
                }
                let pending = try await api.call(.get, "/v1/webhook-deliveries?state=pending&limit=100", token: key)
                let errors = try pending.decode(PageView<DeliveryView>.self).items.compactMap(\.lastError)
                #expect(errors.contains { $0.contains("circuit is open") })
            }
        }
        try await harness.test { api in
            let seller = try await api.signIn("seller@atelier.test")
            let board = try await api.call(.get, "/api/crm/webhooks", token: seller)
            let view = try board.decode(WebhookBoardView.self)
            #expect(view.failing == 1)
            #expect(view.endpoints.first?.url == "http://127.0.0.1:9/dead")
            #expect(view.endpoints.first?.partnerId == partner.id)
            #expect((view.endpoints.first?.pending ?? 0) > 0)
        }
    }
}
