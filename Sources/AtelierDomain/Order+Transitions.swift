import AtelierText
import Foundation

extension Order {
    /// An order late in its status (past its budget) may not make its promise any more: the day it
    /// can still be delivered by is now plus the budgets of this status and the ones after it. The
    /// promise moves there when that is later; returns the new promise, or nil when the old holds.
    public mutating func movePromise(at now: Date, policy: StallPolicy) -> Date? {
        guard let promised = promisedBy, !status.isTerminal else { return nil }
        let possible = now.addingTimeInterval(policy.remaining(from: status))
        guard possible > promised else { return nil }
        promisedBy = possible
        return possible
    }

    /// Creates a new order in `INITIATED`, with its first history row. `traceContext` (the trace
    /// every step of the order joins) has no default, so that no path forgets it.
    public static func start(
        id: String, customer: Principal, materialCode: String, finishCodes: [String],
        catalogItemID: String? = nil, reference: String? = nil, traceContext: String?, at now: Date
    ) throws -> (Order, HistoryEntry) {
        guard customer.role.ordersForItself else {
            throw DomainError.invalid("Only a customer or a partner can start an order, not a \(customer.role.rawValue).")
        }
        guard !materialCode.isEmpty, materialCode.count <= InputLimits.code else {
            throw DomainError.invalid("A material code has 1 to \(InputLimits.code) characters.")
        }
        let finishCodes = try InputLimits.finishCodes(finishCodes)
        var order = Order(
            id: id, customerID: customer.userID, materialCode: materialCode, finishCodes: finishCodes,
            catalogItemID: catalogItemID, createdAt: now
        )
        order.channel = customer.role == .partner ? .partner : .shop
        order.reference = reference
        order.traceContext = traceContext
        return (order, HistoryEntry(orderID: id, from: nil, to: .initiated, actor: customer, at: now, note: "order created"))
    }

    /// Moves the order to `target` if the transition table allows it for `actor`; otherwise throws
    /// ``DomainError/illegalTransition(orderID:current:requested:role:allowed:)``.
    public mutating func transition(
        to target: OrderStatus, by actor: Principal, at now: Date, note: String? = nil
    ) throws -> HistoryEntry {
        guard OrderLifecycle.roles(from: status, to: target).contains(actor.role) else {
            throw DomainError.illegalTransition(
                orderID: id, current: status, requested: target, role: actor.role,
                allowed: OrderLifecycle.allowedMoves(from: status, for: actor.role)
            )
        }
        if actor.role.ordersForItself, actor.userID != customerID {
            throw DomainError.notYours(orderID: id, reason: "it belongs to another customer.")
        }
        let entry = HistoryEntry(orderID: id, from: status, to: target, actor: actor, at: now, note: note)
        if target != status { statusSince = now }
        status = target
        updatedAt = now
        return entry
    }

    /// Attaches (or replaces) the model: `FILE_UPLOADED`. Attaching the file that is already attached
    /// changes nothing and writes no history (a retried upload is harmless).
    public mutating func attachModel(hash: String, filename: String, by actor: Principal, at now: Date) throws -> [HistoryEntry] {
        if status == .fileUploaded, modelHash == hash, !actor.role.ordersForItself || actor.userID == customerID { return [] }
        let entry = try transition(to: .fileUploaded, by: actor, at: now, note: "model \(filename)")
        modelHash = hash
        modelFilename = filename
        return [entry]
    }

    /// The customer places the order: `SUBMITTED`, with the delivery date `promise` seconds from now
    /// (the configured promise: no default, so that no path can forget it).
    public mutating func submit(by actor: Principal, at now: Date, promise: TimeInterval) throws -> HistoryEntry {
        guard modelHash != nil else {
            throw DomainError.invalid("Order \(id) has no model; attach one before submitting.")
        }
        let entry = try transition(to: .submitted, by: actor, at: now)
        promisedBy = now.addingTimeInterval(promise)
        return entry
    }

