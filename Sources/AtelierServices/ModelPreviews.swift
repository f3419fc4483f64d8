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
        let limits = context.configuration.meshLimits
        return try await context.withStoredModel(hash: hash) { bytes in
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
        try await context.withStoredTriangles(hash: hash, filename: filename) { soup, deadline in
            try encode(try Thumbnail.render(soup, size: size, deadline: deadline))
        }
    }

    /// The wall thickness of every triangle of a stored model, mm, in the order of its triangles
    /// (the order of the binary STL the viewer draws); NaN where it could not be measured.
    public func wallThickness(hash: String, filename: String) async throws -> [Float] {
        try await context.withStoredTriangles(hash: hash, filename: filename) { soup, deadline in
            try ThicknessAnalyzer.analyze(soup, thresholdMM: 1, deadline: deadline).perTriangle
        }
    }
}

extension UseCaseContext {
    /// `work` on a stored model's triangles (read as `filename` says), on the compute pool, within
    /// the model's time budget, which `work` keeps to as well.
    func withStoredTriangles<T: Sendable>(
        hash: String, filename: String, _ work: @escaping @Sendable (TriangleSoup, WorkDeadline) throws -> T
    ) async throws -> T {
        let limits = configuration.meshLimits
        return try await withStoredModel(hash: hash) { bytes in
            let deadline = WorkDeadline(limits)
            let soup = try bytes.withUnsafeBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline).1 }
            return try work(soup, deadline)
        }
    }

    /// `work` on a stored model's bytes, on the compute pool, with the memory it needs reserved
    /// before the bytes are read.
    func withStoredModel<T: Sendable>(hash: String, _ work: @escaping @Sendable ([UInt8]) throws -> T) async throws -> T {
        let file = try await modelFile(hash: hash)
        return try await analysisMemory.withReservation(ModelIntake.memoryNeeded(bytes: Int(file.size))) {
            let bytes = try await bytes(of: file)
            return try await compute.run { try work(bytes) }
        }
    }
}
