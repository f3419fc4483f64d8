import AtelierDomain
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// The distributed store: PostgreSQL through PostgresNIO's connection pool.
///
/// Row locks (`FOR UPDATE`) serialize changes of one order across instances; workers claim jobs
/// with `FOR UPDATE SKIP LOCKED`; `NOTIFY atelier_jobs` in the enqueueing transaction wakes idle
/// workers everywhere at commit (polling remains the fallback). ``run()`` must be running while
/// the store is used.
public final class PostgresStore: Store {
    static let channel = "atelier_jobs"
    /// The advisory lock instances take turns on to migrate.
    public static let migrationLock = 7_271_027
    let client: PostgresClient
    let settings: PostgresURL
    let startupParameters: [(String, String)]
    let logger: Logger
    let signals = JobSignals()
    let breaker = CircuitBreaker()
    let metrics = DatabaseMetrics(engine: "postgres")
    /// Longest wait for one read or one whole transaction; past it the caller gets ``StorageError/unavailable(_:)``.
    let timeout: Duration
    /// Longest wait for ``migrate()``, turns behind other instances included.
    let migrationTimeout: Duration
    /// The server's own limits on every connection: a lock wait, a statement, a transaction left
    /// idle (a frozen instance's transaction is ended by the server and its locks released).
    public struct SessionLimits: Sendable {
        public var lockTimeout: Duration = .seconds(1)
        public var statementTimeout: Duration = .seconds(3)
        public var idleInTransactionTimeout: Duration = .seconds(10)
        public init() {}
    }

    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database`, with `sslmode` and `sslrootcert`
    ///     as libpq reads them (``PostgresURL``)
    ///   - maxConnections: size of the connection pool of this instance
    ///   - timeout: longest wait for one read or one transaction (a database that does not answer fails fast)
    ///   - migrationTimeout: longest wait for the migrations: an instance whose migration stalls
    ///     (its transaction ended by the server while the instance was frozen, say) fails to start
    ///     and is started again by its supervisor, rather than waiting for ever
    ///   - limits: `lock_timeout`, `statement_timeout` and `idle_in_transaction_session_timeout` of
    ///     every connection; the server cancels a statement past its limit itself, so this
    ///     instance's own deadline (`timeout`, kept a little longer) is only for a server that is gone
    public init(
        url: String, maxConnections: Int = 10, timeout: Duration = .seconds(3), migrationTimeout: Duration = .seconds(600),
        limits: SessionLimits = SessionLimits(), logger: Logger
    ) throws {
        let settings = try PostgresURL(url)
        var configuration = try settings.clientConfiguration()
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(3)
        func milliseconds(_ duration: Duration) -> String {
            String(max(1, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000))
        }
        configuration.options.additionalStartupParameters = [
            ("lock_timeout", milliseconds(limits.lockTimeout)),
            ("statement_timeout", milliseconds(limits.statementTimeout)),
            ("idle_in_transaction_session_timeout", milliseconds(limits.idleInTransactionTimeout)),
        ]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.settings = settings
        self.startupParameters = configuration.options.additionalStartupParameters
        self.logger = logger
        // The server's statement limit answers first; this one is for a server that answers nothing.
        self.timeout = max(timeout, limits.statementTimeout + .milliseconds(500))
        self.migrationTimeout = migrationTimeout
    }

    /// Runs the connection pool and the `LISTEN` loop until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listen() }
        }
    }

    /// Keeps one connection listening for job notifications, reconnecting after failures.
    private func listen() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        delay = .milliseconds(100)
                        self.breaker.reset()
                        self.signals.signal(queues: nil)  // anything committed while we were not listening
                        for try await notification in notifications {
                            // The payload names the queue; an empty one (an older instance) wakes every worker.
                            self.signals.signal(queues: notification.payload.isEmpty ? nil : [notification.payload])
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                breaker.trip()
                logger.debug("job notifications interrupted; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    public var reader: any StoreReader { SQLAccess(PostgresExecutor(target: .client(client, self), logger: logger)) }

    /// Opens one connection of its own, as the pool would, and asks the server whether it is
    /// encrypted. Unlike ``ping()`` it reports why a connection cannot be made (the pool only says
    /// that it could not): a wrong password, an untrusted certificate, a server without TLS are
    /// ``StorageError/refused(_:)``, a server that is not there ``StorageError/unavailable(_:)``.
    /// - Returns: whether the connection uses TLS.
    @discardableResult
    public func probe() async throws -> Bool {
        var settings = try self.settings.connectionConfiguration()
        settings.options.additionalStartupParameters = startupParameters
        let (configuration, logger) = (settings, logger)
        return try await withTimeout(timeout) {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            do {
                let rows = try await connection.query(
                    "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)", logger: logger
                ).collect()
                try await connection.close()
                return try rows.first?.decode(Bool.self) ?? false
            } catch {
                try? await connection.close()
                throw error
            }
        }
    }

    public func ping() async throws {
        let (client, logger) = (client, logger)
        try await translating { _ = try await client.query("SELECT 1", logger: logger).collect() }
    }

    /// Runs `body`, translating errors, and gives up after ``timeout``.
    func translating<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !breaker.isOpen else { throw StorageError.unavailable("PostgreSQL is unreachable; retrying shortly") }
        do {
            return try await metrics.measure { try await withTimeout(timeout, body) }
        } catch let error as StorageError {
            switch error {
            case .unavailable, .refused: breaker.trip()
            default: break
            }
            throw error
        }
    }

    /// Runs `body`, translating errors, and answers by `timeout` at the latest, even when `body`
    /// does not end when cancelled (a statement sent on a connection the server has just closed
    /// can wait for ever in the driver): the caller then gets ``StorageError/unavailable(_:)`` and
    /// `body`, cancelled, is left to end on its own.
    private func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation) {
                    Task { race.settle(await Result(catching: { try await self.translated(body) })) }
                } timer: {
                    Task {
                        try? await Task.sleep(for: timeout)
                        race.settle(.failure(StorageError.unavailable("PostgreSQL did not answer within \(timeout)")))
                    }
                }
            }
        } onCancel: {
            race.cancel()
        }
    }

    public func jobSignals(queues: Set<String>) -> AsyncStream<Void> { signals.subscribe(queues: queues) }

    /// The claim is one statement: it runs on its own (autocommit), without a transaction's extra round trips.
    public func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord] {
        try await SQLAccess(PostgresExecutor(target: .client(client, self), logger: logger)).claimJobs(
            queues: queues, worker: worker, limit: limit, now: now, leaseUntil: leaseUntil)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        // A deadlock or serialization failure is the database asking us to try again.
        var attempt = 0
        let (client, logger) = (client, logger)
        while true {
            attempt += 1
            do {
                DatabaseCalls.add(2)  // BEGIN and COMMIT
                return try await translating {
                    try await client.withTransaction(logger: logger) { connection in
                        try await body(SQLAccess(PostgresExecutor(target: .connection(connection), logger: logger)))
                    }
                }
            } catch let error as StorageError where error.isRetryable && attempt < 3 {
                continue
            }
        }
    }

    public func migrate() async throws {
        let (client, logger) = (client, logger)
        try await withTimeout(migrationTimeout) {
            try await client.withTransaction(logger: logger) { connection in
                let sql = PostgresExecutor(target: .connection(connection), logger: logger)
                // Instances starting together take turns here, however long the one before takes:
                // a migration is not a request, and no request's limits apply to it.
                try await sql.execute("SET LOCAL lock_timeout = 0", [])
                try await sql.execute("SET LOCAL statement_timeout = 0", [])
                try await sql.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", [])
                // The migrations' own locks wait 5 s at most: an ALTER queued behind a long
                // transaction would otherwise hold every query of the running version behind it.
                // Past that the migration fails whole (and the instance with it, to start again).
                try await sql.execute("SET LOCAL lock_timeout = '5s'", [])
                try await sql.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", [])
                let applied = Set(try await sql.query("SELECT version FROM schema_migrations", []).map { try $0.string("version") })
                for migration in Schema.migrations where !applied.contains(migration.version) {
                    for statement in Schema.statements(Schema.render(migration.sql, for: .postgres)) {
                        try await sql.execute(statement, [])
                    }
                    try await sql.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", migration.version, Date())
                }
            }
        }
    }

    /// Maps PostgresNIO's errors to ``StorageError``; a failed transaction rethrows its cause.
    func translated<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            let cause: any Error = error.closureError ?? error.beginError ?? error.commitError ?? error
            if let cause = cause as? PSQLError { throw StorageError(cause) }
            throw cause
        } catch let error as PSQLError {
            throw StorageError(error)
        } catch let error as NIOSSLError {
            throw StorageError.tls(error)
        } catch  where String(describing: type(of: error)).contains("ConnectionPoolError") {
            // The pool's own errors (circuit breaker open, request cancelled): the server is out of reach.
            throw StorageError.unavailable("PostgreSQL cannot be reached (\(error))")
        }
    }
}

extension StorageError {
    init(_ error: PSQLError) {
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "database error \(state)"
            switch state {
            // A wrong user, password or database, or no pg_hba.conf line for this instance.
            case "28P01", "28000", "3D000": self = .refused("PostgreSQL refused this instance (\(state)): \(message)")
            case "23505", "23503": self = .conflict(message)
            case "40001", "40P01": self = .retry(message)
            // A lock not granted within lock_timeout, a statement past statement_timeout: another
            // transaction holds what this one needs. Not a sign that the server is away.
            case "55P03", "57014": self = .busy(message)
            // Connection lost, server shutting down or crashed, out of connections or resources,
            // this session ended for idling in a transaction, a server that has just become a
            // standby refusing writes (25006, a failover): try again shortly.
            case _
            where state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") || state.hasPrefix("58")
                || state == "25P03" || state == "25006":
                self = .unavailable("\(state): \(message)")
            default: self = .failed("\(state): \(message)")
            }
        } else if error.code == .sslUnsupported {
            self = .refused("PostgreSQL does not offer TLS, and sslmode in ATELIER_DATABASE_URL asks for it")
        } else if let tls = error.underlying as? NIOSSLError {
            self = .tls(tls)
        } else if let underlying = error.underlying, String(reflecting: type(of: underlying)).contains("BoringSSL") {
            self = .refused("TLS with PostgreSQL failed: \(underlying)")
        } else {
            self = .unavailable("PostgreSQL cannot be reached (\(error.code))")
        }
    }

    /// A TLS failure: the server's certificate not trusted or not naming the host, most often.
    static func tls(_ error: NIOSSLError) -> StorageError {
        .refused(
            "TLS with PostgreSQL failed, the server's certificate was not accepted (check sslrootcert and that the certificate names the host of ATELIER_DATABASE_URL): \(error)"
        )
    }

    var isRetryable: Bool {
        if case .retry = self { return true }
        return false
    }
}

/// The work and the timer of ``PostgresStore/withTimeout(_:)``: whichever ends first answers the
/// caller; the work is then cancelled.
final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        /// The caller was cancelled before the work started.
        var cancelled = false
    }
    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T, any Error>, work: () -> Task<Void, Never>, timer: () -> Task<Void, Never>
    ) {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.continuation = continuation }
            return state.cancelled
        }
        if cancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        let work = work()
        let timer = timer()
        state.withLock { state in
            state.work = work
            state.timer = timer
        }
    }

    func settle(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let continuation else { return }
        continuation.resume(with: result)
        work?.cancel()
        timer?.cancel()
    }

    func cancel() {
        state.withLock { $0.cancelled = true }
        settle(.failure(CancellationError()))
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Runs SQL on the pool (reads) or on the connection of the open transaction.
struct PostgresExecutor: SQLExecutor {
    enum Target: Sendable {
        /// A read on the pool, under the store's timeout.
        case client(PostgresClient, PostgresStore)
        /// A statement inside the open transaction (the transaction as a whole has the timeout).
        case connection(PostgresConnection)
    }

    let target: Target
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    var inTransaction: Bool {
        if case .connection = target { return true }
        return false
    }

    func query(_ sql: String, _ values: [SQLValue]) async throws -> [SQLRow] {
        DatabaseCalls.add()
        let query = PostgresQuery(unsafeSQL: dialect.placeholders(sql), binds: Self.bindings(values))
        switch target {
        case let .client(client, store):
            return try await store.translating { try await Self.collect(try await client.query(query, logger: logger)) }
        case let .connection(connection):
            return try await Self.collect(try await connection.query(query, logger: logger))
        }
    }

    func execute(_ sql: String, _ values: [SQLValue]) async throws {
        _ = try await query(sql, values)
    }

    func queryWakingWorkers(_ statement: String, _ values: [SQLValue]) async throws -> [SQLRow] {
        // The notification rides in the same statement (one round trip); the server delivers it
        // to every listening instance when the transaction commits, one per queue (it folds a
        // transaction's identical notifications into one).
        try await query(
            """
            WITH changed AS (\(statement))
            SELECT id, queue FROM changed, LATERAL (SELECT pg_notify('\(PostgresStore.channel)', changed.queue)) AS woken
            """, values)
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [SQLRow] {
        var result: [SQLRow] = []
        var columns: SQLColumns?
        for try await row in rows {
            // Every row of a result has the same columns: their names are read once.
            let shared = columns ?? SQLColumns(row.map { $0.columnName })
            columns = shared
            result.append(SQLRow(columns: shared, cells: try row.map(Self.value(of:))))
        }
        return result
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case let .integer(number): bindings.append(number)
            case let .real(number): bindings.append(number)
            case let .text(text): bindings.append(text)
            case let .blob(bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return bindings
    }
}

extension PostgresExecutor {
    /// One cell as an ``SQLValue``, by its PostgreSQL type.
    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8: return .integer(try cell.decode(Int64.self))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .float8, .float4: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }
}
