import AtelierDomain
import AtelierGeometry
import AtelierStorage

/// What the viewer and the thumbnails show of a stored model: the geometry work behind the web
/// pages' model files, on the compute pool and within the model's time budget.
extension UseCases {
    /// Whether the stored model is a binary STL, the one format the viewer reads (sent as it is).
    public func isBinarySTL(hash: String) async throws -> Bool {
        try await context.store.reader.model(hash: hash)?.format == MeshFormat.binarySTL.rawValue
    }

    /// A stored model of another format converted to binary STL, for the viewer (worth keeping).
    public func convertedSTL(hash: String, filename: String) async throws -> [UInt8] {
        let bytes = try await modelBytes(hash: hash)
        let limits = context.configuration.meshLimits
        return try await context.compute.run {
            let deadline = WorkDeadline(limits)
            return MeshWriter.binarySTL(
                try bytes.withUnsafeBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline).1 })
        }
    }

    /// A picture of a stored model, `size` pixels square, in the file format `encode` writes (on
    /// the same pool thread, so the encoding stays off the async threads too).
    public func thumbnail(
        hash: String, filename: String, size: Int, encode: @escaping @Sendable (Thumbnail) throws -> [UInt8]
    ) async throws -> [UInt8] {
        let bytes = try await modelBytes(hash: hash)
        let limits = context.configuration.meshLimits
        return try await context.compute.run {
            let deadline = WorkDeadline(limits)
            let soup = try bytes.withUnsafeBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline).1 }
            return try encode(try Thumbnail.render(soup, size: size, deadline: deadline))
        }
    }
}
