import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Logging
import PostgresNIO
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

    @Test(
        "a migration that cannot finish fails by its deadline instead of holding the instance's start for ever",
        .enabled(if: TestPostgres.url != nil))
    func stalledMigration() async throws {
        let database = try await TestPostgres.shared.freshEmptyDatabase()
        var components = URLComponents(string: TestPostgres.url!)!
        components.path = "/" + database
        // Another instance holds the migration lock and does not let go.
        let holder = PostgresClient(
            configuration: .init(
                host: components.host!, port: components.port!, username: components.user!, password: components.password,
                database: database,
                tls: .disable),
            backgroundLogger: Logger(label: "test"))
        let holderTask = Task { await holder.run() }
        defer { holderTask.cancel() }
        let locked = AsyncStream<Void>.makeStream()
        let holding = Task {
            try await holder.withConnection { connection in
                let lock = PostgresQuery(unsafeSQL: "SELECT pg_advisory_lock(\(PostgresStore.migrationLock))")
                _ = try await connection.query(lock, logger: Logger(label: "test")).collect()
                locked.continuation.yield()
                try await Task.sleep(for: .seconds(8))
            }
        }
        defer { holding.cancel() }
        for await _ in locked.stream { break }

        let waiting = try PostgresStore(url: components.string!, migrationTimeout: .seconds(2), logger: Logger(label: "test"))
        let waitingTask = Task { await waiting.run() }
        defer { waitingTask.cancel() }
        let started = ContinuousClock.now
        do {
            try await waiting.migrate()
            Issue.record("migrated while another instance held the lock")
        } catch let error as StorageError {
            guard case .unavailable = error else {
                Issue.record("a stalled migration answered \(error)")
                return
            }
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .seconds(2) && waited < .seconds(6), "gave up after \(waited)")
    }

    @Test("an unreachable server is reported as unavailable, quickly")
    func unreachable() async throws {
        let store = try PostgresStore(url: "postgres://atelier@127.0.0.1:1/nowhere", logger: Logger(label: "test"))
        let running = Task { await store.run() }
        defer { running.cancel() }
        let started = ContinuousClock.now
        await #expect(throws: StorageError.self) { try await store.ping() }
        // The store gives up by itself after its deadline (3.5 s alone on this machine), where the
        // pool alone would try again for ever. The bound only tells the two apart: at the test
        // process's start every test wants the two threads of the pool at once, and the deadline's
        // timer waits for one (27 s once, on a machine busy with other work).
        #expect(ContinuousClock.now - started < .seconds(90))
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
        // Long enough that a busy test process still gets its write in while the frozen one holds the row.
        frozenLimits.idleInTransactionTimeout = .seconds(5)
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
        let locked = AsyncStream<Void>.makeStream()
        let stuck = Task {
            try await frozen.write { tx in
                try await tx.update(userID: customer.userID, role: .seller)
                locked.continuation.yield()
                try await Task.sleep(for: .seconds(6))
            }
        }
        for await _ in locked.stream { break }
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
        #expect(
            ContinuousClock.now - started < .seconds(5),
            "the lock timeout, not the request deadline or the frozen session's end, ended the wait")
        // The healthy instance is not judged down: other work goes on at once.
        try await healthy.ping()
        _ = try await healthy.reader.user(id: customer.userID)

        // The server ends the frozen session after its idle limit; its locks go with it.
        try await Task.sleep(for: .milliseconds(5500))
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

    /// The test server's certificates (`scripts/postgres` makes them): `ca.crt` signed its certificate,
    /// `other-ca.crt` did not.
    static let tlsFolder = ProcessInfo.processInfo.environment["ATELIER_TEST_POSTGRES_TLS"]

    /// The test server's URL of `database` on `host`, with `query`.
    static func url(host: String, database: String, _ query: String) -> String {
        var components = URLComponents(string: TestPostgres.url!)!
        components.path = "/" + database
        components.host = host
        components.percentEncodedQuery = query
        return components.string!
    }

    @Test(
        "sslmode works as psql's: disable is plain, prefer and require encrypt, verify-full trusts only its CA and the host it names",
        .enabled(if: TestPostgres.url != nil && tlsFolder != nil))
    func tls() async throws {
        let folder = Self.tlsFolder!
        let database = try await TestPostgres.shared.freshDatabase()
        func url(host: String = "127.0.0.1", _ query: String) -> String { Self.url(host: host, database: database, query) }
        func encrypted(_ url: String) async throws -> Bool {
            let store = try PostgresStore(url: url, logger: Logger(label: "test-tls"))
            let running = Task { await store.run() }
            defer { running.cancel() }
            let viaProbe = try await store.probe()
            _ = try await store.reader.statusCounts()  // the pool connects the same way
            return viaProbe
        }
        #expect(try await encrypted(url("sslmode=disable")) == false)
        #expect(try await encrypted(url("sslmode=prefer")) == true)
        #expect(try await encrypted(url("sslmode=require")) == true)
        #expect(try await encrypted(url(host: "localhost", "sslmode=verify-full&sslrootcert=\(folder)/ca.crt")) == true)
        #expect(try await encrypted(url("sslmode=verify-ca&sslrootcert=\(folder)/ca.crt")) == true)

        func refusal(_ url: String) async -> String? {
            do {
                let store = try PostgresStore(url: url, logger: Logger(label: "test-tls"))
                try await store.probe()
                return nil
            } catch let error as StorageError where error.isRefusal {
                return error.description
            } catch {
                return "not a refusal: \(error)"
            }
        }
        // A certificate its CA did not sign is refused, however the mode asks to check it.
        for query in [
            "sslmode=verify-full&sslrootcert=\(folder)/other-ca.crt", "sslmode=verify-ca&sslrootcert=\(folder)/other-ca.crt",
            "sslmode=require&sslrootcert=\(folder)/other-ca.crt",
        ] {
            let message = await refusal(url(host: "localhost", query))
            #expect(message?.contains("the server's certificate was not accepted") == true, "\(query): \(message ?? "connected")")
        }
        // The system's roots do not know a private CA either.
        let untrusted = await refusal(url(host: "localhost", "sslmode=verify-full"))
        #expect(untrusted?.contains("certificate was not accepted") == true, "\(untrusted ?? "connected")")
        // Mistakes in the URL stop the start with what is wrong, and never the URL (it holds a password).
        let secretURL = url("sslmode=verify-all").replacingOccurrences(of: "atelier@", with: "atelier:hunter2@")
        for (query, expected) in [
            (
                "sslmode=verify-all",
                "sslmode in ATELIER_DATABASE_URL must be one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
            ("sslmode=verify-full&sslrootcert=\(folder)/missing.crt", "sslrootcert \(folder)/missing.crt cannot be read"),
            ("sslmode=disable&sslrootcert=\(folder)/ca.crt", "only used with sslmode=require, verify-ca or verify-full"),
            ("sslcompression=1", "a parameter Atelier does not know: \"sslcompression\""),
        ] {
            let message = await refusal(url(query))
            #expect(message?.contains(expected) == true, "\(query): \(message ?? "connected")")
        }
        let message = await refusal(secretURL)
        #expect(message != nil && !message!.contains("hunter2"))
    }

    @Test(
        "a wrong password or database is a refusal with the server's reason, not a server that is away",
        .enabled(if: TestPostgres.url != nil))
    func refusedLogin() async throws {
        var components = URLComponents(string: TestPostgres.url!)!
        components.path = "/no_such_database"
        let store = try PostgresStore(url: components.string!, logger: Logger(label: "test"))
        do {
            try await store.probe()
            Issue.record("connected to a database that does not exist")
        } catch let error as StorageError {
            #expect(error.isRefusal, "\(error)")
            #expect(error.description.contains("3D000") && error.description.contains("no_such_database"), "\(error)")
        }
    }
}
