import AtelierDomain
import AtelierGeometry
import AtelierJobs
import AtelierServices
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Order lifecycle over HTTP")
struct OrderLifecycleHTTPTests {
    @Test("a shop order is placed with where it goes: kept on the order, shown to seller and operator, saved for next time")
    func delivery() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let created = try await api.call(
                .post, "/api/shop/orders", token: customer, json: ["material": "gold-585", "catalogItem": "ball-studs"])
            let id = try #require(created.string("id"))
            let without = try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer)
            #expect(without.status == .unprocessableContent)
            #expect(without.string("detail")?.contains("where the piece goes") == true)
            var bad = Deliveries.fields
            bad["phone"] = "12"
            let badPhone = try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: ["delivery": bad])
            #expect(badPhone.status == .unprocessableContent && badPhone.string("detail")?.contains("phone number") == true)
            #expect(try await api.call(.get, "/api/shop/orders/\(id)", token: customer).string("status") == nil)
            #expect(try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody).status == .ok)

            try await harness.pricingWorker.runDueJobs()
            let seller = try await api.signIn("seller@atelier.test")
            #expect(try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller).status == .ok)
            for (email, path) in [
                ("customer@atelier.test", "/api/shop/orders/\(id)"), ("seller@atelier.test", "/api/crm/orders/\(id)"),
                ("operator@atelier.test", "/api/mes/orders/\(id)"),
            ] {
                let details = try await api.call(.get, path, token: try await api.signIn(email))
                let delivery = try #require(details.json["delivery"] as? [String: Any], "\(email) sees where it goes")
                #expect(delivery["phone"] as? String == "+79123456789")
                #expect(delivery["street"] as? String == "Tverskaya 7, flat 12")
                #expect(delivery["note"] as? String == "A gift: no price in the box, please.")
            }
            let principal = try #require(try await harness.useCases.accounts.authenticate(token: customer))
            #expect(try await harness.useCases.shop.savedDeliveries(of: principal).map(\.city) == ["Moscow"])
        }
    }

    @Test("one order goes through all ten statuses, each moved by the right person")
    func fullLifecycle() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let worker = try await api.signIn("operator@atelier.test")

            let created = try await api.call(
                .post, "/api/shop/orders", token: customer, json: ["material": "gold-585", "finishes": ["polish"]])
            #expect(created.status == .created)
            #expect(created.string("status") == "INITIATED")
            let id = try #require(created.string("id"))

            let uploaded = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=ring.stl", token: customer, body: Models.ring)
            #expect(uploaded.status == .ok)
            let upload = try uploaded.decode(UploadView.self)
            #expect(upload.model.watertight)
            #expect(upload.model.triangles == 64 * 16 * 2)
            #expect(upload.order.status == "FILE_UPLOADED")

            let submitted = try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody)
            #expect(submitted.string("status") == "SUBMITTED")

            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            let priced = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self)
            #expect(priced.order.status == "PRICE_CALCULATED")
            let quote = try #require(priced.quote)
            // The customer reads metal, work and finishes; the markup is in them, not a line of its own.
            #expect(quote.lines.map(\.code) == ["metal", "casting-loss", "labour", "finish:polish"])
            #expect(quote.total.minorUnits == quote.lines.reduce(0) { $0 + $1.amount.minorUnits })
            let staffQuote = try #require(
                try await api.call(.get, "/api/crm/orders/\(id)", token: seller).decode(OrderDetailsView.self).quote)
            #expect(staffQuote.lines.map(\.code).last == "markup" && staffQuote.total == quote.total)

            #expect(try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller).string("status") == "MANUFACTURING_APPROVED")

            let dashboard = try await api.call(.get, "/api/mes/dashboard", token: worker).decode(DashboardView.self)
            #expect(dashboard.orders.items.first?.id == id)
            #expect(dashboard.counts["MANUFACTURING_APPROVED"] == 1)

            #expect(try await api.call(.post, "/api/mes/orders/\(id)/take", token: worker).string("status") == "MANUFACTURING_STARTED")
            #expect(
                try await api.call(.post, "/api/mes/orders/\(id)/complete", token: worker).string("status") == "MANUFACTURING_COMPLETED")
            #expect(try await api.call(.post, "/api/mes/orders/\(id)/package", token: worker).string("status") == "PACKAGING")
            let shipped = try await api.call(.post, "/api/mes/orders/\(id)/ship", token: worker, json: ["trackingNumber": "TRK-1001"])
            #expect(shipped.string("status") == "SHIPPED")
            #expect(shipped.string("trackingNumber") == "TRK-1001")

            let delivered = try await api.call(
                .post, "/api/carrier/deliveries", json: ["trackingNumber": "TRK-1001"], headers: ["X-Carrier-Secret": Harness.carrierSecret]
            )
            #expect(delivered.status == .ok)
            #expect(delivered.json["changed"] as? Bool == true)

            let closed = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self)
            #expect(closed.order.status == "CLOSED")
            #expect(closed.history.map(\.to) == OrderStatus.allCases.filter { $0 != .cancelled }.map(\.rawValue))
            #expect(
                closed.history.map(\.actorRole) == [
                    "customer", "customer", "customer", "system", "seller", "operator", "operator", "operator", "operator", "carrier",
                ])
            #expect(closed.notes == nil, "customers do not see seller notes")

            let earnings = try await api.call(.get, "/api/mes/my/earnings", token: worker).decode(EarningsView.self)
            #expect(earnings.earned == (try #require(staffQuote.amount("labour"))), "the labour line of the quote as stored")
        }
    }

    @Test(
        "a silver ring of 0.4 mm section: the customer, the seller and the operator read the same casting report, with the rule it breaks")
    func castingReport() async throws {
        let harness = try await Harness.make()
        let thin = MeshWriter.binarySTL(
            MeshGenerator.lathe([[8.5, -1.5], [8.9, -1.5], [8.9, 1.5], [8.5, 1.5]], segments: 128, closed: true).soup)
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let worker = try await api.signIn("operator@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "silver-925"]).string("id"))
            #expect(try await api.call(.put, "/api/shop/orders/\(id)/model?filename=thin.stl", token: customer, body: thin).status == .ok)
            #expect(try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody).status == .ok)
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            let shown = try #require(
                try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self).quote?.casting)
            #expect(!shown.castable)
            #expect(shown.requiredWallMM == 1.0)
            let problem = try #require(shown.problems.first)
            #expect(problem.rule == "wall" && abs(problem.thinnestMM - 0.4) < 0.01 && problem.requiredMM == 1.0)
            #expect(abs((shown.ring?.innerDiameterMM ?? 0) - 17) < 0.05)
            let crm = try await api.call(.get, "/api/crm/orders/\(id)", token: seller).decode(OrderDetailsView.self).quote?.casting
            #expect(crm == shown)
            _ = try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller)
            let mes = try await api.call(.get, "/api/mes/orders/\(id)", token: worker).decode(OrderDetailsView.self).quote?.casting
            #expect(mes == shown)
        }
    }

    @Test(
        "an admin's casting rule is a new version: the next order is checked against it, a priced one keeps its report; wrong rules are refused"
    )
    func editedCastingRules() async throws {
        let harness = try await Harness.make()
        let band = MeshWriter.binarySTL(
            MeshGenerator.lathe([[8.5, -1.5], [9.3, -1.5], [9.3, 1.5], [8.5, 1.5]], segments: 128, closed: true).soup)
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let admin = try await api.signIn("admin@atelier.test")
            func priced() async throws -> (String, CastingView) {
                let id = try #require(
                    try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "silver-925"]).string("id"))
                #expect(
                    try await api.call(.put, "/api/shop/orders/\(id)/model?filename=band.stl", token: customer, body: band).status == .ok)
                #expect(
                    try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody).status == .ok)
                #expect(try await harness.pricingWorker.runDueJobs() == 1)
                let order = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self)
                return (id, try #require(order.quote?.casting))
            }
            let published = try await api.call(.get, "/api/shop/casting-rules").decode(CastingRulesView.self)
            #expect(published.version == 1)
            #expect(published.rules.first { $0.materialCode == "silver-925" }?.minimumWallMM == 0.8)

            // A 0.8 mm band passes version 1's silver rule only before polishing is counted: 0.8 + 2 × 0.1 mm is needed.
            let (first, before) = try await priced()
            #expect(!before.castable && before.rulesVersion == 1 && before.requiredWallMM == 1.0)

            let changed = try await api.call(
                .put, "/api/admin/casting-rules/silver-925", token: admin,
                json: ["minimumWallMM": 0.6, "minimumDetailMM": 0.5, "polishingAllowanceMM": 0.05])
            #expect(changed.status == .ok, "\(changed.text)")
            let rules = try changed.decode(CastingRulesView.self)
            #expect(rules.version == 2)
            #expect(rules.rules.first { $0.materialCode == "silver-925" }?.detailAreaMM2 == 4, "the detail's area defaults")
            #expect(rules.rules.count == published.rules.count, "the other alloys' rules are kept")
            #expect(try await api.call(.get, "/api/shop/casting-rules").decode(CastingRulesView.self) == rules)

            let (_, after) = try await priced()
            #expect(after.castable && after.rulesVersion == 2 && abs(after.requiredWallMM - 0.7) < 1e-9, "\(after)")
            let kept = try await api.call(.get, "/api/crm/orders/\(first)", token: seller).decode(OrderDetailsView.self)
            #expect(kept.quote?.casting == before, "a priced order keeps the report of its version")
            let worker = try await api.signIn("operator@atelier.test")
            let board = try await api.call(.get, "/api/mes/dashboard?status=PRICE_CALCULATED", token: worker).decode(DashboardView.self)
            #expect(board.orders.items.count == 2)
            #expect(board.notCastable == [first], "the operators' dashboard names the order whose model breaks a rule")

            let forbidden = try await api.call(
                .put, "/api/admin/casting-rules/silver-925", token: seller,
                json: ["minimumWallMM": 0.1, "minimumDetailMM": 0.1, "polishingAllowanceMM": 0])
            #expect(forbidden.status == .forbidden)
            let unknown = try await api.call(
                .put, "/api/admin/casting-rules/tin-999", token: admin,
                json: ["minimumWallMM": 0.8, "minimumDetailMM": 0.6, "polishingAllowanceMM": 0.1])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.string("detail")?.hasPrefix("There is no material 'tin-999' in the price list") == true, "\(unknown.text)")
            for (wall, detail, polishing) in [(0.0, 0.0, 0.1), (0.5, 0.8, 0.1), (0.8, 0.6, 2.0), (1e308 * 10, 0.6, 0.1)] {
                let refused = try await api.call(
                    .put, "/api/admin/casting-rules/silver-925", token: admin,
                    body: Array(
                        "{\"minimumWallMM\": \(wall.isFinite ? "\(wall)" : "1e999"), \"minimumDetailMM\": \(detail), \"polishingAllowanceMM\": \(polishing)}"
                            .utf8), headers: ["Content-Type": "application/json"])
                #expect([.unprocessableContent, .badRequest].contains(refused.status), "\(wall) \(detail) \(polishing): \(refused.text)")
            }
            #expect(
                try await api.call(.get, "/api/shop/casting-rules").decode(CastingRulesView.self).version == 2, "nothing refused was saved")

            // A whole set at once, in the form the rules are read in.
            var set = try await api.call(.get, "/api/shop/casting-rules").decode(CastingRulesView.self)
            let gold = try #require(set.rules.firstIndex { $0.materialCode == "gold-585" })
            set.rules[gold].minimumWallMM = 1.3
            func load(_ set: CastingRulesView, token: String) async throws -> Reply {
                try await api.call(
                    .put, "/api/admin/casting-rules", token: token, body: Array(try JSONEncoder().encode(set)),
                    headers: ["Content-Type": "application/json"])
            }
            let loaded = try await load(set, token: admin)
            #expect(loaded.status == .ok, "\(loaded.text)")
            let third = try loaded.decode(CastingRulesView.self)
            #expect(third.version == 3 && third.rules.first { $0.materialCode == "gold-585" }?.minimumWallMM == 1.3)
            #expect(third.rules.count == rules.rules.count)
            var wrong = set
            var tin = set.rules[gold]
            tin.materialCode = "tin-999"
            wrong.rules.append(tin)
            #expect(try await load(wrong, token: admin).status == .unprocessableContent)
            #expect(try await load(set, token: seller).status == .forbidden)
            wrong.rules = []
            #expect(try await load(wrong, token: admin).status == .unprocessableContent)
            #expect(try await api.call(.get, "/api/shop/casting-rules").decode(CastingRulesView.self) == third, "nothing refused was saved")
        }
    }

    @Test("a catalog piece is ordered with its model attached")
    func catalogPiece() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let catalog = try await api.call(.get, "/api/shop/catalog")
            #expect(catalog.array.count == 3)

            let created = try await api.call(
                .post, "/api/shop/orders", token: customer, json: ["material": "silver-925", "catalogItem": "classic-band"])

            #expect(created.status == .created)
            #expect(created.string("status") == "FILE_UPLOADED")
            #expect(created.string("catalogItem") == "classic-band")
            let id = try #require(created.string("id"))
            #expect(try await api.call(.post, "/api/shop/orders/\(id)/submit", token: customer, json: Deliveries.submitBody).status == .ok)
            try await harness.pricingWorker.runDueJobs()
            let detail = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self)
            #expect(detail.model?.filename == "classic-band.stl")
            #expect(detail.quote != nil)
        }
    }

    @Test("a move out of turn is a 409 naming the current status and the allowed moves")
    func illegalMove() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).string("id"))

            let refused = try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller)

            #expect(refused.status == .conflict)
            #expect(refused.headers[.contentType] == "application/problem+json")
            let problem = try refused.decode(ProblemView.self)
            #expect(problem.currentStatus == "INITIATED")
            #expect(problem.allowedMoves == ["CANCELLED"])
            #expect(problem.detail.contains("a seller cannot move it to MANUFACTURING_APPROVED"))
        }
    }

    @Test("cancelling needs a reason and keeps it; closing by hand works after shipping only")
    func cancelAndClose() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).string("id"))

            #expect(
                try await api.call(.post, "/api/crm/orders/\(id)/cancel", token: seller, json: ["reason": " "]).status
                    == .unprocessableContent)
            #expect(try await api.call(.post, "/api/crm/orders/\(id)/close", token: seller).status == .conflict)
            let cancelled = try await api.call(
                .post, "/api/crm/orders/\(id)/cancel", token: seller, json: ["reason": "model cannot be cast"])

            #expect(cancelled.string("status") == "CANCELLED")
            #expect(cancelled.string("cancelReason") == "model cannot be cast")
            let note = try await api.call(
                .post, "/api/crm/orders/\(id)/notes", token: seller, json: ["kind": "complaint", "body": "customer called"])
            #expect(note.status == .created)
            let detail = try await api.call(.get, "/api/crm/orders/\(id)", token: seller).decode(OrderDetailsView.self)
            #expect(detail.notes?.first?.kind == "complaint")
        }
    }
}
