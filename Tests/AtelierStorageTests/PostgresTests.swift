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

    /// A store on `database` whose pool runs for the test.
    static func running(_ database: String, limits: PostgresStore.SessionLimits = .init()) throws -> (PostgresStore, Task<Void, Never>) {
        let store = try TestPostgres.open(TestPostgres.url!, database: database, limits: limits)
        return (store, Task { await store.run() })
    }

    @Test(
        "a frozen instance's transaction holds its locks only until the server ends it; others answer busy meanwhile, not unavailable",
        .enabled(if: TestPostgres.url != nil))
    func frozenTransaction() async throws {
        let database = try await TestPostgres.shared.freshDatabase()
        var frozenLimits = PostgresStore.SessionLimits()
        frozenLimits.idleInTransactionTimeout = .seconds(1)
        let (frozen, frozenTask) = try Self.running(database, limits: frozenLimits)
        var healthyLimits = PostgresStore.SessionLimits()
        healthyLimits.lockTimeout = .milliseconds(300)
        let (healthy, healthyTask) = try Self.running(database, limits: healthyLimits)
        defer {
            frozenTask.cancel()
            healthyTask.cancel()
        }
        try await insertCustomer(healthy)

        // The frozen instance changes a row and then stops, inside its transaction.
        let stuck = Task {
            try await frozen.write { tx in
                try await tx.update(userID: customer.userID, role: .seller)
                try await Task.sleep(for: .seconds(2))
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        do {
            try await healthy.write { tx in try await tx.update(userID: customer.userID, role: .operator) }
            Issue.record("the locked row was written")
        } catch let error as StorageError {
            guard case .busy = error else {
                Issue.record("a lock wait answered \(error), not busy")
                return
            }
        }
        #expect(ContinuousClock.now - started < .seconds(2), "the lock timeout, not the request deadline, ended the wait")
        // The healthy instance is not judged down: other work goes on at once.
        try await healthy.ping()
        _ = try await healthy.reader.user(id: customer.userID)

        // The server ends the frozen session after its idle limit; its locks go with it.
        try await Task.sleep(for: .milliseconds(1500))
        stuck.cancel()
        try await healthy.write { tx in try await tx.update(userID: customer.userID, role: .operator) }
        #expect(try await healthy.reader.user(id: customer.userID)?.role == .operator)
    }

    @Test(
        "connections the server ended (a crash, a restart, a failover) are replaced; what fails meanwhile is 'unavailable', never a failure",
        .enabled(if: TestPostgres.url != nil))
    func connectionsLost() async throws {
        let database = try await TestPostgres.shared.freshDatabase()
        let (store, task) = try Self.running(database)
        defer { task.cancel() }
        try await insertCustomer(store)
        try await TestPostgres.shared.terminateSessions(database: database)
        var succeeded = false
        for _ in 0..<20 where !succeeded {
            do {
                try await store.write { tx in try await tx.update(userID: customer.userID, role: .seller) }
                succeeded = true
            } catch let error as StorageError {
                guard case .unavailable = error else {
                    Issue.record("a lost connection answered \(error)")
                    return
                }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        #expect(succeeded, "the store wrote again on new connections")
        #expect(try await store.reader.user(id: customer.userID)?.role == .seller)
    }

    @Test(
        "two transactions inserting one idempotency key: the second is a conflict, never a failure", .enabled(if: TestPostgres.url != nil))
    func idempotencyRace() async throws {
        let store = try await TestPostgres.shared.freshStore()
        let record = IdempotencyRecord(scope: "s", key: "k", requestHash: "h", resultID: "r", createdAt: Date(), response: nil)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do {
                        try await store.write { tx in
                            try await tx.insert(idempotency: record)
                            try await Task.sleep(for: .milliseconds(200))
                        }
                        return "ok"
                    } catch let error as StorageError {
                        if case .conflict = error { return "conflict" }
                        return "other: \(error)"
                    } catch {
                        return "other: \(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.sorted() == ["conflict", "ok"])
    }
}
