import Metrics
import Synchronization
import Tracing

/// Database operations in flight and their duration, per engine: the pool's use as the application sees it.
final class DatabaseMetrics: Sendable {
    let engine: String
    private let inFlight = Atomic<Int>(0)
    // Made once (the labels never change, and this runs on every database operation), so the
    // metrics system must be bootstrapped before a store is opened; `atelier serve` does that first.
    private let inFlightGauge: Gauge
    private let duration: Metrics.Timer

    init(engine: String) {
        self.engine = engine
        inFlightGauge = Gauge(label: "atelier_db_operations_in_flight", dimensions: [("engine", engine)])
        duration = Metrics.Timer(
            label: "atelier_db_operation_duration_seconds", dimensions: [("engine", engine)], preferredDisplayUnit: .seconds)
    }

    /// Measures one database operation (a read, or a whole transaction) and traces it as a span.
    func measure<T>(_ name: String = "db.operation", _ body: () async throws -> T) async rethrows -> T {
        inFlightGauge.record(inFlight.add(1, ordering: .relaxed).newValue)
        let started = ContinuousClock.now
        defer {
            inFlightGauge.record(inFlight.subtract(1, ordering: .relaxed).newValue)
            duration.record(duration: ContinuousClock.now - started)
        }
        return try await withSpan(name, ofKind: .client) { span in
            span.attributes["db.system"] = engine
            return try await body()
        }
    }
}

/// The statements one piece of work (a request) sends to the database, counted where it runs: on
/// PostgreSQL each is a round trip on the network, and a transaction adds two (`BEGIN`, `COMMIT`);
/// on SQLite they are calls into the embedded file, counted the same way for comparison. What the
/// request middleware reports per route (`atelier_http_db_round_trips_total`).
public final class DatabaseCalls: Sendable {
    @TaskLocal public static var current: DatabaseCalls?
    private let count = Atomic<Int>(0)

    public init() {}

    public var value: Int { count.load(ordering: .relaxed) }

    /// Counts `calls` for the work under way, if anything counts.
    static func add(_ calls: Int = 1) { current?.count.add(calls, ordering: .relaxed) }
}
