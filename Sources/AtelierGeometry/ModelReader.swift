/// Limits a model must respect to be accepted.
public struct MeshLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxTriangles: Int
    /// The largest side of the bounding box must be at least this long, mm.
    public var minExtentMM: Double
    /// No side of the bounding box may be longer than this, mm.
    public var maxExtentMM: Double

    public init(maxBytes: Int = 100 * 1024 * 1024, maxTriangles: Int = 5_000_000, minExtentMM: Double = 1, maxExtentMM: Double = 250) {
        self.maxBytes = maxBytes
        self.maxTriangles = maxTriangles
        self.minExtentMM = minExtentMM
        self.maxExtentMM = maxExtentMM
    }
}

/// A model file that was read, checked and analysed.
public struct ReadModel: Sendable {
    public var format: MeshFormat
    public var analysis: MeshAnalysis
}

/// Reads a model file of any supported format, enforces the limits and analyses it.
public enum ModelReader {
    public static func read(_ bytes: [UInt8], filename: String?, limits: MeshLimits = MeshLimits()) throws -> ReadModel {
        try bytes.withUnsafeBytes { try read($0, filename: filename, limits: limits) }
    }

    public static func read(_ bytes: UnsafeRawBufferPointer, filename: String?, limits: MeshLimits = MeshLimits()) throws -> ReadModel {
        let (format, soup) = try triangles(bytes, filename: filename, limits: limits)
        let analysis = MeshAnalyzer.analyze(soup)
        let size = analysis.boundingBox.sizeMM
        guard let largest = size.max(), largest >= limits.minExtentMM, largest <= limits.maxExtentMM else {
            throw MeshError.implausibleSize(sizeMM: size, minMM: limits.minExtentMM, maxMM: limits.maxExtentMM)
        }
        return ReadModel(format: format, analysis: analysis)
    }

    /// Reads the triangles of a model file of any supported format, without analysing them
    /// (previews and thumbnails of files that were accepted before).
    public static func triangles(
        _ bytes: UnsafeRawBufferPointer, filename: String?, limits: MeshLimits = MeshLimits()
    ) throws -> (MeshFormat, TriangleSoup) {
        guard !bytes.isEmpty else { throw MeshError.empty }
        guard bytes.count <= limits.maxBytes else { throw MeshError.tooLarge(bytes: bytes.count, limit: limits.maxBytes) }
        let format = try MeshFormat.detect(filename: filename, bytes: bytes)
        switch format {
        case .binarySTL: return (format, try STLReader.readBinary(bytes, maxTriangles: limits.maxTriangles))
        case .asciiSTL: return (format, try STLReader.readASCII(bytes, maxTriangles: limits.maxTriangles))
        case .obj: return (format, try OBJReader.read(bytes, maxTriangles: limits.maxTriangles).soup)
        }
    }
}
