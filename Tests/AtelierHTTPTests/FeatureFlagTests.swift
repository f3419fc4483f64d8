import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import Prometheus
import Testing

@Suite("Feature flags over the admin API, and the pricing rules behind one")
struct FeatureFlagHTTPTests {
    @Test("an admin lists, sets and reads a flag's history (who, when, from what to what); others may not")
    func adminAPI() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let admin = try await api.signIn("admin@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            #expect(try await api.call(.get, "/api/admin/flags", token: seller).status == .forbidden)
            #expect(
                try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: seller, json: ["enabled": true]).status == .forbidden)

            let listed = try await api.call(.get, "/api/admin/flags", token: admin)
            let flags = try #require(listed.json["flags"] as? [[String: Any]])
            #expect(flags.compactMap { $0["key"] as? String } == ["pricing-rules-v2", "partner-auto-approval"])
            #expect(flags.allSatisfy { $0["isSet"] as? Bool == false })

            let first = try await api.call(
                .put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["enabled": true, "rolloutPercent": 12.5])
            #expect(first.status == .ok)
            #expect((first.json["state"] as? [String: Any])?["rolloutPercent"] as? Double == 12.5)
            #expect(first.string("summary") == "on for 12.5 %")
            let second = try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["rolloutPercent": 50])
            let history = try #require(second.json["history"] as? [[String: Any]])
            #expect(history.count == 2)
            #expect((history[0]["by"] as? String)?.hasPrefix("Ada Admin (admin ") == true)
            #expect(((history[0]["before"] as? [String: Any])?["rolloutPercent"] as? Double) == 12.5)
            #expect(((history[0]["after"] as? [String: Any])?["rolloutPercent"] as? Double) == 50)
            #expect(history[1]["before"] is NSNull || history[1]["before"] == nil)
            // The same setting again changes nothing and records nothing.
            _ = try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["rolloutPercent": 50])
            #expect((try await api.call(.get, "/api/admin/flags/pricing-rules-v2", token: admin).json["history"] as? [Any])?.count == 2)
        }
    }

    @Test("bad input gets a clear problem and changes nothing: unknown flag, share outside 0–100, malformed list, nothing to change")
    func badInput() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let admin = try await api.signIn("admin@atelier.test")
            let unknown = try await api.call(.put, "/api/admin/flags/no-such-flag", token: admin, json: ["enabled": true])
            #expect(unknown.status == .notFound)
            #expect(unknown.string("detail")?.contains("pricing-rules-v2") == true)
            #expect(try await api.call(.get, "/api/admin/flags/no-such-flag", token: admin).status == .notFound)
            for body: [String: any Sendable] in [
                ["rolloutPercent": 101], ["rolloutPercent": -1], ["rolloutPercent": 12.345], ["alwaysOn": ["anna@example.com"]],
                ["alwaysOn": ["customer:a"], "alwaysOff": ["customer:a"]], [:],
            ] {
                let reply = try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: admin, json: body)
                #expect([400, 422].contains(reply.status.code), "\(body): \(reply.status)")
                #expect(reply.headers[.contentType] == "application/problem+json")
                #expect(reply.string("detail")?.isEmpty == false)
            }
            let wrongType = try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["rolloutPercent": "ten"])
            #expect(wrongType.status == .badRequest)
            #expect(try await api.call(.get, "/api/admin/flags/stale?days=-3", token: admin).status == .badRequest)
            let russian = try await api.call(
                .put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["rolloutPercent": 200], headers: ["Accept-Language": "ru"])
            #expect(russian.string("detail")?.contains("процент") == true)
        }
        #expect(try await harness.store.reader.featureFlags().flags.isEmpty)
        #expect(try await harness.store.reader.flagRevision() == 0)
    }

    @Test("rules v2 for a listed customer: the quote says v2 in the CRM, another customer's says v1, and neither is recalculated later")
    func pricingRulesV2() async throws {
        _ = testMetrics  // bootstrap before the harness makes its counters
        let harness = try await Harness.make()
        let clara = try #require(try await harness.store.reader.user(email: "customer@atelier.test"))
        _ = try await harness.useCases.accounts.createUser(
            email: "other@atelier.test", name: "Olga Other", password: Harness.password, role: .customer)
        try await harness.test { api in
            let admin = try await api.signIn("admin@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let set = try await api.call(
                .put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["enabled": true, "alwaysOn": ["customer:\(clara.id)"]])
            #expect(set.status == .ok)
            let claras = try await api.submittedCatalogOrder(token: try await api.signIn("customer@atelier.test"))
            let olgas = try await api.submittedCatalogOrder(token: try await api.signIn("other@atelier.test"))
            #expect(try await harness.pricingWorker.runDueJobs() == 2)

            func quote(_ id: String) async throws -> QuoteView {
                try #require(try await api.call(.get, "/api/crm/orders/\(id)", token: seller).decode(OrderDetailsView.self).quote)
            }
            let v2 = try await quote(claras)
            let v1 = try await quote(olgas)
            #expect(v2.pricingRules == 2 && v1.pricingRules == 1)
            // The same piece and metal: only labour differs between the rules.
            #expect(v2.amount("metal") == v1.amount("metal"))
            #expect(v2.amount("labour") != v1.amount("labour"))

            // Turned off: the stored quote stays as it was made.
            _ = try await api.call(.put, "/api/admin/flags/pricing-rules-v2", token: admin, json: ["enabled": false])
            #expect(try await quote(claras).total == v2.total)
            #expect(try await quote(claras).pricingRules == 2)
        }
        let metrics = String(decoding: testMetrics.emitToBuffer(), as: UTF8.self)
        #expect(metrics.contains(#"atelier_flag_evaluations_total{flag="pricing-rules-v2",variant="on",reason="TARGETING_MATCH"}"#))
    }

    @Test("the release drill's fault switch: with a share of 1 every order read answers a bare 500; lists and writes still work")
    func faultSwitch() async throws {
        let harness = try await Harness.make { $0.faultOrderReadErrors = 1 }
        try await harness.test { api in
            let token = try await api.signIn("customer@atelier.test")
            let order = try await api.submittedCatalogOrder(token: token)
            let read = try await api.call(.get, "/api/shop/orders/\(order)", token: token)
            #expect(read.status == .internalServerError)
            #expect(read.text.contains("Something went wrong on our side"))
            #expect(!read.text.contains("ATELIER_FAULT") && !read.text.contains("injected"), "the drill stays out of the answer")
            let seller = try await api.signIn("seller@atelier.test")
            #expect(try await api.call(.get, "/api/crm/orders/\(order)", token: seller).status == .internalServerError)
            #expect(try await api.call(.get, "/api/shop/orders", token: token).status == .ok)
        }
    }
}
