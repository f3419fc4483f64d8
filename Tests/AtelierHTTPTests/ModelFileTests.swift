import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

/// Every database and every model store the test command runs: SQLite and a folder always;
/// PostgreSQL and the real S3 server when it started them.
let storeCombinations: [(Engine, ModelStoreKind)] = Engine.allCases.flatMap { engine in
    ModelStoreKind.available.map { (engine, $0) }
}

@Suite("Model files: uploads into the store, downloads from it")
struct ModelFileTests {
    /// An order with the ring uploaded through the shop's API; its id and the ring's hash.
    private func uploaded(_ api: API, token: String, model: [UInt8] = Models.ring) async throws -> (String, String) {
        let id = try #require(try await api.call(.post, "/api/shop/orders", token: token, json: ["material": "silver-925"]).string("id"))
        let reply = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=ring.stl", token: token, body: model)
        #expect(reply.status == .ok, "\(reply.text)")
        return (id, sha256Hex(model))
    }

    @Test(
        "an upload is stored under its hash in the model store, not in the database, and downloaded from there with its ETag and one Range",
        arguments: storeCombinations)
    func uploadAndDownload(engine: Engine, models: ModelStoreKind) async throws {
        let harness = try await Harness.make(engine: engine, models: models)
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let (id, hash) = try await uploaded(api, token: customer)
            #expect(try await harness.useCases.context.models.bytes(hash: hash) == Models.ring)
            #expect(try await harness.store.reader.modelBytes(hash: hash) == nil)
            #expect(try await harness.store.reader.order(id: id)?.status == .fileUploaded)
            // Nothing is left in the uploads folder.
            let left = try FileManager.default.contentsOfDirectory(atPath: harness.useCases.context.uploads.folder)
            #expect(left.isEmpty, "\(left)")
            let worker = try await api.signIn("operator@atelier.test")
            let path = "/api/mes/orders/\(id)/model"
            let size = Models.ring.count

            let whole = try await api.call(.get, path, token: worker)
            #expect(whole.status == .ok, "\(whole.text.prefix(200))")
            #expect(whole.bytes == Models.ring)
            #expect(whole.headers[.eTag] == "\"\(hash)\"")
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.headers[.contentLength] == "\(size)")
            #expect(whole.headers[.contentDisposition]?.contains("ring.stl") == true)

            for condition in ["\"\(hash)\"", "W/\"\(hash)\"", "\"other\", W/\"\(hash)\"", "*"] {
                let again = try await api.call(.get, path, token: worker, headers: ["If-None-Match": condition])
                #expect(again.status == .notModified, "If-None-Match: \(condition)")
                #expect(again.bytes.isEmpty)
            }
            #expect(try await api.call(.get, path, token: worker, headers: ["If-None-Match": "\"other\""]).status == .ok)

