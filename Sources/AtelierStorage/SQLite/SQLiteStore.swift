import AtelierDomain
import Foundation
import GRDB
import Synchronization

/// The embedded store: one SQLite file in WAL mode.
///
/// Writes are serialized by an async lock around `BEGIN IMMEDIATE … COMMIT` on GRDB's writer
/// connection, so a use case can await inside its transaction; reads run concurrently on GRDB's
/// reader connections and never see uncommitted data.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    private let writeLock = AsyncMutex()
    let signals = JobSignals()
    let metrics = DatabaseMetrics(engine: "sqlite")

    /// Opens (creating if needed) the database at `path`.
    ///
    /// The file holds password hashes and webhook secrets: it is created readable and writable by
    /// its owner only (SQLite gives its `-wal` and `-shm` files the same mode), and an existing
    /// one is narrowed to that.
    public init(path: String) throws {
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StorageError.unavailable("cannot create the SQLite database in its folder")
            }
        }
        for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
            try? files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + suffix)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StorageError.unavailable("cannot open the SQLite database: \(error)")
        }
    }

    public var reader: any StoreReader { SQLAccess(SQLiteExecutor(pool: pool, inTransaction: false, enqueued: nil, metrics: metrics)) }

    public func migrate() async throws {
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await metrics.measure("db.transaction") { try await transaction(body) }
    }

    private func transaction<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        await writeLock.lock()
        defer { writeLock.unlock() }
        let enqueued = Flag()
        let executor = SQLiteExecutor(pool: pool, inTransaction: true, enqueued: enqueued, metrics: nil)
        try pool.syncWrite { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let result: T
        do {
            result = try await body(SQLAccess(executor))
            try pool.syncWrite { db in try db.execute(sql: "COMMIT") }
        } catch {
            try? pool.syncWrite { db in
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            }
            throw Self.translate(error)
        }
        if enqueued.isSet { signals.signal() }
        return result
    }

    public func jobSignals() -> AsyncStream<Void> { signals.subscribe() }

    /// Turns SQLite's constraint errors into ``StorageError/conflict(_:)``.
    static func translate(_ error: any Error) -> any Error {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return StorageError.conflict(error.message ?? "a uniqueness rule was violated")
        }
        return error
    }
}

/// Runs SQL on a reader connection, or on the writer inside the open transaction.
struct SQLiteExecutor: SQLExecutor {
    let pool: DatabasePool
    let inTransaction: Bool
    let enqueued: Flag?
    /// Set for reads outside a transaction (a transaction is measured as a whole).
    let metrics: DatabaseMetrics?

    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ values: [SQLValue]) async throws -> [SQLRow] {
        let arguments = StatementArguments(values.map(\.databaseValue))
        let read: @Sendable (Database) throws -> [SQLRow] = { db in
            // Each connection keeps its prepared statements: the same SQL is parsed once.
            try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: arguments).map(SQLRow.init(grdb:))
        }
        if inTransaction {
            do { return try pool.syncWrite(read) } catch { throw SQLiteStore.translate(error) }
        }
        // A read of an embedded database is a short stretch of CPU work: it runs on the calling thread
        // (GRDB's blocking read) rather than hopping to a reader queue and back, which cost more than the read.
        guard let metrics else { return try pool.syncRead(read) }
        return try await metrics.measure("db.query") { try pool.syncRead(read) }
    }

    func execute(_ sql: String, _ values: [SQLValue]) async throws {
        precondition(inTransaction, "writes happen inside Store.write")
        let arguments = StatementArguments(values.map(\.databaseValue))
        do {
            // One statement each (migrations run through GRDB's migrator), so every one can be cached.
            try pool.syncWrite { db in try db.cachedStatement(sql: sql).execute(arguments: arguments) }
        } catch {
            throw SQLiteStore.translate(error)
        }
    }

    func noteJobsEnqueued() async throws {
        enqueued?.set()
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case let .integer(value): value.databaseValue
        case let .real(value): value.databaseValue
        case let .text(value): value.databaseValue
        case let .blob(value): Data(value).databaseValue
        }
    }
}

extension SQLRow {
    init(grdb row: Row) {
        var values: [String: SQLValue] = [:]
        for (column, value) in row {
            // A NULL column is left out: the row's accessors read a missing column as NULL.
            switch value.storage {
            case .null: continue
            case let .int64(number): values[column] = .integer(number)
            case let .double(number): values[column] = .real(number)
            case let .string(text): values[column] = .text(text)
            case let .blob(data): values[column] = .blob([UInt8](data))
            }
        }
        self.init(values: values)
    }
}

extension DatabasePool {
    /// GRDB's blocking read, on the calling thread, without a transaction around it: every read
    /// through ``SQLExecutor`` is one statement, which SQLite runs on one snapshot anyway.
    func syncRead<T>(_ body: (Database) throws -> T) throws -> T {
        try unsafeRead(body)
    }

    /// The blocking write, for use inside the open transaction: the writer is ours alone then,
    /// so it runs at once on the calling thread.
    func syncWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction(body)
    }
}
