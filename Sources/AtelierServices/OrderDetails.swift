import AtelierDomain
import AtelierStorage
import AtelierText
import Logging
import NIOCore
import Synchronization

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

    /// A stored model's file, by its content hash (see ``UseCaseContext/modelFile(hash:)``).
    public func modelFile(hash: String) async throws -> ModelFile { try await context.modelFile(hash: hash) }

    /// The bytes of a stored model, whole (what a preview or a thumbnail is made from), at most
    /// the largest model an upload may be.
    public func modelBytes(hash: String) async throws -> [UInt8] { try await context.bytes(of: try await modelFile(hash: hash)) }
}

extension UseCaseContext {
    /// The bytes of `file`, whole, at most the largest model an upload may be.
    func bytes(of file: ModelFile) async throws -> [UInt8] {
        let hash = file.hash
        guard file.size <= Int64(configuration.maxModelBytes) else {
            throw DomainError.invalid("The model \(hash.prefix(12)) is larger than this instance reads whole.")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(file.size))
        for try await chunk in try await file.read(range: nil) { bytes.append(contentsOf: chunk.readableBytesView) }
        return bytes
    }
}

extension UseCaseContext {
    /// A stored model's file, by its content hash: from the model store, or from the database for
    /// a model a release before the store kept there and `atelier models migrate` has not moved yet.
    func modelFile(hash: String) async throws -> ModelFile {
        if let size = try await models.size(hash: hash) {
            return ModelFile(hash: hash, size: size, models: models, kept: nil)
        }
        if let kept = try await store.reader.modelBytes(hash: hash) {
            return ModelFile(hash: hash, size: Int64(kept.count), models: models, kept: kept)
        }
        logger.error("an order refers to a model the store does not hold", metadata: ["hash": "\(hash)"])
        throw DomainError.notFound("The model \(hash.prefix(12)) is not stored.")
    }
}

/// A stored model's file: its size, and its bytes read as they are sent.
public struct ModelFile: Sendable {
    /// The SHA-256 of its bytes: its name in the store, and its ETag.
    public let hash: String
    public let size: Int64
    /// Where the bytes are read from, unless they are held (`kept`).
    let models: (any ModelStore)?
    /// The bytes, when they are in memory: still in the database (models from before the store),
    /// or made from the model (a conversion for the viewer).
    let kept: [UInt8]?

    init(hash: String, size: Int64, models: (any ModelStore)?, kept: [UInt8]?) {
        self.hash = hash
        self.size = size
        self.models = models
        self.kept = kept
    }

    /// A file made in memory from the model `hash` (a conversion for the viewer), sent the same way.
    public init(hash: String, bytes: [UInt8]) {
        self.init(hash: hash, size: Int64(bytes.count), models: nil, kept: bytes)
    }

    /// All the bytes, or those of `range` (inclusive, within the size), in chunks.
    public func read(range: ClosedRange<Int64>?) async throws -> ModelChunks {
        if let kept {
            let start = Int(min(range?.lowerBound ?? 0, Int64(kept.count)))
            let end = Int(min((range?.upperBound ?? Int64(kept.count) - 1) + 1, Int64(kept.count)))
            let chunk = Mutex<ByteBuffer?>(ByteBuffer(bytes: kept[start..<max(start, end)]))
            return ModelChunks {
                chunk.withLock { taken in
                    defer { taken = nil }; return taken
                }
            }
        }
        guard let chunks = try await models?.read(hash: hash, range: range) else {
            throw ModelStoreError.unavailable("the model \(hash) was removed while it was read")
        }
        return chunks
    }
}
