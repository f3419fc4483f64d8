import AtelierDomain
import AtelierGeometry
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Partner API")
struct PartnerAPITests {
    @Test("the partner API and the internal APIs answer only on their own listeners")
    func separateListeners() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner()
        try await harness.partnerTest { api in
            #expect(try await api.call(.get, "/v1/materials", token: key).status == .ok)
            #expect(try await api.call(.get, "/api/shop/catalog", token: key).status == .notFound)
            #expect(try await api.call(.get, "/api/crm/orders", token: key).status == .notFound)
            #expect(try await api.call(.get, "/metrics", token: key).status == .notFound)
            #expect(try await api.call(.get, "/health/ready").status == .ok)
            let spec = try await api.call(.get, "/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(spec.text.hasPrefix("openapi: 3.1.0"))
            let docs = try await api.call(.get, "/docs")
            #expect(docs.text.contains("<code>/v1/orders</code>"))
            #expect(docs.text.contains("id=\"schema-OrderEvent\""))
        }
        try await harness.test { api in
            let partnerRoute = try await api.call(.get, "/v1/materials", token: key)
            let contract = try await api.call(.get, "/openapi.yaml")
            #expect(partnerRoute.status == .notFound)
            #expect(contract.status == .notFound)
        }
    }

    @Test("in the CRM an admin creates a partner and its keys, a seller sets its auto-approval limit, a revoked key stops working")
    func crmAdministration() async throws {
        let harness = try await Harness.make()
        try await harness.test { crm in
            let admin = try await crm.signIn("admin@atelier.test")
            let seller = try await crm.signIn("seller@atelier.test")
            let body: [String: any Sendable] = ["name": "Ring Shop", "email": "orders@ringshop.test"]
            #expect(try await crm.call(.post, "/api/crm/partners", token: seller, json: body).status == .forbidden)
            let created = try await crm.call(.post, "/api/crm/partners", token: admin, json: body)
            #expect(created.status == .created)
            let id = try #require(created.string("id"))
            let issued = try await crm.call(.post, "/api/crm/partners/\(id)/keys", token: admin)
            #expect(issued.status == .created)
            let key = try #require(issued.string("key"))
            let keyID = try #require(issued.string("id"))
            #expect(try await crm.call(.post, "/api/crm/partners/\(id)/keys", token: seller).status == .forbidden)

            let policy = try await crm.call(.patch, "/api/crm/partners/\(id)", token: seller, json: ["autoApproveUpToMinor": 25_000])
            #expect(try policy.decode(PartnerAccountView.self).autoApproveUpTo?.minorUnits == 25_000)
            let listed = try await crm.call(.get, "/api/crm/partners", token: seller)
            let partner = try #require(try listed.decode(PageView<PartnerAccountView>.self).items.first { $0.id == id })
            #expect(partner.keys.first?.active == true)
            #expect(!listed.text.contains(key), "a key is shown once, when it is made")
            let off = try await crm.call(.patch, "/api/crm/partners/\(id)", token: seller, json: ["autoApproveUpToMinor": NSNull()])
            #expect(off.status == .ok)
            let turnedOff = try off.decode(PartnerAccountView.self)
            #expect(turnedOff.id == id && turnedOff.autoApproveUpTo == nil)

            try await harness.partnerTest { api in
                let before = try await api.call(.get, "/v1/orders", token: key)
                let revoked = try await crm.call(.delete, "/api/crm/partners/\(id)/keys/\(keyID)", token: admin)
                let after = try await api.call(.get, "/v1/orders", token: key)
                #expect(before.status == .ok)
                #expect(revoked.status == .noContent)
                #expect(after.status == .unauthorized)
            }
        }
    }

