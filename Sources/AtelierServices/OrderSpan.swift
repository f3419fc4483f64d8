import AtelierDomain
import AtelierStorage
import AtelierTelemetry
import Foundation
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

    /// One command on one order, the shape of every use case that moves an existing order: a span
    /// in the order's trace, one transaction, the order loaded for `actor` (and locked), `check`
    /// for what the transaction must see first, the domain's decision at the transaction's time,
    /// and everything ``StoreTransaction/change(_:by:_:)`` saves with it (history, counts,
    /// webhook events).
    func orderCommand(
        _ name: String, orderID: String, by actor: Principal,
        check: (@Sendable (any StoreTransaction) async throws -> Void)? = nil,
        _ decide: @escaping @Sendable (inout Order, Date) throws -> [HistoryEntry]
    ) async throws -> Order {
        try await orderSpan(name, orderID: orderID) {
            try await store.write { tx in
                try await check?(tx)
                let now = time.now()
                return try await tx.change(orderID: orderID, by: actor, pricingAttempts: configuration.jobMaxAttempts) { order in
                    try decide(&order, now)
                }
            }
        }
    }
}
