import AsyncHTTPClient
import AtelierGeometry
import AtelierServices
import AtelierTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// What the flooding tasks saw.
final class FloodCounters: Sendable {
    let statuses = Mutex<[UInt: Int]>([:])
    /// How long each of the partner's served quotes took.
    let served = Mutex<[Duration]>([])
    let flooding = Atomic<Bool>(true)
}

@Suite("Partner flood")
struct PartnerFloodTests {
    @Test("a partner flooding its API with quotes does not starve the shop: its own in-flight limit turns the excess away")
    func flood() async throws {
        let harness = try await Harness.make { $0.partnerMaxInFlight = 2 }
        let (_, key) = try await harness.partner(requestsPerMinute: 1_000_000, burst: 100_000)
        // A 1.5 MB model: each upload takes a while to arrive, so many flood requests are in flight at once.
        let model = MeshWriter.binarySTL(MeshGenerator.torus(major: 9, minor: 1.2, segments: 200, sides: 70).soup)
        try await harness.application().test(.live) { internalClient in
            let internalPort = try #require(internalClient.port)
            try await harness.partnerApplication().test(.live) { partnerClient in
                let partnerPort = try #require(partnerClient.port)
                let counters = FloodCounters()
                var internalLatencies: [Duration] = []
                var internalStatuses: [UInt] = []
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<32 {
                        group.addTask {
                            while counters.flooding.load(ordering: .relaxed) {
                                var request = HTTPClientRequest(url: "http://127.0.0.1:\(partnerPort)/v1/quotes?material=gold-585")
                                request.method = .POST
                                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                                request.headers.add(name: "Content-Type", value: "application/octet-stream")
                                request.body = .bytes(ByteBuffer(bytes: model))
                                let started = ContinuousClock.now
                                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                                _ = try await response.body.collect(upTo: 1 << 20)
                                counters.statuses.withLock { $0[response.status.code, default: 0] += 1 }
                                if response.status == .ok { counters.served.withLock { $0.append(ContinuousClock.now - started) } }
                            }
                        }
                    }
                    // Meanwhile a customer browses the shop.
                    try await Task.sleep(for: .milliseconds(300))
                    for _ in 0..<40 {
                        let started = ContinuousClock.now
                        let response = try await HTTPClient.shared.execute(
                            HTTPClientRequest(url: "http://127.0.0.1:\(internalPort)/api/shop/catalog"), timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        internalLatencies.append(ContinuousClock.now - started)
                        internalStatuses.append(response.status.code)
                        try await Task.sleep(for: .milliseconds(25))
                    }
                    counters.flooding.store(false, ordering: .relaxed)
                    try await group.waitForAll()
                }
                let partner = counters.statuses.withLock { $0 }
                #expect(internalStatuses.allSatisfy { $0 == 200 })
                // Not starved: the shop's answers do not wait behind the partner's work. Compared with
                // the partner's own served quotes, not with a clock, so a busy machine does not fail it.
                let shopMedian = internalLatencies.sorted()[internalLatencies.count / 2]
                let served = counters.served.withLock { $0 }.sorted()
                let partnerMedian = try #require(served.isEmpty ? nil : served[served.count / 2])
                #expect(
                    shopMedian < partnerMedian,
                    "the shop's median answer during the flood took \(shopMedian), the partner's served quotes \(partnerMedian)")
                #expect(partner[200, default: 0] > 0, "the partner's requests within its limit were served: \(partner)")
                #expect(partner[503, default: 0] > 0, "the flood beyond the partner's in-flight limit was turned away: \(partner)")
                // 429: the partner's own models already fill its share of the analysis threads.
                #expect(Set(partner.keys).isSubset(of: [200, 429, 503]), "\(partner)")
            }
        }
    }
}
