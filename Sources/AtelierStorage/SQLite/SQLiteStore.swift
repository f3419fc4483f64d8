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
    private let signals = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
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

    public var reader: any StoreReader { SQLiteAccess(pool: pool, mode: .read) }

    public func migrate() async throws {
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func write<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        await writeLock.lock()
        defer { writeLock.unlock() }
        let access = SQLiteAccess(pool: pool, mode: .write)
        try pool.syncWrite { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let result: T
        do {
            result = try await body(access)
            try pool.syncWrite { db in try db.execute(sql: "COMMIT") }
        } catch {
            try? pool.syncWrite { db in
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            }
            throw Self.translate(error)
        }
        if access.enqueued.load(ordering: .relaxed) { signalJobs() }
        return result
    }

    public func jobSignals() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        signals.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.signals.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    private func signalJobs() {
        for continuation in signals.withLock({ Array($0.values) }) { continuation.yield() }
    }

    /// Turns SQLite's constraint errors into ``StorageError/conflict(_:)``.
    static func translate(_ error: any Error) -> any Error {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return StorageError.conflict(error.message ?? "a uniqueness rule was violated")
        }
        return error
    }
}

/// Runs queries either on a reader (snapshot) or on the writer inside the open transaction.
final class SQLiteAccess: StoreTransaction {
    enum Mode { case read, write }

    let pool: DatabasePool
    let mode: Mode
    /// Set when this transaction enqueued a job.
    let enqueued = Atomic<Bool>(false)

    init(pool: DatabasePool, mode: Mode) {
        self.pool = pool
        self.mode = mode
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        switch mode {
        case .read:
            return try await pool.read(body)
        case .write:
            do {
                return try pool.syncWrite(body)
            } catch {
                throw SQLiteStore.translate(error)
            }
        }
    }
}

/// JSON helpers for columns holding encoded values.
enum ColumnJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension JSONEncoder {
    /// Encodes with sorted keys, so equal values give equal text.
    public static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

extension DatabasePool {
    /// The blocking write, for use inside the open transaction: the writer is ours alone then,
    /// so it runs at once on the calling thread.
    func syncWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction(body)
    }
}
