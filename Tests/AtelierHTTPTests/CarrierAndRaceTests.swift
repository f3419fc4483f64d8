import AsyncHTTPClient
import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

/// Brings a fresh order to `MANUFACTURING_APPROVED` and returns its id.
func approvedOrder(_ api: API, _ harness: Harness) async throws -> String {
    let customer = try await api.signIn("customer@atelier.test")
    let seller = try await api.signIn("seller@atelier.test")
    let id = try #require(
        try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585", "catalogItem": "classic-band"])
            .string("id"))
    _ = try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody)
    try await harness.pricingWorker.runDueJobs()
    let approved = try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller)
    guard approved.string("status") == "MANUFACTURING_APPROVED" else { throw HarnessError("could not approve: \(approved.text)") }
    return id
}

@Suite("Carrier and operators")
struct CarrierAndRaceTests {
    @Test("the carrier: wrong secret 401, unknown tracking 404, a repeated message changes nothing")
    func carrier() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let id = try await approvedOrder(api, harness)
            let worker = try await api.signIn("operator@atelier.test")
            for step in ["take", "complete", "package"] { _ = try await api.call(.post, "/api/mes/orders/\(id)/\(step)", token: worker) }
            _ = try await api.call(.post, "/api/mes/orders/\(id)/ship", token: worker, json: ["trackingNumber": "TRK-7"])
            let secret = ["X-Carrier-Secret": Harness.carrierSecret]

            #expect(
                try await api.call(
                    .post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-7"], headers: ["X-Carrier-Secret": "wrong"]
                ).status == .unauthorized)
            #expect(try await api.call(.post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-7"]).status == .unauthorized)
            let unknown = try await api.call(.post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-404"], headers: secret)
            #expect(unknown.status == .notFound)
            #expect(unknown.string("detail") == "No shipped order has the tracking number TRK-404.")
            let first = try await api.call(.post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-7"], headers: secret)
            let historyAfterFirst = try await harness.store.reader.history(orderID: id)
            let repeated = try await api.call(.post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-7"], headers: secret)

            #expect(first.json["changed"] as? Bool == true)
            #expect(repeated.status == .ok)
            #expect(repeated.json["changed"] as? Bool == false)
            #expect(try await harness.store.reader.history(orderID: id) == historyAfterFirst)
            #expect(try await harness.store.reader.order(id: id)?.status == .closed)
        }
    }

    @Test("twenty operators take one order at once: exactly one wins, the others are told who")
    func concurrentTake() async throws {
        let harness = try await Harness.make()
        for i in 0..<20 {
            _ = try await harness.useCases.accounts.createUser(
                email: "op\(i)@atelier.test", name: "Operator \(i)", password: Harness.password, role: .operator)
        }
        try await harness.live { api, port in
            let id = try await approvedOrder(api, harness)
            var tokens: [String] = []
            for i in 0..<20 { tokens.append(try await api.signIn("op\(i)@atelier.test")) }

            let results = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
                for token in tokens {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/mes/orders/\(id)/take")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return (Int(response.status.code), Data(body.readableBytesView))
                    }
                }
                var all: [(Int, Data)] = []
                for try await result in group { all.append(result) }
                return all
            }.map { status, data in
                (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
            }

            let winners = results.filter { (200..<300).contains($0.0) }
            let losers = results.filter { $0.0 == 409 }
            #expect(winners.count == 1)
            #expect(losers.count == 19)
            let winner = try #require(winners.first?.1["assignee"] as? String)
            #expect(losers.allSatisfy { $0.1["takenBy"] as? String == winner })
            #expect(losers.allSatisfy { ($0.1["detail"] as? String)?.hasSuffix("was already taken by \(winner).") == true })
            let order = try #require(try await harness.store.reader.order(id: id))
            #expect(order.assigneeName == winner)
            #expect(try await harness.store.reader.history(orderID: id).filter { $0.to == .manufacturingStarted }.count == 1)
        }
    }
}
