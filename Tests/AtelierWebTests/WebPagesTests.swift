import AtelierApp
import AtelierDomain
import AtelierGeometry
import AtelierHTTP
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import AtelierWeb

extension Harness {
    /// The whole application with its web pages, in memory.
    func webTest(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        let site = try await WebSite.load(useCases: useCases)
        let app = composition.application(
            carrierSecret: Self.carrierSecret, surfaces: [.shop, .staff], host: "127.0.0.1", port: 0,
            pages: { site.addRoutes(to: $0, surfaces: [.shop, .staff]) })
        try await app.test(.router) { client in try await body(Browser(api: API(client: client))) }
    }
}

/// A browser: keeps its cookies, sends forms, follows nothing by itself.
final class Browser: Sendable {
    let api: API
    private let cookies = Mutex<[String: String]>([:])

    init(api: API) { self.api = api }

    func send(
        _ method: HTTPRequest.Method, _ path: String, form: [(String, String)]? = nil, body: [UInt8]? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var headers = headers
        let jar = cookies.withLock { $0 }
        if !jar.isEmpty { headers["Cookie"] = jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var bytes = body
        if let form {
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            let encoded = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(
                separator: "&")
            bytes = Array(encoded.utf8)
        }
        let reply = try await api.call(method, path, body: bytes, headers: headers)
        for line in reply.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            let expired = line.lowercased().contains("max-age=0")
            cookies.withLock { $0[name] = expired ? nil : value }
        }
        return reply
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply { try await send(.get, path, headers: headers) }

    /// A cookie the page's script would set (the time zone).
    func setCookie(_ name: String, _ value: String) { cookies.withLock { $0[name] = value } }
    func post(_ path: String, _ form: [(String, String)] = []) async throws -> Reply { try await send(.post, path, form: form) }

    func signIn(_ email: String, password: String = Harness.password) async throws {
        let reply = try await post("/sign-in", [("email", email), ("password", password)])
        guard reply.status == .seeOther else { throw HarnessError("sign-in of \(email): \(reply.status) \(reply.text)") }
    }
}

extension Reply {
    var location: String? { headers[.location] }
}

@Suite("Web pages")
struct WebPagesTests {
    @Test("the catalog says what each piece costs from in each metal, what its order then costs, and a ring's size")
    func catalogPrices() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let catalog = try await browser.get("/").text
            let metals = try await harness.useCases.shop.priceList().materials.filter(\.active)
            #expect(catalog.components(separatedBy: "class=\"from\"").count - 1 == 3, "a list of prices for each of three pieces")
            for metal in metals {
                #expect(catalog.components(separatedBy: "\(metal.name): from").count - 1 == 3, "\(metal.name) for each piece")
            }
            #expect(catalog.contains("Ring, size 18.0 (Russian) · EU 57 · US 7.75"))
            // The price from is what an order of the piece in that metal, without finishes, costs.
            let token = try await browser.api.signIn("customer@atelier.test")
            let id = try await browser.api.submittedCatalogOrder(token: token, piece: "classic-band")
            try await harness.pricingWorker.runDueJobs()
            let total = try #require(
                try await browser.api.call(.get, "/api/shop/orders/\(id)", token: token).json["quote"] as? [String: Any])
            let piece = try await browser.get("/catalog/classic-band").text
            let minor = try #require((total["total"] as? [String: Any])?["minorUnits"] as? Int)
            let shown = Addressee(language: .english).amount(minorUnits: Int64(minor), currency: "EUR")
            #expect(piece.contains("Yellow gold 585 (14k): from <strong>\(shown)</strong>"), "\(shown)")
            #expect(piece.contains("id=\"ring-size\""))
        }
    }

    @Test("the admin's flags page changes a flag, shows who changed it from what to what, and the CRM shows the rules of a quote")
    func flagsPage() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            try await browser.signIn("admin@atelier.test")
            let page = try await browser.get("/admin/flags").text
            #expect(page.contains("id=\"flag-pricing-rules-v2\"") && page.contains("id=\"flag-partner-auto-approval\""))
            #expect(page.contains("Never changed: it answers its default."))
            let saved = try await browser.post(
                "/admin/flags/pricing-rules-v2", [("enabled", "on"), ("percent", "100"), ("always", ""), ("never", "")])
            #expect(saved.status == .seeOther)
            let after = try await browser.get("/admin/flags").text
            #expect(after.contains("pricing-rules-v2 is now on for everyone."), "\(after)")
            #expect(after.contains("<td data-label=\"Who\">Ada Admin (admin "))
            #expect(after.contains("<td data-label=\"From\">not set</td><td data-label=\"To\">on for everyone</td>"))
            let refused = try await browser.post("/admin/flags/pricing-rules-v2", [("enabled", "on"), ("percent", "150")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("A rollout is a percentage from 0 to 100"))
            #expect(try await browser.post("/admin/flags/nope", [("percent", "5")]).status == .notFound)

            // Every customer now gets the second rules; the seller sees which rules priced the order.
            let token = try await browser.api.signIn("customer@atelier.test")
            let id = try await browser.api.submittedCatalogOrder(token: token)
            try await harness.pricingWorker.runDueJobs()
            try await browser.signIn("seller@atelier.test")
            #expect(try await browser.get("/crm/orders/\(id)").text.contains("pricing rules v2"))
            #expect(try await browser.get("/admin/flags").status == .forbidden)
        }
    }

    @Test("after sign-in, next= goes only to a page of this site, however it is disguised")
    func noOpenRedirect() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            for next in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\n/evil.example", " /x"] {
                let reply = try await browser.post(
                    "/sign-in", [("email", "customer@atelier.test"), ("password", Harness.password), ("next", next)])
                #expect(reply.location == "/orders", "next=\(next.debugDescription) went to \(reply.location ?? "nowhere")")
            }
            let inside = try await browser.post(
                "/sign-in", [("email", "customer@atelier.test"), ("password", Harness.password), ("next", "/orders?page=2")])
            #expect(inside.location == "/orders?page=2")
        }
    }

    @Test("signing in sets a session cookie and opens each person's first page; a wrong password says so")
    func signIn() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let wrong = try await browser.post("/sign-in", [("email", "customer@atelier.test"), ("password", "not-it")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("role=\"alert\""))
            #expect(!wrong.text.contains("not-it"))

            #expect(try await browser.get("/sign-in").text.contains("href=\"/sign-up\""))
            let anonymous = try await browser.get("/orders")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location == "/sign-in?next=%2Forders")

            for (email, home, heading) in [
                ("customer@atelier.test", "/orders", "My orders"), ("seller@atelier.test", "/crm", "Orders"),
                ("operator@atelier.test", "/mes", "Dashboard"), ("admin@atelier.test", "/admin", "Users"),
            ] {
                let reply = try await browser.post("/sign-in", [("email", email), ("password", Harness.password)])
                #expect(reply.status == .seeOther)
                #expect(reply.location == home)
                let page = try await browser.get(home)
                #expect(page.status == .ok, "\(email) \(page.text)")
                #expect(page.text.contains("<h1>\(heading)</h1>"))
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(try await browser.post("/sign-out").location == "/sign-in")
                #expect(try await browser.get(home).status == .seeOther)
            }
        }
    }

    @Test("a forgotten password: the sign-in page links to a reset, the e-mailed link sets a new one once; a used link says so")
    func passwordReset() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            #expect(try await browser.get("/sign-in").text.contains("href=\"/password-reset\""))
            #expect(try await browser.get("/password-reset").status == .ok)
            for email in ["seller@atelier.test", "nobody@atelier.test"] {
                let asked = try await browser.post("/password-reset", [("email", email)])
                #expect(asked.status == .seeOther && asked.location == "/sign-in", "the same answer for \(email)")
            }
            try await harness.composition.mailWorker().runDueJobs()
            #expect(try harness.mailed(to: "nobody@atelier.test").isEmpty)
            let token = try #require(try harness.mailedLinks(to: "seller@atelier.test", path: "password-reset").first)

            let form = try await browser.get("/password-reset/\(token)")
            #expect(form.text.contains("action=\"/password-reset/\(token)\""))
            let differ = try await browser.post("/password-reset/\(token)", [("password", "quartz-lily-meadow"), ("confirm", "other")])
            #expect(differ.status == .unprocessableContent && differ.text.contains("The two passwords differ."))
            let set = try await browser.post(
                "/password-reset/\(token)", [("password", "quartz-lily-meadow"), ("confirm", "quartz-lily-meadow")])
            #expect(set.status == .seeOther && set.location == "/sign-in")
            try await browser.signIn("seller@atelier.test", password: "quartz-lily-meadow")
            let again = try await browser.post(
                "/password-reset/\(token)", [("password", "second-secret-x"), ("confirm", "second-secret-x")])
            #expect(again.status == .gone)
            #expect(again.text.contains("This link does not work any more") && again.text.contains("href=\"/password-reset\""))
            // Opened again, the used link says so at once, before anything is typed.
            let reopened = try await browser.get("/password-reset/\(token)")
            #expect(reopened.status == .gone && reopened.text.contains("This link does not work any more"))
            #expect(!reopened.text.contains("id=\"set-password\""))
        }
    }

    @Test("the account page: a new customer confirms the address by the e-mailed link and changes the password")
    func accountPage() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let created = try await browser.post(
                "/sign-up",
                [("name", "Nadia"), ("email", "nadia@example.test"), ("password", "violet-fox-lantern"), ("confirm", "violet-fox-lantern")])
            #expect(created.status == .seeOther)
            try await browser.signIn("nadia@example.test", password: "violet-fox-lantern")
            #expect(try await browser.get("/orders").text.contains("href=\"/account\""))
            #expect(try await browser.get("/account").text.contains("not confirmed yet"))
            #expect(try await browser.post("/account/verify-email").location == "/account")
            try await harness.composition.mailWorker().runDueJobs()
            let links = try harness.mailedLinks(to: "nadia@example.test", path: "verify-email")
            #expect(links.count == 2)
            let confirmed = try await browser.get("/verify-email/\(try #require(links.last))")
            #expect(confirmed.location == "/account")
            #expect(try await browser.get("/account").text.contains(">confirmed<"))
            #expect(try await browser.get("/verify-email/made-up-token-that-is-long-enough").status == .gone)

            let wrong = try await browser.post(
                "/account/password",
                [("current", "not-my-password"), ("password", "amber-kettle-harbour"), ("confirm", "amber-kettle-harbour")])
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("The current password is wrong."))
            let changed = try await browser.post(
                "/account/password",
                [("current", "violet-fox-lantern"), ("password", "amber-kettle-harbour"), ("confirm", "amber-kettle-harbour")])
            #expect(changed.location == "/account")
            #expect(try await browser.get("/account").status == .ok, "this device stays signed in")
            try await browser.signIn("nadia@example.test", password: "amber-kettle-harbour")
        }
    }

    @Test("one menu item is current; error pages keep the person's menu; an unknown address is a page, an unknown API path JSON")
    func roughEdges() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            try await browser.signIn("seller@atelier.test")
            let customers = try await browser.get("/crm/customers")
            #expect(customers.text.components(separatedBy: "aria-current=\"page\"").count == 2, "exactly one current item")
            #expect(customers.text.contains("<a href=\"/crm/customers\" aria-current=\"page\">"))
            let unknown = try await browser.get("/no-such-page")
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "text/html; charset=utf-8")
            #expect(unknown.text.contains("There is no page at /no-such-page") && unknown.text.contains("href=\"/account\""))
            let api = try await browser.get("/api/no-such-route")
            #expect(api.status == .notFound && api.headers[.contentType]?.contains("json") == true)
            try await browser.signIn("customer@atelier.test")
            let forbidden = try await browser.get("/crm")
            #expect(forbidden.status == .forbidden && forbidden.text.contains("Clara Customer"), "a 403 page shows who is signed in")
        }
    }

    @Test("the sellers' list shows who ordered and the price and finds an order by its file name; the customer sees the promised day")
    func sellersList() async throws {
        let harness = try await Harness.make()
        let id = try await approvedOrder(harness)
        try await harness.webTest { browser in
            try await browser.signIn("seller@atelier.test")
            let list = try await browser.get("/crm")
            let row = try #require(list.text.components(separatedBy: "<tr data-order=\"\(id)\"").dropFirst().first)
            let cells = String(row.prefix(600))
            #expect(cells.contains("Clara Customer") && cells.contains("customer@atelier.test") && cells.contains("€"))
            for query in ["ring.st", "RING", id.prefix(8).description] {
                let found = try await browser.get("/crm?q=\(query)")
                #expect(found.text.contains("data-order=\"\(id)\""), "the search for \(query) finds the order")
            }
            #expect(!(try await browser.get("/crm?q=no-such-file").text.contains("data-order=\"\(id)\"")))
            let page = try await browser.get("/crm/orders/\(id)")
            #expect(page.text.contains("id=\"customer\"") && page.text.contains("mailto:customer@atelier.test"))

            // The customer sees the day the workshop promised, on the order and in the list.
            let customer = try #require(
                try await harness.useCases.accounts.authenticate(
                    token: try await harness.useCases.accounts.signIn(email: "customer@atelier.test", password: Harness.password).token))
            let promised = try #require(try await harness.useCases.shop.order(id: id, viewer: customer).order.promisedBy)
            try await browser.signIn("customer@atelier.test")
            let day = Addressee(language: .english).day(promised)
            #expect(try await browser.get("/orders/\(id)").text.contains("<dd id=\"promised\">\(day)</dd>"))
            #expect(try await browser.get("/orders").text.contains("data-label=\"Delivery by\">\(day)</td>"))
        }
    }

    @Test("an operator downloads the model of an order they took; taking it again in another tab says it is theirs")
    func takeTwice() async throws {
        let harness = try await Harness.make()
        let id = try await approvedOrder(harness)
        try await harness.webTest { browser in
            try await browser.signIn("operator@atelier.test")
            #expect(try await browser.post("/mes/orders/\(id)/take").location == "/mes/my")
            // The operator downloads the model they cast, from their work and from the order's page.
            #expect(try await browser.get("/mes/my").text.contains("href=\"/files/orders/\(id)/model.stl\" download="))
            #expect(try await browser.get("/mes/orders/\(id)").text.contains("id=\"download-model\""))
            let model = try await browser.get("/files/orders/\(id)/model.stl")
            #expect(model.status == .ok && model.headers[.contentType] == "model/stl" && model.bytes.count > 84)
            let again = try await browser.post("/mes/orders/\(id)/take")
            #expect(again.status == .seeOther && again.location == "/mes/my")
            #expect(!(try await browser.get("/mes/my").text.contains("was faster")))
        }
    }

    @Test("at the shipping step the operator prints the parcel's label: the address, the phone, the order and its tracking number")
    func parcelLabel() async throws {
        let harness = try await Harness.make()
        let id = try await approvedOrder(harness)
        try await harness.webTest { browser in
            try await browser.signIn("operator@atelier.test")
            for step in ["take", "complete", "package"] { _ = try await browser.post("/mes/orders/\(id)/\(step)") }
            #expect(try await browser.get("/mes/my").text.contains("href=\"/mes/orders/\(id)/label\""))
            let label = try await browser.get("/mes/orders/\(id)/label")
            let sample = try Deliveries.sample()
            #expect(label.status == .ok)
            for part in [sample.recipient, sample.street, sample.postalCode, sample.city, sample.phone, String(id.prefix(8))] {
                #expect(label.text.contains(part), "the label has \(part)")
            }
            #expect(label.text.contains("data-print"))
            _ = try await browser.post("/mes/orders/\(id)/ship", [("tracking", "TRK-LABEL-1")])
            #expect(try await browser.get("/mes/orders/\(id)/label").text.contains("<strong id=\"label-tracking\">TRK-LABEL-1</strong>"))
            // Not a customer's page.
            try await browser.signIn("customer@atelier.test")
            #expect(try await browser.get("/mes/orders/\(id)/label").status == .forbidden)
        }
    }

    @Test("a customer cannot open the CRM, and a form sent from another site changes nothing")
    func refusals() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            try await browser.signIn("customer@atelier.test")
            let crm = try await browser.get("/crm")
            #expect(crm.status == .forbidden)
            #expect(crm.text.contains("id=\"problem-detail\""))

            let forged = try await browser.send(
                .post, "/orders", form: [("material", "gold-585"), ("catalogItem", "classic-band")],
                headers: ["Origin": "https://evil.example"])
            #expect(forged.status == .forbidden)
            #expect(forged.text.contains("another site"))
            let orders = try await browser.get("/orders")
            #expect(orders.text.contains("No orders yet"))

            let sameSite = try await browser.send(
                .post, "/orders", form: [("material", "gold-585"), ("catalogItem", "classic-band")],
                headers: ["Origin": "http://localhost"])  // the test client's host
            #expect(sameSite.status == .seeOther)
        }
    }

    @Test("design your own: a refused file shows the server's reason; a good one is priced, ordered and followed")
    func designYourOwn() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            try await browser.signIn("customer@atelier.test")
            let page = try await browser.get("/design")
            #expect(page.text.contains("<label for=\"model\">"))
            #expect(page.text.contains("Yellow gold 585"))

            let json = ["Accept": "application/json", "Content-Type": "application/octet-stream"]
            let broken = try await browser.send(
                .post, "/design/estimate?material=gold-585&filename=broken.stl", body: Array("solid nothing\nendsolid".utf8), headers: json)
            #expect(broken.status == .unprocessableContent)
            #expect(broken.headers[.contentType] == "application/problem+json")
            let reason = try #require(broken.string("detail"))
            #expect(reason.contains("no triangles") || reason.contains("triangle"), "\(reason)")

            let estimate = try await browser.send(
                .post, "/design/estimate?material=gold-585&finish=polish&filename=ring.stl", body: Models.ring, headers: json)
            #expect(estimate.status == .ok, "\(estimate.text)")
            #expect(estimate.string("total")?.hasPrefix("€") == true)
            #expect((estimate.json["lines"] as? [Any])?.isEmpty == false)
            #expect(try await harness.useCases.crm.orders(OrderFilter(), page: PageRequest(limit: 10)).items.isEmpty)

            let created = try await browser.send(
                .post, "/design/order?material=gold-585&filename=ring.stl", body: Models.ring, headers: json)
            #expect(created.status == .ok)
            let location = try #require(created.string("location"))
            let order = try await browser.get(location)
            #expect(order.text.contains("Model uploaded"))
            #expect(order.text.contains("ring.stl"))
            #expect(order.text.contains("data-poll="))

            let id = String(location.split(separator: "/").last!)
            #expect(try await browser.post("/orders/\(id)/submit", Deliveries.fields.map { ($0.key, $0.value) }).status == .seeOther)
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            let priced = try await browser.get(location)
            #expect(priced.text.contains("id=\"quote-total\""))
            let status = try await browser.get("/orders/\(id)/status", headers: ["Accept": "application/json"])
            #expect(status.string("status") == "PRICE_CALCULATED")
        }
    }

    @Test(
        "a silver ring of 0.4 mm section: the customer's, the seller's and the operator's pages say it cannot be cast and why; approving warns"
    )
    func castingWarning() async throws {
        let harness = try await Harness.make()
        let thin = MeshWriter.binarySTL(
            MeshGenerator.lathe([[8.5, -1.5], [8.9, -1.5], [8.9, 1.5], [8.5, 1.5]], segments: 128, closed: true).soup)
        try await harness.webTest { browser in
            try await browser.signIn("customer@atelier.test")
            let json = ["Accept": "application/json", "Content-Type": "application/octet-stream"]
            let created = try await browser.send(.post, "/design/order?material=silver-925&filename=thin.stl", body: thin, headers: json)
            let location = try #require(created.string("location"))
            let id = String(location.split(separator: "/").last!)
            #expect(try await browser.post("/orders/\(id)/submit", Deliveries.fields.map { ($0.key, $0.value) }).status == .seeOther)
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            let customerPage = try await browser.get(location).text
            #expect(customerPage.contains("class=\"casting warning\""))
            #expect(customerPage.contains("Cannot be cast in silver-925 as it is"))
            #expect(customerPage.contains("A wall of 0.40 mm where 1.00 mm is needed"), "\(customerPage)")
            #expect(customerPage.contains("EU 53"), "the ring's size")
            // The viewer's colouring: one wall per triangle of the model it draws, the region to step to.
            #expect(customerPage.contains("id=\"show-thickness\"") && customerPage.contains("data-wall=\"1.0\""))
            #expect(customerPage.contains("id=\"next-region\""))
            let regions = try #require(customerPage.firstMatch(of: /data-regions="([^"]+)"/)?.1)
            #expect(regions.split(separator: ";").count == 1 && regions.split(separator: " ").count == 3, "\(regions)")
            let walls = try await browser.get("/files/orders/\(id)/thickness.f32")
            #expect(walls.status == .ok)
            let raw = walls.bytes
            #expect(raw.count == 4 * 128 * 8, "a float for each of the band's triangles")
            let values = stride(from: 0, to: raw.count, by: 4).map { i in
                Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
            }
            #expect(values.filter { abs($0 - 0.4) < 0.01 }.count == 128 * 4, "the inner and outer faces measure 0.4 mm across")

            try await browser.signIn("seller@atelier.test")
            let list = try await browser.get("/crm").text
            let rest = try #require(list.firstRange(of: "data-order=\"\(id)\"").map { String(list[$0.lowerBound...]) })
            let row = String(rest.prefix(upTo: rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex))
            #expect(row.contains("Casting risk"), "the seller's list marks the order")
            let crm = try await browser.get("/crm/orders/\(id)").text
            #expect(crm.contains("A wall of 0.40 mm where 1.00 mm is needed"))
            #expect(crm.contains("id=\"approve-warning\""))
            #expect(crm.contains("Approve despite the casting warning"))
            #expect(try await browser.post("/crm/orders/\(id)/approve").status == .seeOther)

            try await browser.signIn("operator@atelier.test")
            let board = try await browser.get("/mes").text
            let card = try #require(board.firstRange(of: "data-order=\"\(id)\"").map { String(board[$0.lowerBound...]) })
            let thisCard = String(card.prefix(upTo: card.range(of: "</li>")?.lowerBound ?? card.endIndex))
            #expect(thisCard.contains("class=\"thumb cast-warning\"") && thisCard.contains("Casting risk"), "the thumbnail is marked")
            let mes = try await browser.get("/mes/orders/\(id)").text
            #expect(mes.contains("A wall of 0.40 mm where 1.00 mm is needed"), "the operator reads the same report")
            #expect(try await browser.post("/mes/orders/\(id)/take").status == .seeOther)
            let mine = try await browser.get("/mes/my").text
            let taken = try #require(mine.firstRange(of: "data-order=\"\(id)\"").map { String(mine[$0.lowerBound...]) })
            let takenCard = String(taken.prefix(upTo: taken.range(of: "</li>")?.lowerBound ?? taken.endIndex))
            #expect(takenCard.contains("class=\"thumb cast-warning\"") && takenCard.contains("Casting risk"), "My work marks it too")
        }
    }

    @Test("the constructor makes the model on the server, refuses impossible designs with the reason, and orders")
    func constructor() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            let model = try await browser.get("/constructor/model.stl?kind=ring&size=54&width=5&setting=bezel&stone=5")
            #expect(model.status == .ok)
            let triangles = model.bytes.count >= 84 ? model.bytes[80..<84].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } : 0
            #expect(triangles > 100)
            #expect(model.bytes.count == 84 + Int(triangles) * 50)

            let impossible = try await browser.get(
                "/constructor/estimate?kind=ring&size=100&material=gold-585", headers: ["Accept": "application/json"])
            #expect(impossible.status == .unprocessableContent)
            #expect(impossible.string("detail") == "A ring size (EU) must be between 41 and 76; it is 100.")
            let shown = try await browser.get("/constructor/model.stl?kind=ring&size=abc")
            #expect(shown.status == .unprocessableContent)
            #expect(shown.text.contains("The ring size must be a number; &#39;abc&#39; is not.") || shown.text.contains("'abc' is not"))

            let estimate = try await browser.get(
                "/constructor/estimate?kind=ring&standard=us&size=7&width=4&material=silver-925&engraving=Forever",
                headers: ["Accept": "application/json"])
            #expect(estimate.status == .ok, "\(estimate.text)")
            let labels = try estimate.decode(EstimateView.self).lines.map(\.label)
            #expect(labels.contains { $0.lowercased().contains("engraving") }, "\(labels)")

            try await browser.signIn("customer@atelier.test")
            let ordered = try await browser.post(
                "/constructor/order",
                [
                    ("kind", "ring"), ("profile", "court"), ("standard", "eu"), ("size", "56"), ("width", "3"), ("setting", "prongs"),
                    ("stone", "4"),
                    ("engraving", "A & B"), ("material", "gold-750"),
                ])
            #expect(ordered.status == .seeOther)
            let location = try #require(ordered.location)
            let page = try await browser.get(location)
            #expect(page.text.contains("Designed in the constructor: Ring, EU size 56"))
            #expect(page.text.contains("engraving “A &amp; B”"))
            #expect(page.text.contains("ring-eu56"))
        }
    }

    @Test("the MES: the dashboard lists approved orders with thumbnails; a second operator hears who was faster")
    func mesTake() async throws {
        let harness = try await Harness.make()
        let second = try await harness.useCases.accounts.createUser(
            email: "oscar@atelier.test", name: "Oscar Operator", password: Harness.password, role: .operator)
        let id = try await approvedOrder(harness)
        try await harness.webTest { browser in
            try await browser.signIn("operator@atelier.test")
            let dashboard = try await browser.get("/mes")
            #expect(dashboard.text.contains("data-order=\"\(id)\""))
            #expect(dashboard.text.contains("/files/orders/\(id)/thumbnail.png"))
            #expect(dashboard.text.contains("data-events=\"/mes/events\""))
            let live = try await browser.get("/mes", headers: ["X-Fragment": "live"])
            #expect(!live.text.contains("<html"))
            #expect(live.text.contains("data-order=\"\(id)\""))

            let thumbnail = try await browser.get("/files/orders/\(id)/thumbnail.png")
            #expect(thumbnail.headers[.contentType] == "image/png")
            #expect(Array(thumbnail.bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(String(decoding: thumbnail.bytes[12..<16], as: UTF8.self) == "IHDR")
            let etag = try #require(thumbnail.headers[.eTag])
            #expect(try await browser.get("/files/orders/\(id)/thumbnail.png", headers: ["If-None-Match": etag]).status == .notModified)
            let model = try await browser.get("/files/orders/\(id)/model.stl")
            #expect(model.bytes == Models.ring)
            #expect(try await browser.get("/files/orders/\(id)/model.stl", headers: ["If-None-Match": etag]).status == .notModified)

            let taken = try await browser.post("/mes/orders/\(id)/take")
            #expect(taken.location == "/mes/my")
            let my = try await browser.get("/mes/my")
            #expect(my.text.contains("/mes/orders/\(id)/complete"))
        }
        try await harness.webTest { browser in
            try await browser.signIn(second.email)
            let late = try await browser.post("/mes/orders/\(id)/take")
            #expect(late.status == .conflict)
            #expect(late.text.contains("Olga Operator was faster"))
        }
    }

    @Test("the live feed counts orders per status and moves its version only when they change")
    func liveFeed() async throws {
        let harness = try await Harness.make()
        let feed = LiveFeed(mes: harness.useCases.mes, lifecycle: harness.useCases.context.lifecycle, interval: .zero)
        let before = try await feed.current()
        #expect(try await feed.current().version == before.version)
        _ = try await approvedOrder(harness)
        let after = try await feed.current()
        #expect(after.version > before.version)
        #expect(after.counts[.manufacturingApproved] == (before.counts[.manufacturingApproved] ?? 0) + 1)
    }

    @Test("admin pages: a new user with a role, another role for them, a material with its price; bad input is explained")
    func admin() async throws {
        let harness = try await Harness.make()
        try await harness.webTest { browser in
            try await browser.signIn("admin@atelier.test")
            let added = try await browser.post(
                "/admin/users",
                [("name", "Petra Seller"), ("email", "petra@atelier.test"), ("password", "long-enough-1"), ("role", "seller")])
            #expect(added.status == .seeOther)
            #expect(try await browser.get("/admin?role=seller").text.contains("petra@atelier.test"))
            let petra = try #require(try await harness.store.reader.user(email: "petra@atelier.test"))
            let changed = try await browser.post("/admin/users/\(petra.id)/role", [("role", "operator")])
            #expect(changed.status == .seeOther)
            #expect(try await harness.store.reader.user(id: petra.id)?.role == .operator)
            #expect(try await browser.get("/admin?role=operator").text.contains("petra@atelier.test"))
            let me = try #require(try await harness.store.reader.user(email: "admin@atelier.test"))
            let own = try await browser.post("/admin/users/\(me.id)/role", [("role", "customer")])
            #expect(own.status == .unprocessableContent)
            #expect(own.text.contains("You cannot change your own role"))
            #expect(try await harness.store.reader.user(id: me.id)?.role == .admin)

            let saved = try await browser.post(
                "/admin/materials",
                [("code", "palladium-500"), ("name", "Palladium 500"), ("density", "11.8"), ("price", "31.5"), ("active", "on")])
            #expect(saved.status == .seeOther)
            let materials = try await browser.get("/admin/materials")
            #expect(materials.text.contains("Palladium 500"))
            #expect(materials.text.contains("31.50"))

            let bad = try await browser.post("/admin/materials", [("code", "x"), ("name", "X"), ("density", "heavy"), ("price", "1")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("The density must be a number"))

            // The casting rules, on the same page: the new palladium gets one, a version each change.
            #expect(materials.text.contains("Casting rules version 1."))
            #expect(materials.text.contains("<option value=\"palladium-500\">Palladium 500</option>"))
            let rule = try await browser.post(
                "/admin/casting-rules", [("material", "palladium-500"), ("wall", "0,9"), ("detail", "0.7"), ("polishing", "0.15")])
            #expect(rule.status == .seeOther)
            let ruled = try await browser.get("/admin/materials").text
            #expect(ruled.contains("The casting rule for palladium-500 is saved; the casting rules are now version 2."), "the flash")
            #expect(ruled.contains("Casting rules version 2."))
            #expect(ruled.contains("walls 1.20, details 1.00"), "what a model needs before polishing")
            let palladium = try await harness.useCases.admin.castingRules().rule(for: "palladium-500")
            #expect(
                palladium
                    == CastingRule(materialCode: "palladium-500", minimumWallMM: 0.9, minimumDetailMM: 0.7, polishingAllowanceMM: 0.15))
            let thicker = try await browser.post(
                "/admin/casting-rules", [("material", "palladium-500"), ("wall", "0.5"), ("detail", "0.7"), ("polishing", "0.1")])
            #expect(thicker.status == .unprocessableContent)
            #expect(thicker.text.contains("out of range"), "a detail thicker than the wall")
            let missing = try await browser.post(
                "/admin/casting-rules", [("material", "palladium-500"), ("detail", "0.7"), ("polishing", "0.1")])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains("The thinnest wall is required."))
            #expect(try await harness.useCases.admin.castingRules().version == 2, "nothing refused was saved")
        }
    }

    /// An order priced and approved, ready on the operators' dashboard.
    private func approvedOrder(_ harness: Harness) async throws -> String {
        let customer = try await principal(harness, "customer@atelier.test")
        let seller = try await principal(harness, "seller@atelier.test")
        let order = try await harness.useCases.shop.createOrder(
            ShopService.NewOrder(material: "gold-585", finishes: []), model: try await harness.spool(Models.ring), filename: "ring.stl",
            by: customer)
        _ = try await harness.useCases.shop.submit(orderID: order.id, delivery: try Deliveries.sample(), by: customer, idempotencyKey: nil)
        _ = try await harness.pricingWorker.runDueJobs()
        _ = try await harness.useCases.crm.approve(orderID: order.id, note: nil, by: seller)
        return order.id
    }

    private func principal(_ harness: Harness, _ email: String) async throws -> Principal {
        let session = try await harness.useCases.accounts.signIn(email: email, password: Harness.password)
        return try #require(try await harness.useCases.accounts.authenticate(token: session.token))
    }
}