            let first = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=0-99"])
            #expect(first.status == .partialContent)
            #expect(first.bytes == Array(Models.ring[0..<100]))
            #expect(first.headers[.contentRange] == "bytes 0-99/\(size)")
            let last = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=-50"])
            #expect(last.bytes == Array(Models.ring[(size - 50)...]))
            #expect(last.headers[.contentRange] == "bytes \(size - 50)-\(size - 1)/\(size)")
            let rest = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=1000-"])
            #expect(rest.bytes == Array(Models.ring[1000...]))
            let past = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=\(size)-"])
            #expect(past.status == .rangeNotSatisfiable)
            #expect(past.headers[.contentRange] == "bytes */\(size)")
            // Hostile or odd ranges: never a crash; what does not parse is answered with the whole file.
            for odd in [
                "bytes=5-2", "bytes=abc", "bytes=99999999999999999999-", "items=0-1", "bytes=" + String(repeating: "9", count: 200),
            ] {
                let reply = try await api.call(.get, path, token: worker, headers: ["Range": odd])
                #expect(reply.status == .ok && reply.bytes == Models.ring, "Range: \(odd)")
            }
            #expect(try await api.call(.get, path, token: worker, headers: ["Range": "bytes=-0"]).status == .rangeNotSatisfiable)
            // Several ranges, or a range for another version of the file: the whole file.
            let several = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=0-1,5-6"])
            #expect(several.status == .ok && several.bytes == Models.ring)
            let otherVersion = try await api.call(.get, path, token: worker, headers: ["Range": "bytes=0-1", "If-Range": "\"other\""])
            #expect(otherVersion.status == .ok && otherVersion.bytes == Models.ring)
        }
    }

    @Test("a model store that is away: the upload gets 503 with Retry-After and nothing is recorded", arguments: Engine.allCases)
    func storeAway(engine: Engine) async throws {
        // A folder that cannot be made (its parent is a file), or an S3 endpoint nobody listens on.
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("blocker-\(UUID().uuidString)")
        try Data("not a folder".utf8).write(to: blocker)
        var away: [any ModelStore] = [FileModelStore(uncheckedRoot: blocker.appendingPathComponent("models").path)]
        if ModelStoreKind.s3URL != nil { away.append(try ModelStoreKind.s3.make(endpoint: "http://127.0.0.1:9")) }
        let running = try await Harness.make(engine: engine)
        for store in away {
            // A model of its own (a header no other test writes): the analyses read are cached by hash.
            let model = MeshWriter.binarySTL(
                MeshGenerator.torus(major: 9, minor: 1.2, segments: 64, sides: 16).soup, header: "away \(UUID().uuidString)")
            let harness = running.replacingModelStore(with: store)
            try await harness.test { api in
                let customer = try await api.signIn("customer@atelier.test")
                let id = try #require(
                    try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "silver-925"]).string("id"))
                let reply = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=ring.stl", token: customer, body: model)
                #expect(reply.status == .serviceUnavailable, "\(reply.text)")
                #expect(reply.headers[.retryAfter] != nil)
                #expect(reply.string("type")?.hasSuffix("/models-unavailable") == true)
                #expect(!reply.text.contains(blocker.path) && !reply.text.contains("127.0.0.1"), "no path or address in the answer")
                #expect(try await harness.store.reader.order(id: id)?.status == .initiated)
                #expect(try await harness.store.reader.model(hash: sha256Hex(model)) == nil)
                let left = try FileManager.default.contentsOfDirectory(atPath: harness.useCases.context.uploads.folder)
                #expect(left.isEmpty, "the upload's file is removed: \(left)")
            }
        }
    }

    // The upkeep's database work is the conformance suite's (both engines); here, both stores.
    @Test(
        "a model kept in the database by an earlier release is served, moved by migrate, then verified", arguments: ModelStoreKind.available
    )
    func migrateVerify(models: ModelStoreKind) async throws {
        let harness = try await Harness.make(models: models)
        let maintenance = harness.useCases.modelMaintenance
        let store = harness.useCases.context.models
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let (id, hash) = try await uploaded(api, token: customer)
            // As an earlier release left it: the bytes in the database, none in the store.
            try await harness.store.write { tx in try await tx.keepInDatabase(modelBytes: Models.ring, hash: hash) }
            try await store.delete(hash: hash)

            var report = try await maintenance.verify()
            #expect(report.inDatabase == 1 && report.missing.isEmpty && report.healthy)
            let worker = try await api.signIn("operator@atelier.test")
            let served = try await api.call(.get, "/api/mes/orders/\(id)/model", token: worker, headers: ["Range": "bytes=10-19"])
            #expect(served.status == .partialContent && served.bytes == Array(Models.ring[10...19]), "read from the database copy")

            let moved = try await maintenance.migrate()
            #expect(moved.moved == 1 && moved.corrupt.isEmpty)
            #expect(try await store.bytes(hash: hash) == Models.ring)
            #expect(try await harness.store.reader.modelBytes(hash: hash) == nil)
            #expect(try await maintenance.migrate().moved == 0, "a second run has nothing left to move")

            report = try await maintenance.verify()
            #expect(report.inDatabase == 0 && report.healthy)
            #expect(report.checked >= 4, "the catalog's three models and the upload: \(report.checked)")

            // An object gone missing is named.
            try await store.delete(hash: hash)
            report = try await maintenance.verify()
            #expect(report.missing == [hash])
        }
    }

    @Test("verify names a file whose bytes no longer match its hash")
    func verifyFindsCorruption() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let (_, hash) = try await uploaded(api, token: customer)
            let root = harness.useCases.context.configuration.modelFolder
            let path = "\(root)/\(hash.prefix(2))/\(hash.dropFirst(2).prefix(2))/\(hash)"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[100] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let report = try await harness.useCases.modelMaintenance.verify()
            #expect(report.corrupt == [hash])
            #expect(!report.healthy)
        }
    }

    @Test(
        "gc removes what no order refers to once past the grace period, and never a referenced model", arguments: ModelStoreKind.available)
    func collection(models: ModelStoreKind) async throws {
        let clock = HandClock()
        let harness = try await Harness.make(time: clock, models: models)
        let store = harness.useCases.context.models
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let (_, referenced) = try await uploaded(api, token: customer)
            // An object nothing refers to: a put whose order never committed (a crash between the two).
            let orphan = try await harness.spool(Models.cube)
            try await store.put(hash: orphan.hash, fromFile: orphan.path)
            orphan.remove()

            var report = try await harness.useCases.modelMaintenance.collect(grace: .seconds(3600), dryRun: false)
            #expect(report.removed.isEmpty && report.young == 1, "a young orphan is kept: an upload may be about to refer to it")
            clock.advance(seconds: 2 * 3600)
            report = try await harness.useCases.modelMaintenance.collect(grace: .seconds(3600), dryRun: true)
            #expect(report.removed == [orphan.hash])
            #expect(try await store.size(hash: orphan.hash) != nil, "a dry run removes nothing")
            report = try await harness.useCases.modelMaintenance.collect(grace: .seconds(3600), dryRun: false)
            #expect(report.removed == [orphan.hash] && report.removedBytes == Int64(Models.cube.count))
            #expect(try await store.size(hash: orphan.hash) == nil)
            #expect(try await store.size(hash: referenced) != nil, "the order's model stays")
            #expect(try await harness.useCases.modelMaintenance.verify().healthy, "every catalog piece and order keeps its model")
        }
    }
}
