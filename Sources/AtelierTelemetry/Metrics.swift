import Metrics
import Prometheus

extension Telemetry {
    /// Sends swift-metrics to a Prometheus registry (once per process) and returns the registry,
    /// whose text the ops listener serves at `/metrics`.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Orders spend minutes to weeks in a status.
        factory.durationHistogramBuckets["atelier_order_status_duration_seconds"] = [
            .seconds(60), .seconds(300), .seconds(1800), .seconds(3600), .seconds(6 * 3600), .seconds(86_400),
            .seconds(3 * 86_400), .seconds(7 * 86_400), .seconds(14 * 86_400), .seconds(21 * 86_400), .seconds(30 * 86_400),
        ]
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// `atelier_build_info{version,commit,role} 1`: which build this instance runs, and as what
    /// (its roles, comma-separated), to join with any other metric of the instance.
    public static func publish(build: BuildInfo, roles: [String]) {
        Gauge(
            label: "atelier_build_info",
            dimensions: [("version", build.version), ("commit", build.commit), ("role", roles.sorted().joined(separator: ","))]
        ).record(1)
    }
}
