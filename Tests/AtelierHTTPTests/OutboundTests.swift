import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Webhooks never reach inside the network Atelier runs in.
@Suite("Webhooks to public addresses only")
struct OutboundTests {
    static let internalURLs = [
        "https://127.0.0.1/hook", "https://127.8.9.10/hook", "https://[::1]/hook", "https://0.0.0.0/hook",
        "https://169.254.169.254/latest/meta-data", "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://172.31.255.255/hook",
        "https://192.168.1.1/hook", "https://100.64.0.1/hook", "https://224.0.0.1/hook", "https://255.255.255.255/hook",
        "https://[fd00::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:10.0.0.1]/hook",
        "https://2130706433/hook", "https://0x7f.1/hook", "https://017700000001/hook", "https://localhost/hook",
        "https://metadata.google.internal/computeMetadata/v1/", "https://intranet/hook", "https://printer.local/hook",
    ]

    @Test("registering an endpoint at a loopback, private, link-local, CGNAT, multicast or metadata address is refused")
    func registration() async throws {
        let harness = try await Harness.make { $0.webhookPolicy = WebhookPolicy() }
        let (_, key) = try await harness.partner()
        try await harness.partnerTest { api in
            for url in Self.internalURLs {
                let reply = try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": url])
                #expect(reply.status == .unprocessableContent, "\(url)")
                #expect(reply.string("detail")?.contains("webhooks go only to public addresses") == true, "\(url): \(reply.text)")
            }
            // A public address is fine (nothing is sent at registration).
            let accepted = try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": "https://93.184.215.14/hook"])
            #expect(accepted.status == .created)
        }
    }

    @Test("the check runs again on the address connected: a name that resolves to loopback gets nothing")
    func atConnection() async throws {
        let receiver = TestReceiver(failFirst: 0)
        try await receiver.application().test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            // Registered while private addresses were allowed; the policy is strict when it is sent.
            let harness = try await Harness.make {
                $0.webhookPolicy.allowPrivateAddresses = false
                $0.webhookPolicy.allowedHosts = []
                // Each refusal counts as a failure; the circuit must not open and answer in its place,
                // however many deliveries the machine's pace makes due.
                $0.webhookPolicy.breakerThreshold = 1000
            }
            let (partner, key) = try await harness.partner()
            let endpoint = WebhookEndpoint(
                id: "e-local", partnerID: partner.id, url: "http://localhost:\(port)/hook", secret: "whsec_x", description: nil,
                createdAt: Date())
            try await harness.store.write { tx in try await tx.insert(webhookEndpoint: endpoint) }
            try await harness.partnerTest { api in
                _ = try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring)
                for _ in 0..<5 {
                    try await harness.webhookWorker.runDueJobs()
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(receiver.requests == 0)
                let deliveries = try await api.call(.get, "/v1/webhook-deliveries?limit=100", token: key)
                let errors = try deliveries.decode(PageView<DeliveryView>.self).items.compactMap(\.lastError)
                #expect(!errors.isEmpty)
                #expect(
                    errors.allSatisfy { $0.hasPrefix("not sent: localhost") && $0.contains("webhooks go only to public addresses") },
                    "\(errors)")
            }
        }
    }

    @Test("addresses are classified by their bytes, both families")
    func classification() {
        for text in ["8.8.8.8", "93.184.215.14", "2606:4700::1111", "2a00:1450:4001:82a::200e"] {
            #expect(OutboundAddress.IP(text)?.refusal == nil, "\(text)")
        }
        for text in [
            "127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fc00::1", "::ffff:8.8.8.8", "64:ff9b::a00:1", "2002:a00:1::1", "ff02::1",
        ] {
            #expect(OutboundAddress.IP(text)?.refusal != nil, "\(text)")
        }
        #expect(OutboundAddress.IP("2130706433") == nil, "a legacy form is resolved, not parsed")
    }

    @Test("a delivery error shows a partner a coarse category, never the transport's words")
    func coarseErrors() {
        struct Internal: Error, CustomStringConvertible {
            var description: String { "connect(descriptor:addr:size:): Connection refused (errno: 111) at /build/Sources/x.swift:12" }
        }
        #expect(WebhookService.category(of: Internal()) == "no answer: could not connect")
    }
}
