import AtelierDomain
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The remaining findings of the review, each with its test.
@Suite("Hardening: files, demo data, replays, slow clients")
struct HardeningTests {
    @Test("the SQLite database and its journal are readable and writable by their owner only")
    func ownerOnlyFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("atelier.sqlite").path
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o077 } == 0, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test("demo users with the published password load only on a loopback instance, unless asked for")
    func demoDataOnLoopbackOnly() throws {
        #expect(try AtelierConfiguration.fromEnvironment([:]).loadDemoData)
        #expect(try AtelierConfiguration.fromEnvironment(["ATELIER_HOST": "localhost"]).loadDemoData)
        #expect(try !AtelierConfiguration.fromEnvironment(["ATELIER_HOST": "0.0.0.0"]).loadDemoData)
        #expect(try !AtelierConfiguration.fromEnvironment(["ATELIER_HOST": "10.0.0.5"]).loadDemoData)
        #expect(try AtelierConfiguration.fromEnvironment(["ATELIER_HOST": "0.0.0.0", "ATELIER_DEMO": "1"]).loadDemoData)
        #expect(try !AtelierConfiguration.fromEnvironment(["ATELIER_DATABASE_URL": "postgres://a@127.0.0.1/b"]).loadDemoData)
    }

    @Test("replays are limited per partner and hour")
    func replayLimit() async throws {
        let harness = try await Harness.make { $0.webhookPolicy.replaysPerHour = 2 }
        let (partner, _) = try await harness.partner()
        for _ in 0..<2 {
            await #expect(throws: DomainError.self) {
                try await harness.useCases.webhooks.replay(deliveryID: 999, partner: partner.principal)
            }
        }
        await #expect(throws: RateLimited.self) { try await harness.useCases.webhooks.replay(deliveryID: 999, partner: partner.principal) }
        let (other, _) = try await harness.partner(name: "Other")
        await #expect(throws: DomainError.self) { try await harness.useCases.webhooks.replay(deliveryID: 999, partner: other.principal) }
    }

    @Test("a client that sends half a request and then nothing is disconnected after the idle timeout")
    func halfSentRequest() async throws {
        let harness = try await Harness.make()
        try await harness.live { _, port in
            let closedAfter = try await onOwnThread { () throws -> Double in
                let fd = try RawHTTP.connect(port: port, readTimeout: 40)
                defer { close(fd) }
                let partial = Array("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
                _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                let started = Date()
                var buffer = [UInt8](repeating: 0, count: 256)
                while recv(fd, &buffer, buffer.count, 0) > 0 {}
                return Date().timeIntervalSince(started)
            }
            #expect(closedAfter >= 10 && closedAfter < 30, "closed after \(closedAfter) s")
        }
    }
}
