import AtelierDomain
import AtelierJobs
import AtelierStorage
import Foundation

/// The job that sends one delivery.
public struct WebhookDeliveryJob: JobPayload, Hashable {
    public static let kind = "webhook.deliver"
    public static let queue = "webhooks"
    public var deliveryID: Int64
    public var orderID: String
    public var subject: String? { orderID }
}

/// The body of every webhook POST (`OrderEvent` in the partner API's contract).
struct OrderEventBody: Codable {
    struct Data: Codable {
        var orderId: String
        var reference: String?
        var from: String?
        var to: String
        var at: Date
        var note: String?
        var sequence: Int64?
    }
    var id: String
    var type: String
    var createdAt: Date
    var data: Data

    static let encoder = JSONEncoder.atelier
}

/// Turns status changes of partner orders into events and their deliveries, inside the
/// transaction that made the change: the events exist if and only if the change commits.
enum WebhookEvents {
    static let statusChanged = "order.status_changed"

    static func record(order: Order, entries: [HistoryEntry], in tx: any StoreTransaction, at now: Date) async throws {
        guard order.channel == .partner else { return }
        let changes = entries.filter { $0.from != $0.to }
        guard !changes.isEmpty else { return }
        let endpoints = try await tx.webhookEndpoints(partnerID: order.customerID, activeOnly: true)
        for entry in changes {
            let data = OrderEventBody.Data(
                orderId: order.id, reference: order.reference, from: entry.from?.rawValue, to: entry.to.rawValue, at: entry.at,
                note: entry.note)
            let event = try await tx.insert(
                webhookEvent: WebhookEvent(
                    partnerID: order.customerID, orderID: order.id, type: statusChanged,
                    data: String(decoding: try OrderEventBody.encoder.encode(data), as: UTF8.self), createdAt: now))
            for endpoint in endpoints {
                try await enqueueDelivery(of: event, to: endpoint.id, replayOf: nil, in: tx, at: now)
            }
        }
    }

    @discardableResult
    static func enqueueDelivery(of event: WebhookEvent, to endpointID: String, replayOf: Int64?, in tx: any StoreTransaction, at now: Date)
        async throws -> Int64
    {
        let deliveryID = try await tx.insertDelivery(event: event, endpointID: endpointID, replayOf: replayOf, at: now)
        // The delivery gives up by time (the retry window), not by a count: see WebhookService.deliver.
        let jobID = try await tx.enqueue(WebhookDeliveryJob(deliveryID: deliveryID, orderID: event.orderID), at: now, maxAttempts: 10_000)
        try await tx.setDeliveryJob(deliveryID: deliveryID, jobID: jobID)
        return deliveryID
    }
}
