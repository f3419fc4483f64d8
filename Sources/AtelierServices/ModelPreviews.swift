import AtelierDomain
import AtelierGeometry

/// What the viewer and the thumbnails show of a stored model: the geometry work behind the web
/// pages' model files, on the compute pool and within the model's time budget.
extension UseCases {
    /// A stored model as binary STL, the one format the viewer reads: the stored bytes when they
    /// are binary STL already (`converted` false), else the model converted (worth keeping).
    public func previewSTL(hash: String, filename: String) async throws -> (bytes: [UInt8], converted: Bool) {
        let bytes = try await modelBytes(hash: hash)
        let format = try bytes.withUnsafeBytes { try MeshFormat.detect(filename: filename, bytes: $0) }
        if format == .binarySTL { return (bytes, false) }
        let limits = context.configuration.meshLimits
        return try await context.compute.run {
            let deadline = WorkDeadline(limits)
            return (
                MeshWriter.binarySTL(
                    try bytes.withUnsafeBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline).1 }),
                true
            )
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