    @Test("a key is needed, a revoked key stops working, and two keys can be active for rotation")
    func keys() async throws {
        let harness = try await Harness.make()
        let (partner, first) = try await harness.partner()
        let admin = Principal(userID: "test-admin", role: .admin, name: "Test admin")
        let second = try await harness.useCases.partners.issueKey(partnerID: partner.id, by: admin)
        await #expect(throws: DomainError.self) { _ = try await harness.useCases.partners.issueKey(partnerID: partner.id, by: admin) }
        try await harness.partnerTest { api in
            let anonymous = try await api.call(.get, "/v1/orders")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            #expect(anonymous.string("detail")?.contains("Authorization: Bearer") == true)
            #expect(try await api.call(.get, "/v1/orders", token: "atk_not-a-key").status == .unauthorized)
            #expect(try await api.call(.get, "/v1/orders", token: first).status == .ok)
            #expect(try await api.call(.get, "/v1/orders", token: second.secret).status == .ok)

            let keys = try await harness.useCases.partners.partner(id: partner.id, by: admin).keys
            let oldKeyID = try #require(keys.first { $0.prefix == String(first.prefix(12)) }?.id)
            try await harness.useCases.partners.revokeKey(partnerID: partner.id, keyID: oldKeyID, by: admin)
            #expect(try await api.call(.get, "/v1/orders", token: first).status == .unauthorized)
            #expect(try await api.call(.get, "/v1/orders", token: second.secret).status == .ok)
        }
        // Keys are stored as hashes only.
        let stored = try await harness.store.reader.partnerKeys(partnerID: partner.id)
        #expect(stored.allSatisfy { $0.keyHash != first && $0.keyHash != second.secret && $0.keyHash.count == 64 })
    }

    @Test("an order with its model: idempotent create, read with quote and history, list by status and time, cancel")
    func orders() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner()
        let (_, otherKey) = try await harness.partner(name: "Other Seller")
        try await harness.partnerTest { api in
            let path = "/v1/orders?material=gold-585&finish=polish&reference=PO-1&filename=ring.stl"
            let first = try await api.postModel(path, key: key, model: Models.ring, headers: ["Idempotency-Key": "po-1"])
            #expect(first.status == .created)
            let id = try #require(first.string("id"))
            #expect(first.headers[.location] == "/v1/orders/\(id)")
            #expect(first.string("status") == "SUBMITTED")
            #expect(try first.decode(PartnerOrderView.self).history.map(\.to) == ["INITIATED", "FILE_UPLOADED", "SUBMITTED"])

            let retry = try await api.postModel(path, key: key, model: Models.ring, headers: ["Idempotency-Key": "po-1"])
            #expect(retry.status == .created)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(retry.text == first.text)
            let different = try await api.postModel(
                "/v1/orders?material=silver-925", key: key, model: Models.ring, headers: ["Idempotency-Key": "po-1"])
            #expect(different.status == .unprocessableContent)
            #expect(different.string("detail") == "Idempotency-Key 'po-1' was already used with a different request.")

            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            let read = try await api.call(.get, "/v1/orders/\(id)", token: key)
            #expect(read.string("status") == "PRICE_CALCULATED")
            #expect(read.string("reference") == "PO-1")
            #expect((try read.decode(PartnerOrderView.self).quote?.total.minorUnits ?? 0) > 0)
            // Another partner's order does not exist for this one.
            #expect(try await api.call(.get, "/v1/orders/\(id)", token: otherKey).status == .notFound)

            let second = try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.cube)
            let secondID = try #require(second.string("id"))
            let priced = try await api.call(.get, "/v1/orders?status=PRICE_CALCULATED", token: key)
            #expect(try priced.decode(PageView<PartnerOrderSummaryView>.self).items.map(\.id) == [id])
            let page1 = try await api.call(.get, "/v1/orders?limit=1", token: key)
            #expect(try page1.decode(PageView<PartnerOrderSummaryView>.self).items.first?.id == secondID)
            let cursor = try #require(page1.string("nextCursor"))
            let page2 = try await api.call(.get, "/v1/orders?limit=1&cursor=\(cursor)", token: key)
            #expect(try page2.decode(PageView<PartnerOrderSummaryView>.self).items.first?.id == id)
            #expect(page2.string("nextCursor") == nil)
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let none = try await api.call(.get, "/v1/orders?updated_since=\(future)", token: key)
            #expect(try none.decode(PageView<PartnerOrderSummaryView>.self).items.isEmpty)
            #expect(try await api.call(.get, "/v1/orders", token: otherKey).decode(PageView<PartnerOrderSummaryView>.self).items.isEmpty)

