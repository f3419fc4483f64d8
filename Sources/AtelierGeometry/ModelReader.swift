/// Limits a model must respect to be accepted.
public struct MeshLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxTriangles: Int
    /// The largest side of the bounding box must be at least this long, mm.
    public var minExtentMM: Double
    /// No side of the bounding box may be longer than this, mm.
    public var maxExtentMM: Double
    /// The smallest volume a piece to cast may enclose, mm³.
    public var minVolumeMM3: Double
    /// The longest that reading and analysing one model may take; `nil`: no limit.
    public var timeBudget: Duration?

    public init(
        maxBytes: Int = 100 * 1024 * 1024, maxTriangles: Int = 5_000_000, minExtentMM: Double = 1, maxExtentMM: Double = 250,
        minVolumeMM3: Double = 1, timeBudget: Duration? = .seconds(20)
    ) {
        self.maxBytes = maxBytes
        self.maxTriangles = maxTriangles
        self.minExtentMM = minExtentMM
        self.maxExtentMM = maxExtentMM
        self.minVolumeMM3 = minVolumeMM3
        self.timeBudget = timeBudget
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

    ///
    /// The limits' time budget covers reading and analysis together.
    public static func read(_ bytes: UnsafeRawBufferPointer, filename: String?, limits: MeshLimits = MeshLimits()) throws -> ReadModel {
        let deadline = WorkDeadline(limits)
        let (format, soup) = try triangles(bytes, filename: filename, limits: limits, deadline: deadline)
        return try analyze(format: format, soup: soup, limits: limits, deadline: deadline)
    }

    /// Analyses the triangles read from a file of `format` and enforces the limits on what they
    /// make (once the file's bytes are no longer needed: a mapped file can be let go of first).
    public static func analyze(format: MeshFormat, soup: TriangleSoup, limits: MeshLimits, deadline: WorkDeadline) throws -> ReadModel {
        let analysis = try MeshAnalyzer.analyze(soup, deadline: deadline)
        let size = analysis.boundingBox.sizeMM
        guard let largest = size.max(), largest >= limits.minExtentMM, largest <= limits.maxExtentMM else {
            throw MeshError.implausibleSize(sizeMM: size, minMM: limits.minExtentMM, maxMM: limits.maxExtentMM)
        }
        guard analysis.volumeMM3.isFinite, analysis.volumeMM3 >= limits.minVolumeMM3 else {
            throw MeshError.noVolume(volumeMM3: analysis.volumeMM3.isFinite ? analysis.volumeMM3 : 0, minMM3: limits.minVolumeMM3)
        }
        return ReadModel(format: format, analysis: analysis)
    }

    /// Reads the triangles of a model file of any supported format, without analysing them
    /// (previews and thumbnails of files that were accepted before).
    public static func triangles(
        _ bytes: UnsafeRawBufferPointer, filename: String?, limits: MeshLimits = MeshLimits(), deadline: WorkDeadline? = nil
    ) throws -> (MeshFormat, TriangleSoup) {
        let deadline = deadline ?? WorkDeadline(limits)
        guard !bytes.isEmpty else { throw MeshError.empty }
        guard bytes.count <= limits.maxBytes else { throw MeshError.tooLarge(bytes: bytes.count, limit: limits.maxBytes) }
        let format = try MeshFormat.detect(filename: filename, bytes: bytes)
        switch format {
        case .binarySTL: return (format, try STLReader.readBinary(bytes, maxTriangles: limits.maxTriangles, deadline: deadline))
        case .asciiSTL: return (format, try STLReader.readASCII(bytes, maxTriangles: limits.maxTriangles, deadline: deadline))
        case .obj:
            return (format, try OBJReader.read(bytes, maxTriangles: limits.maxTriangles, deadline: deadline).soup(deadline: deadline))
        }
    }
}
