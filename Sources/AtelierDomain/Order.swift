import Foundation

/// A customer's or partner's order: the aggregate that guards every change of its status.
///
/// Its fields are read-only outside the domain: a status changes only through the transition
/// table (``transition(to:by:at:note:)`` and the named moves), by construction.
public struct Order: Sendable, Hashable, Codable {
    public internal(set) var id: String
    public internal(set) var customerID: String
    public internal(set) var status: OrderStatus
    /// When the order entered its current status.
    public internal(set) var statusSince: Date
    public internal(set) var materialCode: String
    public internal(set) var finishCodes: [String]
    public internal(set) var catalogItemID: String?
    /// SHA-256 of the attached model file, hex.
    public internal(set) var modelHash: String?
    public internal(set) var modelFilename: String?
    /// The operator who took the order into work (and is paid for it).
    public internal(set) var assigneeID: String?
    public internal(set) var assigneeName: String?
    public internal(set) var trackingNumber: String?
    public internal(set) var cancelReason: String?
    /// The delivery date promised to the customer, set when the order is submitted.
    public internal(set) var promisedBy: Date?
    /// Opaque correlation for observability: the trace that every step of this order joins.
    public internal(set) var traceContext: String?
    /// Where the order came from: the web shop or the partner API.
    public internal(set) var channel: OrderChannel = .shop
    /// The partner's own reference for the order (its order number), if it gave one.
    public internal(set) var reference: String?
    public internal(set) var createdAt: Date
    public internal(set) var updatedAt: Date

    public init(
        id: String, customerID: String, materialCode: String, finishCodes: [String],
        catalogItemID: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.status = .initiated
        self.statusSince = createdAt
        self.materialCode = materialCode
        self.finishCodes = finishCodes
        self.catalogItemID = catalogItemID
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// An order as it was stored, every field as given: for storage to read one back, not a way
    /// to change one (a change goes through the transition table).
    public static func restored(
        id: String, customerID: String, status: OrderStatus, statusSince: Date, materialCode: String, finishCodes: [String],
        catalogItemID: String?, modelHash: String?, modelFilename: String?, assigneeID: String?, assigneeName: String?,
        trackingNumber: String?, cancelReason: String?, promisedBy: Date?, traceContext: String?, channel: OrderChannel,
        reference: String?, createdAt: Date, updatedAt: Date
    ) -> Order {
        var order = Order(
            id: id, customerID: customerID, materialCode: materialCode, finishCodes: finishCodes, catalogItemID: catalogItemID,
            createdAt: createdAt)
        order.status = status
        order.statusSince = statusSince
        order.modelHash = modelHash
        order.modelFilename = modelFilename
        order.assigneeID = assigneeID
        order.assigneeName = assigneeName
        order.trackingNumber = trackingNumber
        order.cancelReason = cancelReason
        order.promisedBy = promisedBy
        order.traceContext = traceContext
        order.channel = channel
        order.reference = reference
        order.updatedAt = updatedAt
        return order
    }
}

/// Where an order was placed.
public enum OrderChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case shop, partner
}

/// One row of an order's history: a status change, who made it and why.
extension Order {
    /// The order as its customer (or partner) may read it: who in the workshop has it stays inside.
    public var forCustomer: Order {
        var order = self
        order.assigneeID = nil
        order.assigneeName = nil
        return order
    }
}

public struct HistoryEntry: Sendable, Hashable, Codable {
    public var orderID: String
    public var from: OrderStatus?
    public var to: OrderStatus
    public var actorID: String
    public var actorRole: Role
    public var actorName: String
    public var at: Date
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case orderID = "orderId", from, to, actorID = "actorId", actorRole, actorName, at, note
    }

    /// The entry as the order's customer (or partner) may read it: what Alexandrite's staff did,
    /// without who they are or their own notes. The customer's own words stay, and so do the
    /// notes meant for them (the reason for a cancellation, the tracking number).
    public var forCustomer: HistoryEntry {
        guard actorRole.isStaff else { return self }
        var entry = self
        entry.actorID = ""
        entry.actorName = "Alexandrite"
        if !(to == .cancelled || to == .shipped) { entry.note = nil }
        return entry
    }

    public init(
        orderID: String, from: OrderStatus?, to: OrderStatus, actor: Principal, at: Date, note: String? = nil
    ) {
        self.orderID = orderID
        self.from = from
        self.to = to
        self.actorID = actor.userID
        self.actorRole = actor.role
        self.actorName = actor.name
        self.at = at
        self.note = note
    }
}
