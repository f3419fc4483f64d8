import AtelierDomain
import AtelierGeometry
import AtelierHTTP
import AtelierServices
import AtelierText
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Models for the 3D preview (binary STL, whatever was uploaded) and their thumbnails (PNG), for
/// orders the viewer may see and for catalog pieces. Their ETag is the model's content hash: a
/// browser asks again each time and gets 304 without the model being read, and a replaced model is
/// never shown from an old copy.
struct ModelFiles {
    let site: WebSite

    typealias Model = (filename: String, hash: String)

    typealias Viewer = SignedInContext<Audiences.Members>

    func addRoutes(to group: RouterGroup<AtelierRequestContext>) {
        group.signedIn(Audiences.Members.self)
            .get("orders/{id}/model.stl", use: orderModel)
            .get("orders/{id}/thumbnail.png", use: orderThumbnail)
            .get("orders/{id}/thickness.f32", use: orderThickness)
        group.get("catalog/{id}/model.stl", use: pieceModel)
            .get("catalog/{id}/thumbnail.png", use: pieceThumbnail)
    }

    @Sendable func orderModel(_ request: Request, context: Viewer) async throws -> Response {
        try await stl(try await orderModel(context), request: request)
    }

    @Sendable func orderThumbnail(_ request: Request, context: Viewer) async throws -> Response {
        try await file(try await orderModel(context), request: request, type: "image/png", make: png)
    }

    /// The wall thickness of each triangle of the order's model (the viewer's STL order), as
    /// little-endian 32-bit floats in millimetres, NaN where not measured: the viewer colours by it.
    /// Measured once per model and kept (the values do not depend on the alloy: the viewer draws
    /// the threshold), so the seller, the operator and the customer opening one order measure it once.
    @Sendable func orderThickness(_ request: Request, context: Viewer) async throws -> Response {
        try await file(try await orderModel(context), request: request, type: "application/octet-stream") { model in
            if let cached = site.thicknesses.cached(hash: model.hash) { return cached }
            let values = try await site.useCases.wallThickness(hash: model.hash, filename: model.filename)
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return site.thicknesses.keep(bytes, hash: model.hash)
        }
    }

    @Sendable func pieceModel(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        try await stl(try await pieceModel(context), request: request)
    }

    @Sendable func pieceThumbnail(_ request: Request, context: AtelierRequestContext) async throws -> Response {
        try await file(try await pieceModel(context), request: request, type: "image/png", make: png)
    }

    /// An order's model, for the people who may see the order.
    private func orderModel(_ context: Viewer) async throws -> Model {
        let id = try context.parameters.require("id")
        guard let model = try await site.useCases.orderModel(orderID: id, viewer: context.principal) else {
            throw DomainError.notFound("Order \(id) has no model yet.")
        }
        return model
    }

    /// A catalog piece's model, for anyone.
    private func pieceModel(_ context: AtelierRequestContext) async throws -> Model {
        let id = try context.parameters.require("id")
        guard let model = try await site.useCases.catalogModel(itemID: id) else {
            throw DomainError.notFound("The catalog has no piece '\(id)'.")
        }
        return model
    }

    /// A file made from `model`, or 304 when the browser has this model's already.
    private func file(
        _ model: Model, request: Request, type: String, make: (Model) async throws -> [UInt8]
    ) async throws -> Response {
        let etag = "\"\(model.hash)\""
        var headers: HTTPFields = [.cacheControl: "private, no-cache", .eTag: etag]
        if let condition = request.headers[.ifNoneMatch], ModelDownload.matches(condition, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        let bytes = try await make(model)
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Any stored model as binary STL, the one format the viewer reads: a stored binary STL is
    /// streamed from the model store as it is (with ranges); another format is converted once (by
    /// the use case, on the compute pool) and kept.
    private func stl(_ model: Model, request: Request) async throws -> Response {
        let headers: HTTPFields = [.cacheControl: "private, no-cache", .contentType: "model/stl"]
        if let cached = site.previews.cached(hash: model.hash) {
            return try await ModelDownload.response(for: ModelFile(hash: model.hash, bytes: cached), request: request, headers: headers)
        }
        let etag = "\"\(model.hash)\""
        if let condition = request.headers[.ifNoneMatch], ModelDownload.matches(condition, etag: etag) {
            return Response(status: .notModified, headers: [.cacheControl: "private, no-cache", .eTag: etag])
        }
        if try await site.useCases.isBinarySTL(hash: model.hash) {
            return try await ModelDownload.response(
                for: try await site.useCases.modelFile(hash: model.hash), request: request, headers: headers)
        }
        let converted = try await site.useCases.convertedSTL(hash: model.hash, filename: model.filename)
        let kept = site.previews.keep(converted, hash: model.hash)
        return try await ModelDownload.response(for: ModelFile(hash: model.hash, bytes: kept), request: request, headers: headers)
    }

    /// The model's thumbnail, made once (by the use case, on the compute pool) and kept.
    private func png(_ model: Model) async throws -> [UInt8] {
        if let cached = site.pictures.cached(hash: model.hash) { return cached }
        let picture = try await site.useCases.thumbnail(hash: model.hash, filename: model.filename, size: ModelPictures.size) {
            try PNG.encode($0)
        }
        return site.pictures.keep(picture, hash: model.hash)
    }
}

/// Files made once per model and kept in memory, the most recent ones up to a number of bytes.
final class ModelFileCache: Sendable {
    private struct State {
        var files: [String: [UInt8]] = [:]
        /// Hashes from the oldest kept to the newest.
        var order: [String] = []
        var bytes = 0
    }
    private let state = Mutex(State())
    private let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func cached(hash: String) -> [UInt8]? { state.withLock { $0.files[hash] } }

    /// Keeps `file` (unless it alone is larger than the cache), dropping the oldest files to make room.
    func keep(_ file: [UInt8], hash: String) -> [UInt8] {
        guard file.count <= maxBytes else { return file }
        state.withLock { state in
            guard state.files[hash] == nil else { return }
            while state.bytes + file.count > maxBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.files.removeValue(forKey: oldest)?.count ?? 0
            }
            state.files[hash] = file
            state.order.append(hash)
            state.bytes += file.count
        }
        return file
    }
}

/// Thumbnails: their size in pixels.
enum ModelPictures {
    static let size = 160
}

/// PNG files of RGBA pictures (zlib-compressed, as the format wants).
enum PNG {
    static func encode(_ picture: Thumbnail) throws -> [UInt8] {
        var raw = ByteBuffer()
        raw.reserveCapacity(picture.height * (picture.width * 4 + 1))
        for y in 0..<picture.height {
            raw.writeInteger(UInt8(0))  // no filter
            raw.writeBytes(picture.rgba[(y * picture.width * 4)..<((y + 1) * picture.width * 4)])
        }
        let compressed = try raw.compress(with: .zlib())
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(picture.width)) + bigEndian(UInt32(picture.height))
        header += [8, 6, 0, 0, 0]  // 8 bits per channel, RGBA, deflate, no filter method, no interlace
        chunk("IHDR", header, into: &png)
        chunk("IDAT", Array(compressed.readableBytesView), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
