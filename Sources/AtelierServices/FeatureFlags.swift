import AtelierDomain
import AtelierStorage
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Tracing

/// The one evaluation API of the program, shaped like OpenFeature's client: a declared flag, an
/// evaluation context (whom it is asked about) and a default on every call. It answers from the
/// flags this instance last read, in memory (no database on the path; `atelier bench flags` times
/// it), counts every answer per flag, variant and reason, and keeps answering from what it last
/// read while the database is away. ``FlagWatcher`` keeps it current.
public final class FeatureFlags: Sendable {
    private let store: any Store
    private let snapshot: Mutex<FlagSnapshot>
    private let counters: [String: [Counter]]
    private let refreshFailures = Counter(label: "atelier_flags_refresh_failures_total")
    private let revisionGauge = Gauge(label: "atelier_flags_revision")

    public init(store: any Store) {
        self.store = store
        snapshot = Mutex(.empty)
        var counters: [String: [Counter]] = [:]
        for definition in FlagDefinition.all {
            counters[definition.key] = FlagReason.allCases.flatMap { reason in
                [false, true].map { value in
                    Counter(
                        label: "atelier_flag_evaluations_total",
                        dimensions: [("flag", definition.key), ("variant", value ? "on" : "off"), ("reason", reason.rawValue)])
                }
            }
        }
        self.counters = counters
    }

    /// The answer of `flag` for `context`, with its variant and reason; `defaultValue` where the
    /// flag says nothing (never set, or a rollout asked about nobody).
    public func details(_ flag: FlagDefinition, _ context: FlagContext, defaultValue: Bool) -> FlagEvaluation {
        let evaluation = snapshot.withLock { $0.evaluate(flag, context, defaultValue: defaultValue) }
        if let counters = counters[flag.key], let index = FlagReason.allCases.firstIndex(of: evaluation.reason) {
            counters[index * 2 + (evaluation.value ? 1 : 0)].increment()
        }
        return evaluation
    }

    /// The value alone (`details(_:_:defaultValue:).value`).
    public func value(_ flag: FlagDefinition, _ context: FlagContext, defaultValue: Bool) -> Bool {
        details(flag, context, defaultValue: defaultValue).value
    }

    /// The answer, also written on `span` (OpenTelemetry's feature-flag conventions): the flags an
    /// order was handled with are on its trace.
    public func details(_ flag: FlagDefinition, _ context: FlagContext, defaultValue: Bool, on span: any Span) -> FlagEvaluation {
        let evaluation = details(flag, context, defaultValue: defaultValue)
        span.attributes["feature_flag.\(flag.key)"] = evaluation.variant
        span.addEvent(
            SpanEvent(
                name: "feature_flag.evaluation",
                attributes: [
                    "feature_flag.key": .string(flag.key), "feature_flag.result.variant": .string(evaluation.variant),
                    "feature_flag.result.reason": .string(evaluation.reason.rawValue.lowercased()),
                    "feature_flag.provider.name": "atelier",
                ]))
        return evaluation
    }

    /// What this instance answers from now.
    public var current: FlagSnapshot { snapshot.withLock { $0 } }

    /// Reads the flags again when they changed since the last read (one small query when they did
    /// not). Returns true when they changed. Throws when the database does not answer; the flags
    /// read before stay in use.
    @discardableResult
    public func refresh() async throws -> Bool {
        let known = snapshot.withLock { $0.revision }
        do {
            let revision = try await store.reader.flagRevision()
            guard revision != known else { return false }
            let fresh = try await store.reader.featureFlags()
            let changed = snapshot.withLock { current in
                // Two refreshes may race: the newer read wins. A lower revision (a database restored
                // from a backup) replaces the flags only when nothing else was read meanwhile.
                guard fresh.revision != current.revision, fresh.revision > current.revision || current.revision == known else {
                    return false
                }
                current = fresh
                return true
            }
            if changed { revisionGauge.record(fresh.revision) }
            return changed
        } catch {
            refreshFailures.increment()
            throw error
        }
    }
}

/// Keeps an instance's ``FeatureFlags`` current: every `interval` it asks whether they changed, so
/// a change made on any instance reaches this one within the interval (a quarter of a second by
/// default). While the database does not answer it keeps the flags it has and says so once.
public struct FlagWatcher: Service {
    let flags: FeatureFlags
    let interval: Duration
    let logger: Logger

    public init(flags: FeatureFlags, interval: Duration, logger: Logger) {
        self.flags = flags
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    if try await flags.refresh() {
                        logger.info("feature flags changed", metadata: ["flags.revision": "\(flags.current.revision)"])
                    }
                    if failing { logger.notice("feature flags read again") }
                    failing = false
                } catch {
                    if !failing {
                        logger.warning(
                            "feature flags cannot be read; answering from the last ones read",
                            metadata: ["flags.revision": "\(flags.current.revision)"])
                    }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
