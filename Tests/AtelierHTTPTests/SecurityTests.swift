import AtelierApp
import AtelierDomain
import AtelierHTTP
import AtelierJobs
import AtelierPartnerAPI
import AtelierServices
import AtelierTestSupport
import Foundation
import HTTPTypes
import Logging
import Testing

/// The findings of the review that tried Atelier as an attacker: each has its test here.
@Suite("Security: sign-in, sessions, headers, limits")
struct SecurityTests {
    @Test("after 5 wrong passwords an account waits, growing, even for the right one; others are not affected")
    func signInThrottle() async throws {
        // The clock stands still: the wait is asserted, not how long a loaded machine takes to get there.
        let harness = try await Harness.make(time: TestClock(Date()))
        try await harness.test { api in
            for _ in 0..<5 {
                let wrong = try await api.call(
                    .post, "/api/auth/sign-in", json: ["email": "admin@atelier.test", "password": "guess guess"])
                #expect(wrong.status == .unauthorized)
            }
            let throttled = try await api.call(
                .post, "/api/auth/sign-in", json: ["email": "admin@atelier.test", "password": Harness.password])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(throttled.string("detail")?.hasPrefix("Too many failed sign-ins; try again in") == true)
            _ = try await api.signIn("seller@atelier.test")
        }
    }

