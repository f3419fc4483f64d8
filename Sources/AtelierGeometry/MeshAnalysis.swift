/// An axis-aligned box in millimetres.
public struct BoundingBox: Sendable, Hashable, Codable {
    public var min: [Double]
    public var max: [Double]

    /// Length of each side (x, y, z) in millimetres.
    public var sizeMM: [Double] { (0..<3).map { max[$0] - min[$0] } }
}

/// What Atelier knows about a model after reading it.
public struct MeshAnalysis: Sendable, Hashable, Codable {
    public var triangles: Int
    /// Distinct vertices after welding identical corners.
    public var vertices: Int
    /// Enclosed volume, mm³ (absolute value of the signed volume).
    public var volumeMM3: Double
    public var surfaceAreaMM2: Double
    public var boundingBox: BoundingBox
    /// Connected parts of the mesh.
    public var shells: Int
    /// Closed, manifold and consistently oriented: every edge is shared by exactly two triangles in opposite directions.
    public var watertight: Bool
    /// Edges used by one triangle only (holes).
    public var boundaryEdges: Int
    /// Edges used by more than two triangles, or twice in the same direction.
    public var nonManifoldEdges: Int
    /// Triangles with a repeated corner.
    public var degenerateTriangles: Int
    /// True when the triangles face inwards (negative signed volume).
    public var inverted: Bool
}
