import AtelierDomain
import AtelierStorage
import AtelierText

/// An order as a person reads it: status, model, quote, history, notes and what they may do next.
public struct OrderDetails: Sendable {
    public var order: Order
    public var model: ModelInfo?
    public var quote: Quote?
    public var history: [HistoryEntry]
    /// Seller notes and complaints; empty for customers.
    public var notes: [OrderNote]
    /// Statuses the viewer may move the order to.
    public var allowedMoves: [OrderStatus]
    /// Where it goes; nil until it is placed.
    public var delivery: DeliveryDetails?
}

/// A failure made on purpose by a drill setting (`ATELIER_FAULT_ORDER_READ_ERRORS`): answered as
/// any unexpected error is, a 500 without details, and logged as what it is.
public struct InjectedFault: Error, CustomStringConvertible {
    /// What the fault was injected into, for the log (never shown to a person).
    public let place: String
    public var description: String { "fault injected into an \(place) (ATELIER_FAULT_ORDER_READ_ERRORS)" }
}

/// Reads order details for a viewer.
struct OrderReading: Sendable {
    let context: UseCaseContext

    func visibleOrder(id: String, to viewer: Principal) async throws -> Order {
        guard let order = try await context.store.reader.order(id: id), !viewer.role.ordersForItself || order.customerID == viewer.userID
        else {
            throw DomainError.notFound("Order \(id) does not exist.")
        }
        return order
    }

    /// The order with its model, quote, history and (for staff) notes, from one read on one snapshot.
    func details(id: String, viewer: Principal) async throws -> OrderDetails {
        let faultShare = context.configuration.faultOrderReadErrors
        if faultShare > 0, Double.random(in: 0..<1) < faultShare { throw InjectedFault(place: "order read") }
        let own = viewer.role.ordersForItself
        guard let snapshot = try await context.store.reader.orderSnapshot(id: id, withNotes: !own),
            !own || snapshot.order.customerID == viewer.userID
        else {
            throw DomainError.notFound("Order \(id) does not exist.")
        }
        let order = snapshot.order
        var model = snapshot.model
        // A model is stored once for every order with the same content; its file name is the
        // order's own (another customer's upload of the same bytes never shows their name).
        if let filename = order.modelFilename { model?.filename = filename }
        return OrderDetails(
            order: own ? order.forCustomer : order, model: model,
            quote: viewer.role == .customer ? snapshot.quote?.forCustomer : snapshot.quote,
            history: own ? snapshot.history.map(\.forCustomer) : snapshot.history, notes: snapshot.notes,
            allowedMoves: OrderLifecycle.allowedMoves(from: order.status, for: viewer.role), delivery: snapshot.delivery)
    }
}

extension UseCases {
    /// The model file of an order the viewer may see: its name and content hash (its bytes come
    /// from ``modelBytes(hash:)``); nil when it has none.
    public func orderModel(orderID: String, viewer: Principal) async throws -> (filename: String, hash: String)? {
        let order = try await OrderReading(context: context).visibleOrder(id: orderID, to: viewer)
        guard let hash = order.modelHash else { return nil }
        return (order.modelFilename ?? "model.stl", hash)
    }

    /// The model of a catalog piece: anyone may see it.
    public func catalogModel(itemID: String) async throws -> (filename: String, hash: String)? {
        guard let item = try await context.store.reader.catalog().first(where: { $0.id == itemID }) else { return nil }
        return (item.modelFilename, item.modelHash)
    }

    /// The bytes of a stored model, by its content hash.
    public func modelBytes(hash: String) async throws -> [UInt8] {
        guard let bytes = try await context.store.reader.modelBytes(hash: hash) else {
            throw DomainError.notFound("The model \(hash.prefix(12)) is not stored.")
        }
        return bytes
    }
}