    /// The pricing worker stored a quote: `PRICE_CALCULATED`.
    public mutating func recordPrice(total: Money, by actor: Principal, at now: Date) throws -> HistoryEntry {
        try transition(to: .priceCalculated, by: actor, at: now, note: "quoted \(total)")
    }

    /// A seller confirms the order may be manufactured: `MANUFACTURING_APPROVED`.
    public mutating func approve(by actor: Principal, at now: Date, note: String? = nil) throws -> HistoryEntry {
        let note = try note.map { try InputLimits.text($0, max: InputLimits.note, what: "A note") }
        if actor.role == .system {
            throw DomainError.invalid("Order \(id) can be approved by the system only through a partner's auto-approval policy.")
        }
        return try transition(to: .manufacturingApproved, by: actor, at: now, note: note)
    }

    /// The partner's policy approves a freshly priced partner order whose total is within its limit.
    /// Returns no history when the policy does not apply (the order then waits for a seller).
    public mutating func autoApprove(total: Money, policy: AutoApprovalPolicy, at now: Date) throws -> [HistoryEntry] {
        guard channel == .partner, status == .priceCalculated, policy.approves(total) else { return [] }
        return [try transition(to: .manufacturingApproved, by: .autoApproval, at: now, note: "auto-approved: \(total) is within \(policy)")]
    }

    /// An operator takes the order into work: `MANUFACTURING_STARTED`. The first one wins.
    public mutating func take(by actor: Principal, at now: Date) throws -> HistoryEntry {
        if status >= .manufacturingStarted, status != .cancelled, let assigneeName, actor.role == .operator {
            throw DomainError.alreadyTaken(orderID: id, by: assigneeName)
        }
        let entry = try transition(to: .manufacturingStarted, by: actor, at: now)
        assigneeID = actor.userID
        assigneeName = actor.name
        return entry
    }

    /// The operator who took the order finished the piece: `MANUFACTURING_COMPLETED`.
    public mutating func complete(by actor: Principal, at now: Date) throws -> HistoryEntry {
        try requireAssignee(actor)
        return try transition(to: .manufacturingCompleted, by: actor, at: now)
    }

    /// The operator started packing: `PACKAGING`.
    public mutating func package(by actor: Principal, at now: Date) throws -> HistoryEntry {
        try requireAssignee(actor)
        return try transition(to: .packaging, by: actor, at: now)
    }

    /// The operator handed the piece to the carrier: `SHIPPED`, with its tracking number.
    public mutating func ship(trackingNumber: String, by actor: Principal, at now: Date) throws -> HistoryEntry {
        let tracking = trackingNumber.trimmingCharacters(in: .whitespaces)
        guard !tracking.isEmpty, tracking.count <= 64 else {
            throw DomainError.invalid("A tracking number of 1 to 64 characters is required to ship.")
        }
        try requireAssignee(actor)
        let entry = try transition(to: .shipped, by: actor, at: now, note: "tracking \(tracking)")
        self.trackingNumber = tracking
        return entry
    }

    /// Delivered (carrier) or closed by hand (seller, admin): `CLOSED`.
    public mutating func close(by actor: Principal, at now: Date, note: String? = nil) throws -> HistoryEntry {
        let note = try note.map { try InputLimits.text($0, max: InputLimits.note, what: "A note") }
        return try transition(to: .closed, by: actor, at: now, note: note)
    }

    /// Cancels with a reason: `CANCELLED`.
    public mutating func cancel(reason: String, by actor: Principal, at now: Date) throws -> HistoryEntry {
        let reason = try InputLimits.text(reason, max: InputLimits.cancelReason, what: "A reason")
        guard !reason.isEmpty else { throw DomainError.invalid("A reason is required to cancel an order.") }
        let entry = try transition(to: .cancelled, by: actor, at: now, note: reason)
        cancelReason = reason
        return entry
    }

    private func requireAssignee(_ actor: Principal) throws {
        guard actor.role == .operator, let assigneeID, assigneeID != actor.userID else { return }
        throw DomainError.notYours(orderID: id, reason: "it was taken by \(assigneeName ?? assigneeID), not by you.")
    }
}
