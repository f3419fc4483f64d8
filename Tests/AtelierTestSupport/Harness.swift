import AtelierApp
import AtelierDomain
import AtelierGeometry
import AtelierHTTP
import AtelierJobs
import AtelierPartnerAPI
import AtelierServices
import AtelierStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// A real Atelier on a fresh SQLite file with the demo data, and a pricing worker the test drives.
package struct Harness {
    package static let carrierSecret = "carrier-secret-for-the-tests"
    package static let password = "atelier-demo"

    package let store: any Store
    package let composition: Composition
    package let pricingWorker: JobRunner
    /// Sends webhooks over real HTTP, retrying fast.
    package let webhookWorker: JobRunner
    package let dataDirectory: URL

    /// `engine` and `models` choose the database and the model store (SQLite and a folder unless
    /// a test runs on each).
    package static func make(
        time: any TimeSource = SystemTime(), engine: Engine = .sqlite, models: ModelStoreKind = .files,
        _ configure: (inout AtelierConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = AtelierConfiguration()
        configuration.dataDirectory = folder.path
        configuration.bcryptCost = 4
        configuration.demoPassword = Secret(password)
        configuration.meshLimits.maxBytes = 2 * 1024 * 1024
        configuration.webhookPolicy.allowHTTP = true
        configuration.webhookPolicy.allowedHosts = ["127.0.0.1"]
        configuration.webhookPolicy.allowPrivateAddresses = true
        configuration.webhookPolicy.timeout = .seconds(2)
        configuration.webhookPolicy.breakerCooldown = .milliseconds(200)
        // Webhook retries fast, so the tests see them.
        configuration.webhookBaseBackoffSeconds = 0.02
        configuration.webhookMaxBackoffSeconds = 0.1
        configure(&configuration)
        let store: any Store
        switch engine {
        case .sqlite:
            let sqlite = try SQLiteStore(path: configuration.databasePath)
            try await sqlite.migrate()
            store = sqlite
        case .postgres:
            store = try await TestPostgres.shared.freshStore()
        }
        let modelStore: any ModelStore =
            models == .files ? try FileModelStore(root: configuration.modelFolder) : try models.make()
        // The program as `atelier serve` puts it together.
        let composition = Composition(
            store: store, configuration: configuration, logger: Logger(label: "test"), time: time, models: modelStore)
        try await DemoData(context: composition.useCases.context).load()
        await composition.loadFlags()
        return Harness(
            store: store, composition: composition, pricingWorker: composition.pricingWorker(), webhookWorker: composition.webhookWorker(),
            dataDirectory: folder)
    }

    package var useCases: UseCases { composition.useCases }

    /// The same program and database, with model files in `models` instead (a store that is away).
    package func replacingModelStore(with models: any ModelStore) -> Harness {
        let composition = Composition(
            store: store, configuration: composition.configuration, logger: Logger(label: "test"), time: useCases.context.time,
            models: models)
        return Harness(
            store: store, composition: composition, pricingWorker: composition.pricingWorker(), webhookWorker: composition.webhookWorker(),
            dataDirectory: dataDirectory)
    }

    /// A model made in memory, as an upload that has arrived.
    package func spool(_ bytes: [UInt8]) async throws -> SpooledModel { try await useCases.context.uploads.spool(bytes) }

    package func application() -> some ApplicationProtocol {
        composition.application(carrierSecret: Self.carrierSecret, surfaces: [.shop, .staff], host: "127.0.0.1", port: 0)
    }

    package func partnerApplication() throws -> some ApplicationProtocol {
        try composition.partnerApplication(host: "127.0.0.1", port: 0)
    }

    /// Runs `body` against the partner API in memory.
    package func partnerTest(_ body: @escaping @Sendable (API) async throws -> Void) async throws {
        try await partnerApplication().test(.router) { client in try await body(API(client: client)) }
    }

    /// Creates a partner with a key, as an admin would.
    package func partner(
        name: String = "Gem Shop", autoApproveUpToMinor: Int64? = nil, requestsPerMinute: Int = 6000, burst: Int = 1000
    ) async throws -> (Partner, key: String) {
        let admin = Principal(userID: "test-admin", role: .admin, name: "Test admin")
        let (partner, key) = try await useCases.partners.createPartner(
            .init(
                name: name, email: "\(UUID().uuidString.prefix(8))@partner.test", autoApproveUpToMinor: autoApproveUpToMinor,
                requestsPerMinute: requestsPerMinute, burst: burst), withKey: true, by: admin)
        guard let key else { throw HarnessError("the partner was created without its key") }
        return (partner, key.secret)
    }

    /// Runs `body` against the application in memory (the router, no sockets).
    package func test(_ body: @escaping @Sendable (API) async throws -> Void) async throws {
        try await application().test(.router) { client in try await body(API(client: client)) }
    }

    /// Runs `body` against a live server on a loopback port.
    package func live(_ body: @escaping @Sendable (API, Int) async throws -> Void) async throws {
        try await application().test(.live) { client in try await body(API(client: client), client.port!) }
    }
}

/// A clock the test moves by hand, from the present.
package final class HandClock: TimeSource, Sendable {
    package init() {}
    private let offset = Mutex<TimeInterval>(0)
    package func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    package func advance(seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// A response, with its JSON body at hand.
package struct Reply: Sendable {
    package var status: HTTPResponse.Status
    package var headers: HTTPFields
    package var bytes: [UInt8]

    package var text: String { String(decoding: bytes, as: UTF8.self) }
    package var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
    package var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [[String: Any]] ?? [] }
    package func string(_ key: String) -> String? { json[key] as? String }

    /// The body decoded as `type`, the way a client of the API would read it.
    package func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder.atelier.decode(T.self, from: Data(bytes))
        } catch {
            throw HarnessError("the answer (\(status)) is not a \(T.self): \(error); \(text.prefix(300))")
        }
    }
}

