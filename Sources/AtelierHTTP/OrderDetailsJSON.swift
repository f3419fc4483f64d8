import AtelierDomain
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

// An order's page, the most read answer, written with ``JSONWriter``: the same JSON as the types'
// `Encodable` conformances (the keys of their `CodingKeys`, nil optionals left out).

extension OrderDetailsResponse: ResponseGenerator {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try json())))
    }

    /// The answer's bytes.
    func json() throws -> [UInt8] {
        var out = JSONWriter()
        try out.object { out in
            out.key("order")
            order.write(to: &out)
            if let model {
                out.key("model")
                try out.raw(ModelJSONCache.shared.json(of: model))
            }
            if let quote {
                out.key("quote")
                try quote.write(to: &out)
            }
            out.key("history")
            out.array(history) { out, entry in entry.write(to: &out) }
            if let notes {
                out.key("notes")
                out.array(notes) { out, note in note.write(to: &out) }
            }
            out.field("allowedMoves", allowedMoves.map(\.rawValue))
            if let delivery {
                out.key("delivery")
                out.object { out in
                    out.field("recipient", delivery.recipient)
                    out.field("phone", delivery.phone)
                    out.field("country", delivery.country)
                    out.field("postalCode", delivery.postalCode)
                    out.field("city", delivery.city)
                    out.field("street", delivery.street)
                    out.field("note", delivery.note)
                }
            }
        }
        return out.bytes
    }
}

extension OrderResponse {
    func write(to out: inout JSONWriter) {
        out.object { out in
            out.field("id", id)
            out.field("status", status.rawValue)
            out.field("statusSince", statusSince)
            out.field("customerId", customerId)
            out.field("material", material)
            out.field("finishes", finishes)
            out.field("catalogItem", catalogItem)
            out.field("modelFilename", modelFilename)
            out.field("modelHash", modelHash)
            out.field("assignee", assignee)
            out.field("trackingNumber", trackingNumber)
            out.field("cancelReason", cancelReason)
            out.field("promisedBy", promisedBy)
            out.field("channel", channel.rawValue)
            out.field("reference", reference)
            out.field("createdAt", createdAt)
            out.field("updatedAt", updatedAt)
        }
    }
}

/// A model's part of the answer, written once per model and name: what is stored under a hash
/// never changes, and its numbers are the costliest part to write.
final class ModelJSONCache: Sendable {
    static let shared = ModelJSONCache(capacity: 1024)

    let capacity: Int
    private let written = Mutex<[String: [UInt8]]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func json(of model: ModelResponse) throws -> [UInt8] {
        let key = model.hash + "/" + model.filename
        if let known = written.withLock({ $0[key] }) { return known }
        var out = JSONWriter(capacity: 512)
        try model.write(to: &out)
        written.withLock { written in
            // Bounded: past the capacity the map starts again.
            if written.count >= capacity { written.removeAll(keepingCapacity: true) }
            written[key] = out.bytes
        }
        return out.bytes
    }
}

extension ModelResponse {
    func write(to out: inout JSONWriter) throws {
        try out.object { out in
            out.field("hash", hash)
            out.field("filename", filename)
            out.field("format", format)
            out.field("sizeBytes", sizeBytes)
            out.field("triangles", triangles)
            out.field("vertices", vertices)
            try out.field("volumeMM3", volumeMM3)
            try out.field("surfaceAreaMM2", surfaceAreaMM2)
            out.key("boundingBoxMM")
            try out.object { out in
                try out.field("min", boundingBoxMM.min)
                try out.field("max", boundingBoxMM.max)
                try out.field("size", boundingBoxMM.size)
            }
            out.field("shells", shells)
            out.field("watertight", watertight)
            out.field("boundaryEdges", boundaryEdges)
            out.field("nonManifoldEdges", nonManifoldEdges)
        }
    }
}

extension Money {
    func write(to out: inout JSONWriter) {
        out.object { out in
            out.field("minorUnits", minorUnits)
            out.field("currency", currency)
        }
    }
}

extension Quote {
    func write(to out: inout JSONWriter) throws {
        try out.object { out in
            out.field("materialCode", materialCode)
            out.field("finishCodes", finishCodes)
            try out.field("metalWeightGrams", metalWeightGrams)
            out.key("lines")
            out.array(lines) { out, line in
                out.object { out in
                    out.field("code", line.code)
                    out.field("label", line.label)
                    out.key("amount")
                    line.amount.write(to: &out)
                }
            }
            out.key("total")
            total.write(to: &out)
            out.field("priceListVersion", priceListVersion)
            out.field("pricingRules", rules.rawValue)
            if let casting {
                out.key("casting")
                try casting.write(to: &out)
            }
        }
    }
}

extension CastingReport {
    func write(to out: inout JSONWriter) throws {
        try out.object { out in
            out.field("rulesVersion", rulesVersion)
            out.field("materialCode", materialCode)
            out.field("castable", castable)
            if let thinnestMM { try out.field("thinnestMM", thinnestMM) }
            try out.field("requiredWallMM", requiredWallMM)
            try out.field("requiredDetailMM", requiredDetailMM)
            out.key("problems")
            try out.array(problems) { out, problem in
                try out.object { out in
                    out.field("rule", problem.rule.rawValue)
                    try out.field("thinnestMM", problem.thinnestMM)
                    try out.field("requiredMM", problem.requiredMM)
                    try out.field("areaMM2", problem.areaMM2)
                    try out.field("at", problem.at)
                }
            }
            out.field("unmeasuredTriangles", unmeasuredTriangles)
            if let ring {
                out.key("ring")
                try out.object { out in
                    try out.field("innerDiameterMM", ring.innerDiameterMM)
                    try out.field("ru", ring.ru)
                    try out.field("eu", ring.eu)
                    try out.field("us", ring.us)
                }
            }
        }
    }
}

extension HistoryEntry {
    func write(to out: inout JSONWriter) {
        out.object { out in
            out.field("orderId", orderID)
            out.field("from", from?.rawValue)
            out.field("to", to.rawValue)
            out.field("actorId", actorID)
            out.field("actorRole", actorRole.rawValue)
            out.field("actorName", actorName)
            out.field("at", at)
            out.field("note", note)
        }
    }
}

extension OrderNote {
    func write(to out: inout JSONWriter) {
        out.object { out in
            out.field("orderId", orderID)
            out.field("authorId", authorID)
            out.field("authorName", authorName)
            out.field("kind", kind.rawValue)
            out.field("body", body)
            out.field("createdAt", createdAt)
        }
    }
}
