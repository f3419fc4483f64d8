import Foundation

/// Where a partner wants to be told of its orders' status changes.
public struct WebhookEndpoint: Sendable, Hashable {
    public var id: String
    public var partnerID: String
    public var url: String
    /// The HMAC key that signs every delivery. Kept readable (it must sign), never logged or listed.
    public var secret: String
    public var description: String?
    public var createdAt: Date
    public var disabledAt: Date?

    public init(id: String, partnerID: String, url: String, secret: String, description: String?, createdAt: Date) {
        self.id = id
        self.partnerID = partnerID
        self.url = url
        self.secret = secret
        self.description = description
        self.createdAt = createdAt
    }

    public var active: Bool { disabledAt == nil }
}

/// An endpoint with how its deliveries are going (the partner's list and the CRM's health board).
public struct WebhookEndpointHealth: Sendable, Hashable {
    public var endpoint: WebhookEndpoint
    public var partnerName: String
    public var pending: Int
    public var failed: Int
    public var lastSuccessAt: Date?
    public var lastFailureAt: Date?
    public var lastError: String?

    public init(
        endpoint: WebhookEndpoint, partnerName: String, pending: Int, failed: Int, lastSuccessAt: Date? = nil, lastFailureAt: Date? = nil,
        lastError: String? = nil
    ) {
        self.endpoint = endpoint
        self.partnerName = partnerName
        self.pending = pending
        self.failed = failed
        self.lastSuccessAt = lastSuccessAt
        self.lastFailureAt = lastFailureAt
        self.lastError = lastError
    }
}

/// Something that happened to a partner's order, to be delivered to each of its endpoints.
public struct WebhookEvent: Sendable, Hashable {
    /// Increases with every event; the events of one order are ordered by it.
    public var id: Int64
    public var partnerID: String
    public var orderID: String
    public var type: String
    /// The event's `data` as JSON.
    public var data: String
    public var createdAt: Date

    public init(id: Int64 = 0, partnerID: String, orderID: String, type: String, data: String, createdAt: Date) {
        self.id = id
        self.partnerID = partnerID
        self.orderID = orderID
        self.type = type
        self.data = data
        self.createdAt = createdAt
    }
}

/// Where a delivery is.
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not yet acknowledged; its job retries it.
    case pending
    /// The endpoint answered 2xx.
    case delivered
    /// Given up: the retries ran out, or the endpoint was disabled.
    case failed
}

/// One event on its way to one endpoint.
public struct WebhookDelivery: Sendable, Hashable {
    public var id: Int64
    public var eventID: Int64
    public var endpointID: String
    public var partnerID: String
    public var orderID: String
    public var eventType: String
    public var state: DeliveryState
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deliveredAt: Date?
    /// The delivery this one replays; a replay is sent at once, outside the order of its stream.
    public var replayOf: Int64?
    /// The job that sends it.
    public var jobID: Int64?

    public init(
        id: Int64, eventID: Int64, endpointID: String, partnerID: String, orderID: String, eventType: String, state: DeliveryState,
        attempts: Int, lastStatusCode: Int? = nil, lastError: String? = nil, createdAt: Date, updatedAt: Date, deliveredAt: Date? = nil,
        replayOf: Int64? = nil, jobID: Int64? = nil
    ) {
        self.id = id
        self.eventID = eventID
        self.endpointID = endpointID
        self.partnerID = partnerID
        self.orderID = orderID
        self.eventType = eventType
        self.state = state
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
        self.replayOf = replayOf
        self.jobID = jobID
    }
}

/// What one attempt at a delivery came to.
public enum DeliveryAttempt: Sendable, Hashable {
    case delivered(statusCode: Int)
    case failed(statusCode: Int?, error: String)
    /// The last attempt failed, or the endpoint is gone: no more tries.
    case givenUp(statusCode: Int?, error: String)
}