    @Test("a common password is refused at sign-up and at a change")
    func commonPasswords() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            for password in ["password1", "qwertyuiop", "Sunshine1", "iloveyou123"] {
                let reply = try await api.call(
                    .post, "/api/auth/sign-up", json: ["email": "new@example.com", "name": "New", "password": password])
                #expect(reply.status == .unprocessableContent, "\(password)")
                #expect(reply.string("detail") == "This password is one of the most common ones and easy to guess; choose another.")
            }
            let token = try await api.signIn("customer@atelier.test")
            let change = try await api.call(
                .post, "/api/auth/password", token: token, json: ["current": Harness.password, "new": "baseball1"])
            #expect(change.status == .unprocessableContent)
        }
    }

    @Test("the Authorization header is parsed strictly; sign-out ends the session it names")
    func strictBearer() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let token = try await api.signIn("customer@atelier.test")
            let doubled = try await api.call(.post, "/api/auth/sign-out", headers: ["Authorization": "Bearer  \(token)"])
            #expect(doubled.status == .unauthorized)
            #expect(doubled.headers[.contentType] == "application/problem+json")
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .ok, "a refused sign-out leaves the session")
            #expect(try await api.call(.post, "/api/auth/sign-out", token: token).status == .noContent)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test("sign out everywhere ends every session of the user")
    func signOutEverywhere() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let laptop = try await api.signIn("seller@atelier.test")
            let phone = try await api.signIn("seller@atelier.test")
            let other = try await api.signIn("customer@atelier.test")
            #expect(try await api.call(.post, "/api/auth/sign-out-everywhere", token: phone).status == .noContent)
            #expect(try await api.call(.get, "/api/auth/me", token: laptop).status == .unauthorized)
            #expect(try await api.call(.get, "/api/auth/me", token: phone).status == .unauthorized)
            #expect(try await api.call(.get, "/api/auth/me", token: other).status == .ok)
        }
    }

    @Test("a password change needs the current password and ends the user's other sessions")
    func passwordChange() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let here = try await api.signIn("operator@atelier.test")
            let elsewhere = try await api.signIn("operator@atelier.test")
            let wrong = try await api.call(
                .post, "/api/auth/password", token: here, json: ["current": "not it at all", "new": "violet-anvil-42"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.string("detail") == "The current password is wrong.")
            let changed = try await api.call(
                .post, "/api/auth/password", token: here, json: ["current": Harness.password, "new": "violet-anvil-42"])
            #expect(changed.status == .noContent)
            #expect(try await api.call(.get, "/api/auth/me", token: here).status == .ok)
            #expect(try await api.call(.get, "/api/auth/me", token: elsewhere).status == .unauthorized)
            _ = try await api.signIn("operator@atelier.test", password: "violet-anvil-42")
        }
    }

    @Test("an admin disabling an account ends its sessions and its sign-ins until it is enabled")
    func disableAccount() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let admin = try await api.signIn("admin@atelier.test")
            let seller = try await api.signIn("seller@atelier.test")
            let me = try await api.call(.get, "/api/auth/me", token: seller)
            let id = try #require(me.string("userId"))
            #expect(try await api.call(.post, "/api/admin/users/\(id)/disable", token: admin).status == .ok)
            #expect(try await api.call(.get, "/api/auth/me", token: seller).status == .unauthorized)
            let refused = try await api.call(
                .post, "/api/auth/sign-in", json: ["email": "seller@atelier.test", "password": Harness.password])
            #expect(refused.status == .unauthorized)
            #expect(try await api.call(.post, "/api/admin/users/\(id)/enable", token: admin).status == .ok)
            _ = try await api.signIn("seller@atelier.test")
            let adminID = try #require(try await api.call(.get, "/api/auth/me", token: admin).string("userId"))
            #expect(try await api.call(.post, "/api/admin/users/\(adminID)/disable", token: admin).status == .unprocessableContent)
        }
    }

    @Test("a session not used for its idle time ends, though its absolute end is far")
    func idleExpiry() async throws {
        let clock = HandClock()
        let harness = try await Harness.make(time: clock) { $0.sessionIdleHours = 2 }
        try await harness.test { api in
            let token = try await api.signIn("customer@atelier.test")
            clock.advance(seconds: 3600)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .ok, "used after an hour: its idle time starts again")
            clock.advance(seconds: 2 * 3600 - 60)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .ok)
            clock.advance(seconds: 2 * 3600 + 60)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test("a remembered session ends at once on the instance that signs it out, and on another within a second")
    func sessionCache() async throws {
        let clock = HandClock()
        let harness = try await Harness.make(time: clock)
        // A second instance on the same database, with its own memory of sessions.
        let other = Composition(
            store: harness.store, configuration: harness.composition.configuration, logger: Logger(label: "test"), time: clock
        ).useCases
        try await harness.test { api in
            let token = try await api.signIn("customer@atelier.test")
            #expect(try await harness.useCases.accounts.authenticate(token: token)?.role == .customer)
            #expect(try await other.accounts.authenticate(token: token)?.role == .customer)

            try await harness.useCases.accounts.signOut(token: token)

            #expect(try await harness.useCases.accounts.authenticate(token: token) == nil, "this instance forgets it at once")
            #expect(try await other.accounts.authenticate(token: token) != nil, "the other remembers it for at most a second")
            clock.advance(seconds: 1)
            #expect(try await other.accounts.authenticate(token: token) == nil)
        }
    }

    @Test("every answer carries the security headers; pages a strict policy; models are never sniffed")
    func securityHeaders() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).string("id"))
            _ = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=ring.stl", token: customer, body: Models.ring)
            for reply in [
                try await api.call(.get, "/api/shop/catalog"),
                try await api.call(.get, "/api/shop/orders/unknown", token: customer),
                try await api.call(.get, "/health/live"),
            ] {
                #expect(reply.headers[.xContentTypeOptions] == "nosniff")
                #expect(reply.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(reply.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            }
            #expect(try await api.call(.get, "/api/shop/catalog").headers[.strictTransportSecurity] == nil, "plain HTTP: no HSTS")
            let behindTLS = try await api.call(.get, "/api/shop/catalog", headers: ["X-Forwarded-Proto": "https"])
            #expect(behindTLS.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
        }
    }

    @Test("the operator's download cannot be given another header by a file name")
    func contentDisposition() {
        let header = attachment(filename: "ring\"; filename=evil.exe\r\nX-Evil: 1.stl")
        #expect(!header.contains("\r") && !header.contains("\n"))
        #expect(header.hasPrefix("attachment; filename=\"ring___filename_evil.exe__X-Evil__1.stl\"; filename*=UTF-8''"))
        #expect(attachment(filename: "кольцо.stl").hasSuffix("filename*=UTF-8''%D0%BA%D0%BE%D0%BB%D1%8C%D1%86%D0%BE.stl"))
    }

    @Test("a model shared by content shows each customer their own file name")
    func fileNameBelongsToTheOrder() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let alice = try await api.signIn("customer@atelier.test")
            let first = try #require(
                try await api.call(.post, "/api/shop/orders", token: alice, json: ["material": "gold-585"]).string("id"))
            _ = try await api.call(
                .put, "/api/shop/orders/\(first)/model?filename=alice-secret-engagement.stl", token: alice, body: Models.ring)
            _ = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "bob@example.com", "name": "Bob", "password": "violet-anvil-42"])
            let bob = try await api.signIn("bob@example.com", password: "violet-anvil-42")
            let second = try #require(
                try await api.call(.post, "/api/shop/orders", token: bob, json: ["material": "gold-585"]).string("id"))
            _ = try await api.call(.put, "/api/shop/orders/\(second)/model?filename=bobs-ring.stl", token: bob, body: Models.ring)
            let page = try await api.call(.get, "/api/shop/orders/\(second)", token: bob)
            #expect(!page.text.contains("alice-secret-engagement"))
            #expect(page.text.contains("bobs-ring.stl"))
        }
    }

    @Test("a body sent in chunks past the limit is cut off at the limit (413), never read whole")
    func chunkedBodyLimit() async throws {
        let harness = try await Harness.make()
        try await harness.live { _, port in
            let (status, sent) = try await RawHTTP.chunkedUpload(
                port: port, path: "/api/auth/sign-in", contentType: "application/json", chunk: 64 * 1024, chunks: 400)
            #expect(status == 413 || status == 0, "413, or closed before its answer could arrive: \(status)")
            #expect(sent < 400, "the server stopped the body before the whole 25 MB arrived")
        }
    }

    @Test("huge numbers in forms and prices are refused with the range, never a crash")
    func hugeNumbers() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let admin = try await api.signIn("admin@atelier.test")
            let price = try await api.call(
                .put, "/api/admin/materials/gold-585", token: admin,
                json: [
                    "code": "gold-585", "name": "Gold 585", "densityGPerCM3": 13.0, "pricePerGramMinor": 9_000_000_000_000_000_000 as Int64,
                    "castingLossPercent": 5.0, "active": true,
                ])
            #expect(price.status == .unprocessableContent)
            #expect(price.string("detail")?.hasPrefix("Price per gram of gold-585 must be more than 0 and at most") == true)
            let list = try await api.call(.get, "/api/admin/price-list", token: admin)
            let gold = try list.decode(PriceListView.self).materials.first { $0.code == "gold-585" }
            #expect(gold.map { $0.pricePerGramMinor < 1_000_000 } == true, "the price list is unchanged")
        }
    }

    @Test("lists and texts have bounds: finishes are a set of at most 10, a reason at most 500 characters")
    func fieldLimits() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let many = try await api.call(
                .post, "/api/shop/orders", token: customer,
                json: ["material": "gold-585", "finishes": [String](repeating: "polish", count: 5) + (0..<20).map { "f\($0)" }])
            #expect(many.status == .unprocessableContent)
            #expect(many.string("detail") == "An order has at most 10 finishes.")
            let repeated = try await api.call(
                .post, "/api/shop/orders", token: customer, json: ["material": "gold-585", "finishes": ["polish", "polish", "polish"]])
            #expect(repeated.status == .created)
            #expect(repeated.json["finishes"] as? [String] == ["polish"])
            let id = try #require(repeated.string("id"))
            let long = try await api.call(
                .post, "/api/shop/orders/\(id)/cancel", token: customer, json: ["reason": String(repeating: "x", count: 600)])
            #expect(long.status == .unprocessableContent)
            #expect(long.string("detail") == "A reason has at most 500 characters; this one has 600.")
        }
    }

    @Test("one customer holds at most the configured open orders")
    func openOrderCap() async throws {
        let harness = try await Harness.make { $0.holdingLimits.openOrders = 3 }
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            for _ in 0..<3 {
                #expect(try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).status == .created)
            }
            let fourth = try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"])
            #expect(fourth.status == .unprocessableContent)
            #expect(fourth.string("detail")?.hasPrefix("You have 3 open orders, the most one account may have at once") == true)
        }
    }

    @Test("a customer's answers name no member of staff and carry no staff note")
    func noStaffIdentities() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let id = try await api.submittedCatalogOrder(token: customer)
            try await harness.pricingWorker.runDueJobs()
            let seller = try await api.signIn("seller@atelier.test")
            _ = try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller, json: ["note": "internal: margin is thin"])
            let op = try await api.signIn("operator@atelier.test")
            _ = try await api.call(.post, "/api/mes/orders/\(id)/take", token: op)
            let staffNames = ["Sam Seller", "Olga Operator", "seller@atelier.test", "operator@atelier.test"]
            for path in ["/api/shop/orders/\(id)", "/api/shop/orders"] {
                let reply = try await api.call(.get, path, token: customer)
                #expect(reply.status == .ok)
                #expect(!reply.text.contains("margin is thin"), "\(path)")
                for name in staffNames { #expect(!reply.text.contains(name), "\(path) names \(name)") }
            }
            // The staff still see who did what.
            #expect(try await api.call(.get, "/api/crm/orders/\(id)", token: seller).text.contains("margin is thin"))
        }
    }
}
