import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierText
import Foundation
import Metrics

extension StoreTransaction {
    /// Loads an order that `viewer` may see, or throws not found (a customer never learns of others' orders).
    func visibleOrder(id: String, to viewer: Principal) async throws -> Order {
        guard let order = try await order(id: id), !viewer.role.ordersForItself || order.customerID == viewer.userID else {
            throw DomainError.notFound("Order \(id) does not exist.")
        }
        return order
    }

    /// The one way a new order is saved, whatever made it: the order, its history rows (the
    /// counts per status follow) and what follows from them (``follow(_:entries:pricingAttempts:)``),
    /// all in this transaction.
    func create(_ order: Order, history: [HistoryEntry], pricingAttempts: Int) async throws {
        try await insert(order: order)
        try await append(history: history)
        try await follow(order, entries: history, pricingAttempts: pricingAttempts)
    }

    /// The shape of every order use case inside its transaction: load the order, let the domain
    /// decide (it mutates the order and returns history rows), save the order and its history.
    func change(
        orderID: String, by actor: Principal, pricingAttempts: Int, _ decide: (inout Order) throws -> [HistoryEntry]
    ) async throws -> Order {
        var order = try await visibleOrder(id: orderID, to: actor)
        try await change(&order, by: actor, pricingAttempts: pricingAttempts, decide)
        return order
    }

    /// The same, on an order this transaction has already loaded (and locked).
    func change(
        _ order: inout Order, by actor: Principal, pricingAttempts: Int, _ decide: (inout Order) throws -> [HistoryEntry]
    ) async throws {
        let previous = order.status
        let enteredPrevious = order.statusSince
        let entries = try decide(&order)
        try await update(order: order, previousStatus: previous, appending: entries)
        try await follow(order, entries: entries, pricingAttempts: pricingAttempts)
        if order.status != previous {
            Metrics.Timer(
                label: "atelier_order_status_duration_seconds", dimensions: [("status", previous.rawValue)], preferredDisplayUnit: .seconds
            )
            .record(duration: .seconds(max(0, order.statusSince.timeIntervalSince(enteredPrevious))))
        }
    }

    /// What every saved change of an order brings with it, whichever use case made it: an order
    /// that has just been submitted gets its pricing job (with `pricingAttempts` attempts, the
    /// configured number), a partner's order its webhook events, a shop order its customer's e-mails.
    private func follow(_ order: Order, entries: [HistoryEntry], pricingAttempts: Int) async throws {
        if entries.contains(where: { $0.to == .submitted && $0.from != .submitted }) {
            try await enqueue(PricingJob(orderID: order.id), at: order.updatedAt, maxAttempts: pricingAttempts)
        }
        try await WebhookEvents.record(order: order, entries: entries, in: self, at: order.updatedAt)
        try await recordCustomerEmails(order: order, entries: entries)
    }
}
