import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Authentication and roles")
struct AccessTests {
    @Test("every surface checks who calls it")
    func roles() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let worker = try await api.signIn("operator@atelier.test")

            let anonymous = try await api.call(.get, "/api/shop/orders")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            #expect(try await api.call(.get, "/api/shop/orders", token: "made-up-token").status == .unauthorized)
            let forbidden = try await api.call(.get, "/api/crm/orders", token: customer)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.string("detail") == "A customer cannot do this; it needs the role seller or admin.")
            #expect(try await api.call(.get, "/api/crm/orders", token: worker).status == .forbidden)
            #expect(try await api.call(.get, "/api/admin/users", token: worker).status == .forbidden)
            #expect(try await api.call(.post, "/api/shop/orders", token: worker, json: ["material": "gold-585"]).status == .forbidden)
            #expect(try await api.call(.get, "/api/mes/dashboard", token: customer).status == .forbidden)
        }
    }

    @Test("a customer sees only their own orders")
    func ownOrdersOnly() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let clara = try await api.signIn("customer@atelier.test")
            let signUp = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "bob@example.com", "name": "Bob", "password": "long enough"])
            #expect(signUp.status == .created)
            #expect(signUp.json["passwordHash"] == nil)
            let bob = try await api.signIn("bob@example.com", password: "long enough")
            let id = try #require(try await api.call(.post, "/api/shop/orders", token: clara, json: ["material": "gold-585"]).string("id"))

            #expect(try await api.call(.get, "/api/shop/orders/\(id)", token: bob).status == .notFound)
            #expect(try await api.call(.put, "/api/shop/orders/\(id)/model", token: bob, body: Models.cube).status == .notFound)
            #expect(try await api.call(.post, "/api/shop/orders/\(id)/cancel", token: bob, json: ["reason": "x"]).status == .notFound)
            let bobsList = try await api.call(.get, "/api/shop/orders", token: bob)
            #expect(try bobsList.decode(PageView<OrderView>.self).items.isEmpty)
            let clarasList = try await api.call(.get, "/api/shop/orders", token: clara)
            #expect(try clarasList.decode(PageView<OrderView>.self).items.map(\.id) == [id])
        }
    }

    @Test("a wrong password is a clear error; a sign-up tells nobody whether an e-mail has an account")
    func signInErrors() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let wrong = try await api.call(.post, "/api/auth/sign-in", json: ["email": "customer@atelier.test", "password": "nope nope"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.string("detail") == "The e-mail or the password is wrong.")
            let duplicate = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "customer@atelier.test", "name": "X", "password": "long enough"])
            let fresh = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "fresh@example.com", "name": "X", "password": "long enough"])
            #expect(duplicate.status == fresh.status)
            #expect(duplicate.json.keys.sorted() == fresh.json.keys.sorted())
            #expect(duplicate.string("id") != nil)
            // The existing account is untouched: its own password still signs in, the new one does not.
            _ = try await api.signIn("customer@atelier.test")
            #expect(
                try await api.call(.post, "/api/auth/sign-in", json: ["email": "customer@atelier.test", "password": "long enough"]).status
                    == .unauthorized)
            let short = try await api.call(
                .post, "/api/auth/sign-up", json: ["email": "new@example.com", "name": "X", "password": "short"])
            #expect(short.string("detail") == "A password needs 8 to 72 characters.")
            let token = try await api.signIn("customer@atelier.test")
            #expect(try await api.call(.post, "/api/auth/sign-out", token: token).status == .noContent)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test("bad input gets problem+json, never a 500")
    func badInput() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let notJSON = try await api.call(.post, "/api/shop/orders", token: customer, body: Array("{not json".utf8))
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.headers[.contentType] == "application/problem+json")
            let unknownMaterial = try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "tin"])
            #expect(unknownMaterial.status == .unprocessableContent)
            #expect(unknownMaterial.string("detail")?.hasPrefix("Unknown material 'tin'. Known materials: silver-925, gold-585") == true)
            #expect(try await api.call(.get, "/api/shop/orders?cursor=garbage", token: customer).status == .badRequest)
            #expect(try await api.call(.get, "/api/shop/orders?limit=0", token: customer).status == .badRequest)
            let seller = try await api.signIn("seller@atelier.test")
            let badStatus = try await api.call(.get, "/api/crm/orders?status=LOST", token: seller)
            #expect(badStatus.status == .badRequest)
            #expect(badStatus.string("detail")?.hasPrefix("'LOST' is not a status.") == true)
            #expect(try await api.call(.get, "/api/crm/orders/nope", token: seller).status == .notFound)
            #expect(try await api.call(.get, "/api/nowhere").status == .notFound)
        }
    }
}