/// Calls the API as a client would.
package struct API: Sendable {
    package let client: any TestClientProtocol

    package init(client: any TestClientProtocol) { self.client = client }

    /// A partner's POST of a model file.
    package func postModel(_ path: String, key: String, model: [UInt8], headers: [String: String] = [:]) async throws -> Reply {
        try await call(
            .post, path, token: key, body: model,
            headers: headers.merging(["Content-Type": "application/octet-stream"]) { first, _ in first })
    }

    package func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: any Sendable]? = nil,
        body: [UInt8]? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            fields[.contentType] = "application/json"
        } else if let body {
            buffer = ByteBuffer(bytes: body)
        }
        return try await client.execute(uri: path, method: method, headers: fields, body: buffer) { response in
            Reply(status: response.status, headers: response.headers, bytes: Array(response.body.readableBytesView))
        }
    }

    /// Starts an order of a catalog piece (so it has its model) and submits it; returns its id.
    package func submittedCatalogOrder(token: String, piece: String = "ball-studs") async throws -> String {
        let created = try await call(.post, "/api/shop/orders", token: token, json: ["material": "gold-585", "catalogItem": piece])
        guard let id = created.string("id") else { throw HarnessError("no order: \(created.status) \(created.text)") }
        let submitted = try await call(.post, "/api/shop/orders/\(id)/submit", token: token, json: Deliveries.submitBody)
        guard submitted.status == .ok else { throw HarnessError("submit of \(id): \(submitted.status) \(submitted.text)") }
        return id
    }

    /// Signs in and returns the bearer token.
    package func signIn(_ email: String, password: String = Harness.password) async throws -> String {
        let reply = try await call(.post, "/api/auth/sign-in", json: ["email": email, "password": password])
        guard reply.status == .ok, let token = reply.string("token") else {
            throw HarnessError("sign-in of \(email) failed: \(reply.status) \(reply.text)")
        }
        return token
    }
}

package struct HarnessError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Model files for uploads.
package enum Models {
    package static let ring = MeshWriter.binarySTL(MeshGenerator.torus(major: 9, minor: 1.2, segments: 64, sides: 16).soup)
    package static let cube = MeshWriter.asciiSTL(MeshGenerator.cube(size: 10).soup)
    package static let pendantOBJ = MeshWriter.obj(MeshGenerator.sphere(radius: 6, segments: 32, rings: 16))
}

extension Harness {
    /// The e-mails to `address` in the mail folder, each as its decoded plain-text and HTML parts
    /// joined, in the order of their files (by time).
    package func mailed(to address: String) throws -> [String] {
        let folder = dataDirectory.appendingPathComponent("mail")
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try files.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            .filter { $0.contains("<\(address)>") }
            .map { Self.decodedParts($0).joined(separator: "\n") }
    }

    /// The tokens of the `/<path>/<token>` links in the e-mails to `address`.
    package func mailedLinks(to address: String, path: String) throws -> [String] {
        try mailed(to: address).compactMap { text in
            text.range(of: "/\(path)/").map {
                String(text[$0.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            }
        }
    }

    /// The base64 parts of a rendered message, decoded.
    package static func decodedParts(_ message: String) -> [String] {
        message.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").dropFirst().compactMap {
            let base64 = String($0.prefix(while: { $0 != "-" })).replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}

/// A delivery address as the tests order to it.
package enum Deliveries {
    /// The fields as a client sends them.
    package static let fields: [String: String] = [
        "recipient": "Clara Customer", "phone": "8 (912) 345-67-89", "country": "RU", "postalCode": "101000", "city": "Moscow",
        "street": "Tverskaya 7, flat 12", "note": "A gift: no price in the box, please.",
    ]

    /// The body of a shop submit that says where the piece goes.
    package static var submitBody: [String: any Sendable] { ["delivery": fields] }

    package static func sample() throws -> DeliveryDetails {
        try DeliveryDetails(
            recipient: fields["recipient"] ?? "", phone: fields["phone"] ?? "", country: "RU", postalCode: fields["postalCode"] ?? "",
            city: fields["city"] ?? "", street: fields["street"] ?? "", note: fields["note"])
    }
}
