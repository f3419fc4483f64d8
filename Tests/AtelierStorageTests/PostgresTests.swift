import AtelierStorage
import Foundation
import Logging
import Testing

@Suite("PostgreSQL")
struct PostgresTests {
    @Test("CI runs the conformance suite on PostgreSQL too")
    func configuredInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(TestPostgres.url != nil, "scripts/test must start PostgreSQL and set ATELIER_TEST_POSTGRES_URL")
        }
    }

    @Test("instances migrating at the same time take turns and all succeed", .enabled(if: TestPostgres.url != nil))
    func concurrentMigrations() async throws {
        let store = try await TestPostgres.shared.freshEmptyDatabase()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let instance = try TestPostgres.open(TestPostgres.url!, database: store)
                    let running = Task { await instance.run() }
                    defer { running.cancel() }
                    try await instance.migrate()
                }
            }
            try await group.waitForAll()
        }
        let instance = try TestPostgres.open(TestPostgres.url!, database: store)
        let running = Task { await instance.run() }
        defer { running.cancel() }
        #expect(try await instance.reader.statusCounts().values.allSatisfy { $0 == 0 })
    }

    @Test("an unreachable server is reported as unavailable, quickly")
    func unreachable() async throws {
        let store = try PostgresStore(url: "postgres://atelier@127.0.0.1:1/nowhere", logger: Logger(label: "test"))
        let running = Task { await store.run() }
        defer { running.cancel() }
        let started = ContinuousClock.now
        await #expect(throws: StorageError.self) { try await store.ping() }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a malformed URL is refused with what it should look like")
    func badURL() {
        #expect(throws: StorageError.self) { try PostgresStore(url: "mysql://x", logger: Logger(label: "test")) }
    }
}
