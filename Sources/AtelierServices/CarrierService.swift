import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation

/// The carrier's delivery message closes a shipped order.
public struct CarrierService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// The order after the message, and whether this message changed it (a repeat changes nothing).
    public struct Delivery: Sendable {
        public var order: Order
        public var changed: Bool
    }

    public func delivered(trackingNumber: String, note: String?) async throws -> Delivery {
        let tracking = trackingNumber.trimmingCharacters(in: .whitespaces)
        guard !tracking.isEmpty else { throw DomainError.invalid("A tracking number is required.") }
        let now = context.time.now()
        return try await context.store.write { tx in
            guard let order = try await tx.order(trackingNumber: tracking) else {
                throw DomainError.notFound("No shipped order has the tracking number \(tracking).")
            }
            if order.status == .closed { return Delivery(order: order, changed: false) }
            let closed = try await tx.change(orderID: order.id, by: .carrier, pricingAttempts: context.configuration.jobMaxAttempts) {
                order in
                [try order.close(by: .carrier, at: now, note: note ?? "delivered")]
            }
            return Delivery(order: closed, changed: true)
        }
    }
}
