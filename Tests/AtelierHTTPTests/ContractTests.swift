import AtelierHTTP
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("The internal API's contract")
struct ContractTests {
    /// The operations of the served contract, as "METHOD /path" with `{…}` for a path parameter.
    static func operations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = []
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path,
                let method = ["get", "post", "put", "patch", "delete"].first(where: { line == "    \($0):" })
            {
                operations.insert("\(method.uppercased()) \(path)")
            } else if !line.hasPrefix(" "), !line.isEmpty {
                path = nil
            }
        }
        return operations
    }

    @Test("every route of the shop, the CRM, the MES and sign-in is in the served contract, and nothing else is")
    func contractMatchesRoutes() async throws {
        let harness = try await Harness.make()
        let router = buildRouter(useCases: harness.useCases, carrierSecret: Harness.carrierSecret)
        let served = router.routes.map { "\($0.method.rawValue) \($0.path)" }
            .filter { $0.contains(" /api/shop/") || $0.contains(" /api/crm/") || $0.contains(" /api/mes/") || $0.contains(" /api/auth/") }
        try await harness.test { api in
            let reply = try await api.call(.get, "/api/openapi.yaml")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let documented = Self.operations(reply.text)
            #expect(documented.count > 30)
            #expect(Set(served).subtracting(documented).sorted() == [], "routes the contract does not describe")
            #expect(documented.subtracting(served).sorted() == [], "operations no route serves")
        }
    }

    @Test("a known address with a method it does not answer is a 405 that names the methods it does")
    func methodNotAllowed() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let wrong = try await api.call(.delete, "/api/shop/catalog")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET")
            #expect(wrong.headers[.contentType] == "application/problem+json")
            let both = try await api.call(.put, "/api/shop/orders")
            #expect(both.headers[.allow] == "GET, POST")
            let unknown = try await api.call(.delete, "/api/shop/nothing-here")
            #expect(unknown.status == .notFound)
        }
    }
}
