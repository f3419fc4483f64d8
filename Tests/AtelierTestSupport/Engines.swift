import AtelierDomain
import AtelierStorage
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The storage engines every conformance test runs on: SQLite always, PostgreSQL when the test
/// command started a server (`ATELIER_TEST_POSTGRES_URL`; `scripts/test` always does).
package enum Engine: String, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres
    package var description: String { rawValue }

    package static var allCases: [Engine] { TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A fresh, migrated, empty database.
    package func makeStore() async throws -> any Store {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let store = try SQLiteStore(path: folder.appendingPathComponent("test.sqlite").path)
            try await store.migrate()
            return store
        case .postgres:
            return try await TestPostgres.shared.freshStore()
        }
    }
}

extension Order {
    /// This order as storage might hold it, with the given fields changed: the storage tests put
    /// rows in states directly, without the moves that lead there.
    package func stored(
        status: OrderStatus? = nil, trackingNumber: String? = nil, modelFilename: String? = nil, reference: String? = nil
    ) -> Order {
        Order.restored(
            id: id, customerID: customerID, status: status ?? self.status, statusSince: statusSince, materialCode: materialCode,
            finishCodes: finishCodes, catalogItemID: catalogItemID, modelHash: modelHash,
            modelFilename: modelFilename ?? self.modelFilename,
            assigneeID: assigneeID, assigneeName: assigneeName, trackingNumber: trackingNumber ?? self.trackingNumber,
            cancelReason: cancelReason, promisedBy: promisedBy, traceContext: traceContext, channel: channel,
            reference: reference ?? self.reference,
            createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// A clock the test moves by hand.
package final class TestClock: TimeSource, Sendable {
    private let current: Mutex<Date>
    package init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    package func now() -> Date { current.withLock { $0 } }
    package func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

package let customer = Principal(userID: "u-customer", role: .customer, name: "Clara")

package func insertCustomer(_ store: any Store) async throws {
    try await store.write { tx in
        try await tx.insert(
            user: UserAccount(
                id: customer.userID, email: "clara@example.com", name: "Clara Customer", role: .customer,
                passwordHash: "x", createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
    }
}

/// Inserts `count` orders one millisecond apart, ids `o-0000`…
@discardableResult
package func insertOrders(_ store: any Store, count: Int, status: OrderStatus = .initiated) async throws -> [Order] {
    try await store.write { tx in
        var orders: [Order] = []
        for i in 0..<count {
            let order = Order(
                id: String(format: "o-%04d", i), customerID: customer.userID, materialCode: "gold-585", finishCodes: ["polish"],
                createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i) / 1000)
            ).stored(status: status)
            try await tx.insert(order: order)
            orders.append(order)
        }
        return orders
    }
}

/// Fresh PostgreSQL databases for tests, copied from a migrated template (fast: no migration per test).
package actor TestPostgres {
    package static let shared = TestPostgres()
    package static let url = ProcessInfo.processInfo.environment["ATELIER_TEST_POSTGRES_URL"]

    /// Made once per test process; every test that needs it awaits the same task.
    private var template: Task<String, any Error>?

    package func freshStore() async throws -> PostgresStore {
        guard let url = Self.url else { throw StorageError.unavailable("ATELIER_TEST_POSTGRES_URL is not set") }
        let store = try Self.open(url, database: try await freshDatabase())
        Task { await store.run() }  // lives as long as the test process
        return store
    }

    /// The name of a fresh database, copied from the migrated template.
    package func freshDatabase() async throws -> String {
        guard let url = Self.url else { throw StorageError.unavailable("ATELIER_TEST_POSTGRES_URL is not set") }
        if template == nil {
            template = Task {
                let name = "template_\(ProcessInfo.processInfo.processIdentifier)"
                try await self.admin(url, "DROP DATABASE IF EXISTS \(name)")
                try await self.admin(url, "CREATE DATABASE \(name)")
                let store = try Self.open(url, database: name)
                let running = Task { await store.run() }
                try await store.migrate()
                running.cancel()
                await running.value
                return name
            }
        }
        let templateName = try await template!.value
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(url, "CREATE DATABASE \(name) TEMPLATE \(templateName)")
        return name
    }

    /// A new database with no schema.
    package func freshEmptyDatabase() async throws -> String {
        guard let url = Self.url else { throw StorageError.unavailable("ATELIER_TEST_POSTGRES_URL is not set") }
        let name = "e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(url, "CREATE DATABASE \(name)")
        return name
    }

    /// Runs a statement that cannot run in a transaction (`CREATE DATABASE`) on the server's `postgres`
    /// database; a server that does not answer within a minute fails the test instead of holding it.
    private func admin(_ url: String, _ statement: String) async throws {
        let components = URLComponents(string: url)!
        let configuration = PostgresClient.Configuration(
            host: components.host!, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: "postgres", tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "test-postgres"))
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await client.run()
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw StorageError.unavailable("the test server did not run `\(statement)` within 60 s")
            }
            group.addTask {
                do {
                    _ = try await client.query(PostgresQuery(unsafeSQL: statement)).collect()
                    return true
                } catch let error as PSQLError {
                    throw StorageError.failed("\(statement): \(error.serverInfo?[.message] ?? String(reflecting: error))")
                }
            }
            while let done = try await group.next(), !done {}
            group.cancelAll()
        }
    }

    package static func open(_ url: String, database: String, limits: PostgresStore.SessionLimits = .init()) throws -> PostgresStore {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        // A stalled migration fails the tests that need it within a minute instead of holding them for ever.
        // A connection may take longer than production's 3 s wait while the whole suite runs on two
        // cores: the tests that assert the wait set their own.
        return try PostgresStore(
            url: components.string!, maxConnections: 4, timeout: .seconds(15), migrationTimeout: .seconds(60), limits: limits,
            logger: Logger(label: "test-postgres"))
    }

    /// Lets sessions connect to `database`, or refuses them (a database away, to its clients).
    package func allowConnections(database: String, _ allowed: Bool) async throws {
        guard let url = Self.url else { return }
        try await admin(url, "ALTER DATABASE \(database) ALLOW_CONNECTIONS \(allowed)")
    }

    /// Ends every other session on `database`, as a crash or a failover would.
    package func terminateSessions(database: String) async throws {
        guard let url = Self.url else { return }
        try await admin(
            url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
    }
}
