import AtelierDomain
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The embedded store: one SQLite file in WAL mode.
///
/// Writes are serialized by an async lock around `BEGIN IMMEDIATE … COMMIT` on GRDB's writer
/// connection, so a use case can await inside its transaction; reads run concurrently on GRDB's
/// reader connections and never see uncommitted data.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    let readers: SQLiteReaders
    /// Held shared while the store is open: `atelier restore` waits for no one and refuses instead.
    private let fileLock: DatabaseLock
    private let writeLock = AsyncMutex()
    let signals = JobSignals()
    let metrics = DatabaseMetrics(engine: "sqlite")
    private let columns = SQLiteColumns()

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
        for suffix in ["", "-wal", "-shm", ".lock"] where files.fileExists(atPath: path + suffix) {
            try? files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + suffix)
        }
        fileLock = try DatabaseLock(databasePath: path)
        guard fileLock.shared() else {
            throw StorageError.unavailable("the database is being restored (atelier restore); start again when it is done")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            readers = SQLiteReaders(path: path, busyTimeout: 10)
        } catch {
            throw StorageError.unavailable("cannot open the SQLite database: \(error)")
        }
    }

    public var reader: any StoreReader {
        SQLAccess(SQLiteExecutor(pool: pool, readers: readers, columns: columns, inTransaction: false, enqueued: nil, metrics: metrics))
    }

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
        let enqueued = EnqueuedQueues()
        let executor = SQLiteExecutor(pool: pool, readers: readers, columns: columns, inTransaction: true, enqueued: enqueued, metrics: nil)
        DatabaseCalls.add(2)  // BEGIN and COMMIT, as on PostgreSQL
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
        let queues = enqueued.all
        if !queues.isEmpty { signals.signal(queues: queues) }
        return result
    }

    public func jobSignals(queues: Set<String>) -> AsyncStream<Void> { signals.subscribe(queues: queues) }

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
    let readers: SQLiteReaders
    let columns: SQLiteColumns
    let inTransaction: Bool
    let enqueued: EnqueuedQueues?
    /// Set for reads outside a transaction (a transaction is measured as a whole).
    let metrics: DatabaseMetrics?

    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ values: [SQLValue]) async throws -> [SQLRow] {
        DatabaseCalls.add()
        let arguments = Self.arguments(values)
        let columns = self.columns
        let read: @Sendable (Database) throws -> [SQLRow] = { db in
            // Each connection keeps its prepared statements: the same SQL is parsed once.
            try Self.rows(of: try db.cachedStatement(sql: sql), sql: sql, arguments: arguments, columns: columns)
        }
        if inTransaction {
            do { return try pool.syncWrite(read) } catch { throw SQLiteStore.translate(error) }
        }
        // A read of an embedded database is a short stretch of CPU work: it runs on the calling thread
        // rather than hopping to a reader queue and back, which cost more than the read.
        guard let metrics else { return try readers.read(read) }
        return try await metrics.measure("db.query") { try readers.read(read) }
    }

    /// The rows of `statement`, read straight from SQLite into one array of values per row.
    ///
    /// GRDB's cursor steps the statement (with its checks, and its error when a step fails); the
    /// row's values are read from the statement it is positioned on. GRDB's own `Row` would also
    /// build a map of lowercased column names for every result, which cost as much as the read.
    /// The columns are taken after the first step: SQLite prepares a statement again there when
    /// the schema changed since, and a `SELECT *` may then have more of them.
    static func rows(of statement: Statement, sql: String, arguments: StatementArguments, columns cache: SQLiteColumns) throws
        -> [SQLRow]
    {
        let cursor = try DatabaseValue.fetchCursor(statement, arguments: arguments)
        let handle = statement.sqliteStatement
        var columns: SQLColumns?
        var rows: [SQLRow] = []
        while try cursor.next() != nil {
            let shared = columns ?? cache.columns(of: handle, sql: sql)
            columns = shared
            let width = CInt(shared.names.count)
            var cells: [SQLValue] = []
            cells.reserveCapacity(Int(width))
            for index in 0..<width {
                switch DatabaseValue(sqliteStatement: handle, index: index).storage {
                case .null: cells.append(.null)
                case let .int64(number): cells.append(.integer(number))
                case let .double(number): cells.append(.real(number))
                case let .string(text): cells.append(.text(text))
                case let .blob(data): cells.append(.blob([UInt8](data)))
                }
            }
            rows.append(SQLRow(columns: shared, cells: cells))
        }
        return rows
    }

    /// GRDB's arguments, built without its generic initializer (which makes a key path on every call).
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { $0.databaseValue as (any DatabaseValueConvertible)? })
    }

    func execute(_ sql: String, _ values: [SQLValue]) async throws {
        DatabaseCalls.add()
        precondition(inTransaction, "writes happen inside Store.write")
        let arguments = Self.arguments(values)
        do {
            // One statement each (migrations run through GRDB's migrator), so every one can be cached.
            try pool.syncWrite { db in try db.cachedStatement(sql: sql).execute(arguments: arguments) }
        } catch {
            throw SQLiteStore.translate(error)
        }
    }

    func queryWakingWorkers(_ statement: String, _ values: [SQLValue]) async throws -> [SQLRow] {
        // The store wakes this process's workers after the commit (SQLite has one process).
        let rows = try await query(statement, values)
        for row in rows { enqueued?.insert(try row.string("queue")) }
        return rows
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

/// The column names of each statement's result, kept per SQL text, so a row finds a column through
/// them without a map of its own. A `SELECT *` prepared again after a migration may have more
/// columns: a count that no longer matches reads the names again. (Atelier migrates before it
/// serves, so a column renamed under a running program is not looked for.)
final class SQLiteColumns: Sendable {
    private let known = Mutex<[String: SQLColumns]>([:])
    /// Statements are a fixed set of texts; the bound only keeps a mistake from growing it forever.
    private static let limit = 4_096

    /// The columns of the statement `handle`, prepared from `sql` and stepped to its first row.
    func columns(of handle: SQLiteStatement, sql: String) -> SQLColumns {
        let count = sqlite3_column_count(handle)
        if let columns = known.withLock({ $0[sql] }), columns.names.count == count { return columns }
        let columns = SQLColumns((0..<count).map { String(cString: sqlite3_column_name(handle, $0)) })
        known.withLock { known in
            if known.count >= Self.limit { known.removeAll() }
            known[sql] = columns
        }
        return columns
    }
}

/// Read-only connections for the reads outside a transaction, each taken by one read at a time.
///
/// GRDB's pool of readers checks the schema's version with a statement before every read and
/// takes two locks around it; a read here is one statement (one snapshot by itself), on a
/// connection taken from a list. Connections are opened when more reads run at once than are idle,
/// and at most `idleLimit` are kept.
final class SQLiteReaders: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])
    private let idleLimit = 8

    init(path: String, busyTimeout: TimeInterval) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        self.configuration = configuration
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection: DatabaseQueue
        if let taken = idle.withLock({ $0.popLast() }) {
            connection = taken
        } else {
            do {
                connection = try DatabaseQueue(path: path, configuration: configuration)
            } catch {
                throw StorageError.unavailable("cannot open the SQLite database: \(error)")
            }
        }
        defer {
            idle.withLock { idle in
                if idle.count < idleLimit { idle.append(connection) }
            }
        }
        return try connection.inDatabase(body)
    }
}

extension DatabasePool {
    /// The blocking write, for use inside the open transaction: the writer is ours alone then,
    /// so it runs at once on the calling thread.
    func syncWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction(body)
    }
}
