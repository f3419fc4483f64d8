import AtelierObjectStore
import AtelierStorage
import AtelierTestSupport
import Crypto
import Foundation
import NIOCore
import Testing

/// A file of `count` pseudo-random bytes and its SHA-256.
func modelFile(_ count: Int, seed: UInt64 = 1) throws -> (path: String, hash: String, bytes: [UInt8]) {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: count)
    for index in bytes.indices {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).stl").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (path, SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined(), bytes)
}

@Suite("Model store conformance")
struct ModelStoreTests {
    @Test("CI runs the model store suite on the real S3 server too")
    func configuredInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(ModelStoreKind.s3URL != nil, "scripts/test must start SeaweedFS and set ATELIER_TEST_S3_URL")
        }
    }

    @Test("a model put is read back whole, by its hash, once however often it is put", arguments: ModelStoreKind.available)
    func roundTrip(kind: ModelStoreKind) async throws {
        let store = try kind.make()
        let file = try modelFile(3_000_017)  // several chunks, not a multiple of any
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        #expect(try await store.size(hash: file.hash) == nil)
        #expect(try await store.read(hash: file.hash, range: nil) == nil)
        try await store.put(hash: file.hash, fromFile: file.path)
        try await store.put(hash: file.hash, fromFile: file.path)
        #expect(try await store.size(hash: file.hash) == Int64(file.bytes.count))
        var chunks = 0
        var read: [UInt8] = []
        for try await chunk in try #require(try await store.read(hash: file.hash, range: nil)) {
            chunks += 1
            read.append(contentsOf: chunk.readableBytesView)
        }
        #expect(read == file.bytes)
        #expect(chunks > 1, "read in chunks, not whole")
        #expect(try await store.hashes() == [file.hash])
        #expect(FileManager.default.fileExists(atPath: file.path), "the uploaded file is left to its owner")
    }

    @Test("a range is the bytes it names, cut at the end", arguments: ModelStoreKind.available)
    func ranges(kind: ModelStoreKind) async throws {
        let store = try kind.make()
        let file = try modelFile(1000, seed: 2)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        try await store.put(hash: file.hash, fromFile: file.path)
        func bytes(_ range: ClosedRange<Int64>) async throws -> [UInt8] {
            var out: [UInt8] = []
            for try await chunk in try #require(try await store.read(hash: file.hash, range: range)) { out += chunk.readableBytesView }
            return out
        }
        #expect(try await bytes(10...19) == Array(file.bytes[10...19]))
        #expect(try await bytes(990...5000) == Array(file.bytes[990...]))
        #expect(try await bytes(0...0) == [file.bytes[0]])
    }

    @Test(
        "delete removes one model and is no error for a missing one; names that are no hash are refused",
        arguments: ModelStoreKind.available)
    func deleteAndNames(kind: ModelStoreKind) async throws {
        let store = try kind.make()
        let one = try modelFile(100, seed: 3), two = try modelFile(200, seed: 4)
        defer { for f in [one, two] { try? FileManager.default.removeItem(atPath: f.path) } }
        try await store.put(hash: one.hash, fromFile: one.path)
        try await store.put(hash: two.hash, fromFile: two.path)
        #expect(Set(try await store.hashes()) == [one.hash, two.hash])
        try await store.delete(hash: one.hash)
        try await store.delete(hash: one.hash)
        #expect(try await store.size(hash: one.hash) == nil)
        #expect(try await store.bytes(hash: two.hash) == two.bytes)
        for name in ["../../etc/passwd", String(repeating: "A", count: 64), "abc", String(repeating: "0", count: 63) + "/"] {
            await #expect(throws: ModelStoreError.invalidHash) { try await store.size(hash: name) }
        }
    }

    @Test("a copy cut off mid-way leaves no model under a real name, and its leftovers are cleared")
    func crashLeavesNoHalfFile() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)").path
        let store = try FileModelStore(root: root)
        let file = try modelFile(5000, seed: 5)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        // What a process killed while copying leaves: a temporary file beside the real name.
        let folder = "\(root)/\(file.hash.prefix(2))/\(file.hash.dropFirst(2).prefix(2))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A process of this machine that is gone (no process has pid 2^22 + 1, above Linux's
        // largest), one still copying (this test's own process), one of another machine.
        let host = FileModelStore.writer.prefix(upTo: FileModelStore.writer.lastIndex(of: "-")!)
        let dead = "\(folder)/.\(file.hash).\(host)-4194305.a1b2c3d4.partial"
        let copying = "\(folder)/.\(file.hash).\(FileModelStore.writer).e5f6a7b8.partial"
        let elsewhere = "\(folder)/.\(file.hash).othermachine-4194305.c9d0e1f2.partial"
        for path in [dead, copying, elsewhere] { try Data(file.bytes.prefix(1000)).write(to: URL(fileURLWithPath: path)) }
        #expect(try await store.size(hash: file.hash) == nil)
        #expect(try await store.hashes().isEmpty)
        #expect(try await store.removeTemporaryFiles() == 1, "only the dead writer's: the others may still be copying")
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: copying) && FileManager.default.fileExists(atPath: elsewhere))
        #expect(try await store.removeTemporaryFiles(now: Date().addingTimeInterval(FileModelStore.abandonedAfter + 60)) == 2, "an hour on")
        try await store.put(hash: file.hash, fromFile: file.path)
        #expect(try await store.bytes(hash: file.hash) == file.bytes)
    }

    @Test(
        "a wrong secret, a missing bucket and a server that is not there are told apart, with what to check",
        .enabled(if: ModelStoreKind.s3URL != nil))
    func s3Failures() async throws {
        let file = try modelFile(100, seed: 6)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        func failure(_ store: any ModelStore) async -> ModelStoreError? {
            do {
                try await store.put(hash: file.hash, fromFile: file.path)
                return nil
            } catch let error as ModelStoreError {
                return error
            } catch {
                return .unavailable("not a model store error: \(error)")
            }
        }
        let badSecret = await failure(try ModelStoreKind.s3.make(secret: "not-the-secret"))
        guard case let .misconfigured(message) = badSecret else {
            Issue.record("a wrong secret: \(String(describing: badSecret))")
            return
        }
        #expect(message.contains("refused Atelier's credentials") && message.contains("AWS_SECRET_ACCESS_KEY"), "\(message)")
        // The start asks for the bucket (some servers, SeaweedFS among them, make a bucket on the first write).
        let bucket = "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"
        let unchecked = try #require(try ModelStoreKind.s3.make(bucket: bucket) as? S3ModelStore)
        var noBucket: ModelStoreError?
        do { try await unchecked.check() } catch let error as ModelStoreError { noBucket = error }
        guard case let .misconfigured(missing) = noBucket else {
            Issue.record("a missing bucket: \(String(describing: noBucket))")
            return
        }
        #expect(missing.contains(bucket) && missing.contains("does not exist"), "\(missing)")
        let down = await failure(try ModelStoreKind.s3.make(endpoint: "http://127.0.0.1:9"))
        guard case .unavailable = down else {
            Issue.record("a server that is not there: \(String(describing: down))")
            return
        }
        for (url, expected) in [
            ("s3://Bad_Bucket/x", "ATELIER_MODEL_STORE must look like s3://bucket/prefix"), ("http://bucket/x", "must look like s3://"),
        ] {
            #expect(throws: ModelStoreError.self) {
                try S3ModelStore.Settings(url: url, environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"])
            }
            do {
                _ = try S3ModelStore.Settings(url: url, environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"])
            } catch {
                #expect("\(error)".contains(expected))
            }
        }
        #expect(throws: ModelStoreError.misconfigured("an S3 model store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")) {
            try S3ModelStore.Settings(url: "s3://atelier/models", environment: [:])
        }
    }
}
