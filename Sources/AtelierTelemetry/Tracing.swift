import OTel
import ServiceLifecycle
import Synchronization
import Tracing

extension Telemetry {
    private static let tracing = Atomic<Bool>(false)

    /// Whether spans go anywhere (an OTLP endpoint is configured).
    public static var tracingEnabled: Bool { tracing.load(ordering: .relaxed) }

    /// Sends spans by OTLP/HTTP (JSON) to `endpoint` (e.g. `http://127.0.0.1:4318`); returns the
    /// exporter's service, to run in the process's service group.
    public static func bootstrapTracing(endpoint: String, serviceName: String = "atelier") throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpJSON
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        tracing.store(true, ordering: .relaxed)
        return service
    }
}
