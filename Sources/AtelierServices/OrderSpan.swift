import AtelierDomain
import AtelierTelemetry
import Tracing

extension UseCaseContext {
    /// Runs a use case on an order in a span of the order's own trace (the one its creation
    /// started), linked to the request's span. Every step of an order (submit, its pricing job,
    /// approval, …) so lands in one trace. Costs nothing when tracing is off.
    func orderSpan<T>(_ name: String, orderID: String?, _ body: () async throws -> T) async throws -> T {
        guard Telemetry.tracingEnabled else { return try await body() }
        var orderTrace: String?
        if let orderID { orderTrace = try? await store.reader.order(id: orderID)?.traceContext }
        let request = InstrumentationContext.current
        return try await withSpan(name, context: TraceContext.context(continuing: orderTrace ?? TraceContext.current())) { span in
            if let orderID { span.attributes["order.id"] = orderID }
            if let request, orderTrace != nil { span.addLink(SpanLink(context: request, attributes: [:])) }
            return try await body()
        }
    }
}