            let cancelled = try await api.call(
                .post, "/v1/orders/\(secondID)/cancel", token: key, json: ["reason": "customer changed mind"])
            #expect(cancelled.string("status") == "CANCELLED")
            let again = try await api.call(.post, "/v1/orders/\(secondID)/cancel", token: key, json: ["reason": "twice"])
            #expect(again.status == .conflict)
        }
    }

    @Test("a partner may say where an order goes: kept in international form, shown to the seller; never after it is closed")
    func delivery() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner()
        let (_, otherKey) = try await harness.partner(name: "Other Seller")
        try await harness.partnerTest { api in
            let created = try await api.postModel("/v1/orders?material=gold-585&filename=ring.stl", key: key, model: Models.ring)
            let id = try #require(created.string("id"))
            let address: [String: any Sendable] = [
                "recipient": "Marta Client", "phone": "8 912 345-67-89", "postal_code": "190000", "city": "Saint Petersburg",
                "street": "Nevsky 10, flat 3",
            ]
            let set = try await api.call(.put, "/v1/orders/\(id)/delivery", token: key, json: address)
            #expect(set.status == .ok)
            #expect(set.string("phone") == "+79123456789" && set.string("country") == "RU")
            var bad = address
            bad["postal_code"] = "1900"
            let refused = try await api.call(.put, "/v1/orders/\(id)/delivery", token: key, json: bad)
            #expect(refused.status == .unprocessableContent && refused.string("detail") == "A Russian postal code has six digits.")
            #expect(try await api.call(.put, "/v1/orders/\(id)/delivery", token: otherKey, json: address).status == .notFound)

            try await harness.test { crm in
                let seller = try await crm.signIn("seller@atelier.test")
                let details = try await crm.call(.get, "/api/crm/orders/\(id)", token: seller)
                #expect((details.json["delivery"] as? [String: Any])?["city"] as? String == "Saint Petersburg")
            }
            #expect(try await api.call(.post, "/v1/orders/\(id)/cancel", token: key, json: ["reason": "test"]).status == .ok)
            #expect(try await api.call(.put, "/v1/orders/\(id)/delivery", token: key, json: address).status == .unprocessableContent)
        }
    }

    @Test("an instant quote prices a model without storing an order")
    func instantQuote() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner()
        try await harness.partnerTest { api in
            let reply = try await api.postModel("/v1/quotes?material=platinum-950&finish=polish", key: key, model: Models.pendantOBJ)
            #expect(reply.status == .ok)
            let instant = try reply.decode(InstantQuoteView.self)
            #expect(instant.model.watertight)
            #expect(instant.model.triangles > 100)
            #expect(instant.quote.material == "platinum-950")
            #expect(try await harness.store.reader.statusCounts().values.reduce(0, +) == 0)
        }
    }

    @Test("a partner's auto-approval limit approves orders priced within it; a dearer order waits for a seller")
    func autoApproval() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner(autoApproveUpToMinor: 50_000)
        try await harness.partnerTest { api in
            let cheap = try #require(try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring).string("id"))
            let dear = try #require(
                try await api.postModel("/v1/orders?material=platinum-950", key: key, model: Models.cube).string("id"))
            #expect(try await harness.pricingWorker.runDueJobs() == 2)
            let approved = try await api.call(.get, "/v1/orders/\(cheap)", token: key)
            #expect(approved.string("status") == "MANUFACTURING_APPROVED")
            let last = try approved.decode(PartnerOrderView.self).history.last
            #expect(last?.actorRole == "system")
            #expect(last?.note?.hasPrefix("auto-approved") == true)
            #expect(try await api.call(.get, "/v1/orders/\(dear)", token: key).string("status") == "PRICE_CALCULATED")
        }
    }

    @Test("a partner's order that breaks a casting rule is never auto-approved, however cheap: a seller decides")
    func thinWallsWaitForSeller() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner(autoApproveUpToMinor: 50_000)
        let thin = MeshWriter.binarySTL(
            MeshGenerator.lathe([[8.5, -1.5], [8.9, -1.5], [8.9, 1.5], [8.5, 1.5]], segments: 128, closed: true).soup)
        try await harness.partnerTest { api in
            let id = try #require(try await api.postModel("/v1/orders?material=silver-925", key: key, model: thin).string("id"))
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await api.call(.get, "/v1/orders/\(id)", token: key).string("status") == "PRICE_CALCULATED")
            let quote = try #require(try await harness.store.reader.quote(orderID: id))
            #expect(quote.total.minorUnits < 50_000, "within the limit: only the casting rule holds it back")
            #expect(quote.casting?.castable == false)
            #expect(quote.casting?.problems.map(\.rule) == [.wall])
        }
    }

    @Test("the partner-auto-approval kill switch sends every partner order to a seller, without a release")
    func autoApprovalKillSwitch() async throws {
        let harness = try await Harness.make()
        let (_, key) = try await harness.partner(autoApproveUpToMinor: 50_000)
        _ = try await harness.useCases.flagAdmin.set(key: "partner-auto-approval", FlagUpdate(enabled: false), by: "test")
        try await harness.partnerTest { api in
            let cheap = try #require(try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring).string("id"))
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await api.call(.get, "/v1/orders/\(cheap)", token: key).string("status") == "PRICE_CALCULATED")
        }
        _ = try await harness.useCases.flagAdmin.set(key: "partner-auto-approval", FlagUpdate(enabled: true), by: "test")
        try await harness.partnerTest { api in
            let next = try #require(try await api.postModel("/v1/orders?material=silver-925", key: key, model: Models.ring).string("id"))
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await api.call(.get, "/v1/orders/\(next)", token: key).string("status") == "MANUFACTURING_APPROVED")
        }
    }

    @Test("bad requests get a problem that says what is wrong, and store nothing")
    func badInput() async throws {
        let harness = try await Harness.make { $0.partnerMaxBodyBytes = 256 * 1024 }
        let (_, key) = try await harness.partner()
        try await harness.partnerTest { api in
            let unknown = try await api.postModel("/v1/orders?material=unobtainium", key: key, model: Models.ring)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.string("detail")?.contains("unobtainium") == true)
            let broken = try await api.postModel(
                "/v1/orders?material=gold-585&filename=broken.stl", key: key, model: Array(Models.ring.prefix(500)))
            #expect(broken.status == .unprocessableContent)
            #expect(broken.string("detail")?.contains("truncated") == true)
            let noMaterial = try await api.postModel("/v1/orders", key: key, model: Models.ring)
            #expect(noMaterial.status == .badRequest)
            #expect(noMaterial.string("detail")?.contains("material") == true)
            let wrongType = try await api.call(.post, "/v1/orders?material=gold-585", token: key, json: ["model": "x"])
            #expect(wrongType.status == .unsupportedMediaType)
            let tooBig = try await api.postModel("/v1/quotes?material=gold-585", key: key, model: [UInt8](repeating: 0, count: 300_000))
            #expect(tooBig.status == .contentTooLarge)
            #expect(try await api.call(.get, "/v1/orders?limit=0", token: key).status == .badRequest)
            #expect(try await api.call(.get, "/v1/orders?cursor=nonsense", token: key).status == .badRequest)
            #expect(try await api.call(.get, "/v1/orders?status=LOST", token: key).status == .badRequest)
            #expect(
                try await api.call(.post, "/v1/webhook-endpoints", token: key, json: ["url": "ftp://example.com/x"]).status
                    == .unprocessableContent)
        }
        #expect(try await harness.store.reader.statusCounts().values.reduce(0, +) == 0)
    }

    @Test("over its rate, a key gets 429 with Retry-After and RateLimit headers")
    func rateLimit() async throws {
        let harness = try await Harness.make()
        // One a minute: a token comes back only after 60 s, however slowly a loaded machine runs the test.
        let (_, key) = try await harness.partner(requestsPerMinute: 1, burst: 3)
        let (_, otherKey) = try await harness.partner(name: "Other", requestsPerMinute: 1, burst: 3)
        try await harness.partnerTest { api in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await api.call(.get, "/v1/materials", token: key).status.code) }
            #expect(statuses == [200, 200, 200, 429])
            let limited = try await api.call(.get, "/v1/materials", token: key)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
            #expect(limited.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(limited.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            #expect(limited.string("detail")?.contains("1 requests a minute") == true)
            // Errors say where the key stands too.
            let unknown = try await api.call(.get, "/v1/orders/nope", token: otherKey)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[HTTPField.Name("RateLimit-Remaining")!] != nil)
            // Another partner's key has its own bucket.
            #expect(try await api.call(.get, "/v1/materials", token: otherKey).status == .ok)
        }
    }
}
