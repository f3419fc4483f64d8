import AtelierDomain
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird

/// An order in API responses.
struct OrderResponse: ResponseEncodable {
    var id: String
    var status: OrderStatus
    var statusSince: Date
    var customerId: String
    var material: String
    var finishes: [String]
    var catalogItem: String?
    var modelFilename: String?
    var modelHash: String?
    var assignee: String?
    var trackingNumber: String?
    var cancelReason: String?
    /// The delivery date promised at submit.
    var promisedBy: Date?
    /// `shop` or `partner`.
    var channel: OrderChannel
    /// A partner's own reference for the order.
    var reference: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ order: Order) {
        id = order.id
        status = order.status
        statusSince = order.statusSince
        customerId = order.customerID
        material = order.materialCode
        finishes = order.finishCodes
        catalogItem = order.catalogItemID
        modelFilename = order.modelFilename
        modelHash = order.modelHash
        assignee = order.assigneeName
        trackingNumber = order.trackingNumber
        cancelReason = order.cancelReason
        promisedBy = order.promisedBy
        channel = order.channel
        reference = order.reference
        createdAt = order.createdAt
        updatedAt = order.updatedAt
    }
}

/// A model's analysis in API responses.
struct ModelResponse: ResponseEncodable {
    var hash: String
    var filename: String
    var format: String
    var sizeBytes: Int
    var triangles: Int
    var vertices: Int
    var volumeMM3: Double
    var surfaceAreaMM2: Double
    var boundingBoxMM: BoundingBoxResponse
    var shells: Int
    var watertight: Bool
    var boundaryEdges: Int
    var nonManifoldEdges: Int

    struct BoundingBoxResponse: Codable {
        var min: [Double]
        var max: [Double]
        var size: [Double]
    }

    init(_ info: ModelInfo) {
        hash = info.hash
        filename = info.filename
        format = info.format
        sizeBytes = info.sizeBytes
        triangles = info.metrics.triangles
        vertices = info.vertices
        volumeMM3 = info.metrics.volumeMM3
        surfaceAreaMM2 = info.metrics.surfaceAreaMM2
        boundingBoxMM = BoundingBoxResponse(min: info.boundingBoxMinMM, max: info.boundingBoxMaxMM, size: info.boundingBoxSizeMM)
        shells = info.metrics.shells
        watertight = info.watertight
        boundaryEdges = info.boundaryEdges
        nonManifoldEdges = info.nonManifoldEdges
    }
}

/// An order with everything a person reads on its page. Its answer is written by ``JSONWriter``
/// (`OrderDetailsJSON.swift`); `Encodable` stays, and a test holds the two equal.
struct OrderDetailsResponse: Encodable {
    var order: OrderResponse
    var model: ModelResponse?
    var quote: Quote?
    var history: [HistoryEntry]
    var notes: [OrderNote]?
    var allowedMoves: [OrderStatus]
    var delivery: DeliveryDetails?

    init(_ details: OrderDetails, includeNotes: Bool) {
        order = OrderResponse(details.order)
        model = details.model.map(ModelResponse.init)
        quote = details.quote
        history = details.history
        notes = includeNotes ? details.notes : nil
        allowedMoves = details.allowedMoves
        delivery = details.delivery
    }
}

/// One page of a list, with the cursor of the next page.
struct PageResponse<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var nextCursor: String?

    init<Source>(_ page: Page<Source>, _ transform: (Source) -> Item) {
        items = page.items.map(transform)
        nextCursor = page.next?.token
    }
}

/// A user without secrets.
struct UserResponse: ResponseEncodable {
    var id: String
    var email: String
    var name: String
    var role: Role
    var createdAt: Date
    /// Whether the owner confirmed the address (the link of the sign-up e-mail).
    var emailVerified: Bool

    init(_ user: UserAccount) {
        id = user.id
        email = user.email
        name = user.name
        role = user.role
        createdAt = user.createdAt
        emailVerified = user.emailVerifiedAt != nil
    }
}

extension Quote: ResponseEncodable {}
extension PriceList: ResponseEncodable {}
extension CastingRules: ResponseEncodable {}
extension CatalogItem: ResponseEncodable {}
extension OrderNote: ResponseEncodable {}
extension JobRecord: ResponseEncodable {}

extension Role: ResponseEncodable {}

/// 201 for something new, 200 for the replay of an earlier request with the same `Idempotency-Key`.
func created<T: ResponseEncodable>(_ body: T, replayed: Bool) -> EditedResponse<T> {
    var headers = HTTPFields()
    if replayed { headers[.idempotentReplayed] = "true" }
    return EditedResponse(status: replayed ? .ok : .created, headers: headers, response: body)
}

/// `Content-Disposition` for a download named `filename` (RFC 6266): an ASCII fallback with
/// every character outside letters, digits, dot, dash and underscore replaced, and the whole name
/// percent-encoded in `filename*`, so no name can end the header value or add a parameter.
public func attachment(filename: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_".utf8)
    let fallback = String(decoding: filename.utf8.prefix(120).map { safe.contains($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
    var encoded = ""
    for byte in filename.utf8.prefix(240) {
        if safe.contains(byte) {
            encoded.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            let digits = Array("0123456789ABCDEF".unicodeScalars)
            encoded += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
        }
    }
    return "attachment; filename=\"\(fallback.isEmpty ? "model" : fallback)\"; filename*=UTF-8''\(encoded)"
}
