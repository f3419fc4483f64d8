import AtelierDomain
import AtelierGeometry
import AtelierObjectStore
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Processes: model files", .serialized)
struct UploadKillTests {
    @Test("a model store that cannot be used stops the start at once, saying why, without a secret")
    func startRefused() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-store-\(UUID().uuidString)").path
        let blocker = data + "-file"
        try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
        var cases: [([String: String], String)] = [
            (["ATELIER_MODEL_STORE": blocker + "/models"], "Cannot create the model folder"),
            (["ATELIER_MODEL_STORE": "models"], "must be an absolute folder path"),
            (["ATELIER_MODEL_STORE": "s3://Bad_Bucket"], "must look like s3://bucket/prefix"),
            (["ATELIER_MODEL_STORE": "s3://atelier"], "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        ]
        if let endpoint = ModelStoreKind.s3URL {
            let credentials = ["ATELIER_S3_ENDPOINT": endpoint, "AWS_ACCESS_KEY_ID": "atelier-test"]
            cases += [
                (
                    credentials.merging(["ATELIER_MODEL_STORE": "s3://atelier/x", "AWS_SECRET_ACCESS_KEY": "wrong-secret"]) { $1 },
                    "refused Atelier's credentials"
                ),
                (
                    credentials.merging([
                        "ATELIER_MODEL_STORE": "s3://no-such-bucket-here/x", "AWS_SECRET_ACCESS_KEY": "atelier-test-secret",
                    ]) {
                        $1
                    },
                    "does not exist"
                ),
                (
                    credentials.merging([
                        "ATELIER_MODEL_STORE": "s3://atelier/x", "AWS_SECRET_ACCESS_KEY": "atelier-test-secret",
                        "ATELIER_S3_ENDPOINT": "http://127.0.0.1:9",
                    ]) { $1 },
                    "unavailable"
                ),
            ]
        }
        for (environment, words) in cases {
            let (process, output) = try AtelierProcess.launch(["serve"], dataDirectory: data, environment: environment)
            let code = await AtelierProcess.exit(of: process)
            #expect(code != 0, "\(environment): \(output.text)")
            #expect(output.text.contains(words), "\(environment): \(output.text)")
            #expect(!output.text.contains("wrong-secret") && !output.text.contains("atelier-test-secret"), "no secret in \(output.text)")
        }
    }

    /// The settings of a process whose model files are in `kind`'s store (a new prefix of the test
    /// bucket for S3), and that store, to look into.
    func settings(_ kind: ModelStoreKind, data: String) throws -> ([String: String], any ModelStore) {
        switch kind {
        case .files:
            return ([:], try FileModelStore(root: data + "/models"))
        case .s3:
            let url = "s3://atelier/kill-\(UUID().uuidString.prefix(8).lowercased())"
            let environment = [
                "ATELIER_MODEL_STORE": url, "ATELIER_S3_ENDPOINT": ModelStoreKind.s3URL!, "AWS_ACCESS_KEY_ID": "atelier-test",
                "AWS_SECRET_ACCESS_KEY": "atelier-test-secret",
            ]
            return (
                environment,
                S3ModelStore(settings: try S3ModelStore.Settings(url: url, environment: environment), timeout: ModelStoreKind.s3Timeout)
            )
        }
    }

    @Test(
        "SIGKILL while uploads arrive, are stored and recorded: no order points at a missing or partial model, and the start clears what was left",
        arguments: ModelStoreKind.available)
    func killMidUpload(kind: ModelStoreKind) async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-upload-kill-\(UUID().uuidString)").path
        let (environment, models) = try settings(kind, data: data)
        let first = try await AtelierProcess.start(dataDirectory: data, environment: environment)
        let (status, session) = try await first.call(
            "POST", "/api/auth/sign-in", json: ["email": "customer@atelier.test", "password": "atelier-demo"])
        #expect(status == 200)
        let token = try #require(session["token"] as? String)
        func newOrder(on process: AtelierProcess) async throws -> String {
            let (_, created) = try await process.call("POST", "/api/shop/orders", token: token, json: ["material": "silver-925"])
            return try #require(created["id"] as? String)
        }
        let half = try await newOrder(on: first), busy = try await newOrder(on: first)

        // One upload that stops half-way: its file is being written when the process dies.
        let socket = try RawHTTP.connect(port: first.port, readTimeout: 5)
        defer { close(socket) }
        let head =
            "PUT /api/shop/orders/\(half)/model?filename=half.stl HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: 3000000\r\n\r\n"
        let body = [UInt8](repeating: 0x20, count: 1_500_000)
        for part in [Array(head.utf8), body] {
            var sent = 0
            while sent < part.count {
                let step = part[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard step > 0 else { throw HarnessError("the server closed the half upload") }
                sent += step
            }
        }
        let uploads = data + "/uploads"
        let written = try await waitFor(seconds: 10) {
            let sizes = try FileManager.default.contentsOfDirectory(atPath: uploads).compactMap {
                try FileManager.default.attributesOfItem(atPath: "\(uploads)/\($0)")[.size] as? Int
            }
            return sizes.contains { $0 >= ModelUploads.pieceSize } ? true : nil
        }
        #expect(written, "the half upload's first piece is on disk")

        // Whole uploads, one after the other, each a model of its own, until the process dies.
        let accepted = Counter()
        let uploader = Task {
            for round in 0..<10_000 {
                let model = MeshWriter.binarySTL(
                    MeshGenerator.torus(major: 9, minor: 1.2, segments: 96, sides: 24).soup, header: "kill \(round) \(UUID().uuidString)")
                guard
                    let (code, _) = try? await first.call("PUT", "/api/shop/orders/\(busy)/model?filename=r.stl", token: token, body: model)
                else { return }
                if code == 200 { accepted.add() }
            }
        }
        _ = try await waitFor(seconds: 30) { accepted.value >= 3 ? true : nil }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
        await first.kill()
        uploader.cancel()
        _ = await uploader.value

        // The start after the kill clears the uploads folder and the store's temporary files.
        let second = try await AtelierProcess.start(dataDirectory: data, environment: environment)
        defer { second.terminate() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: uploads).isEmpty, "the start removes the uploads left behind")
        if kind == .files {
            let temporary = FileManager.default.enumerator(atPath: data + "/models")?.allObjects.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".partial") }
            #expect(temporary?.isEmpty == true, "\(temporary ?? [])")
        }
        let database = try SQLiteStore(path: data + "/atelier.sqlite")
        let halfOrder = try #require(try await database.reader.order(id: half))
        #expect(halfOrder.status == .initiated && halfOrder.modelHash == nil, "the half upload recorded nothing")
        let busyOrder = try #require(try await database.reader.order(id: busy))
        #expect(busyOrder.status == .fileUploaded)
        // Every model an order refers to is in the store, whole: its bytes hash to its name.
        let referenced = try await database.reader.referencedModelHashes()
        #expect(referenced.count == 4, "the catalog's three pieces and the busy order's last model")
        for hash in referenced {
            let bytes = try #require(try await models.bytes(hash: hash), "the store holds \(hash)")
            #expect(sha256Hex(bytes) == hash)
        }
        // And the operator's command agrees.
        #expect(await second.stop() == 0)
        let (verify, output) = try AtelierProcess.launch(["models", "verify"], dataDirectory: data, environment: environment)
        let code = await AtelierProcess.exit(of: verify)
        #expect(code == 0, "\(output.text)")
        #expect(output.text.contains("Checked"), "\(output.text)")
    }
}

/// A count several tasks add to.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
