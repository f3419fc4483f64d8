/// Triangles as a flat list of coordinates, nine per triangle (x, y, z of three corners), in millimetres.
///
/// Every reader produces this form; the analysis welds corners into shared vertices itself.
public struct TriangleSoup: Sendable, Equatable {
    public var coordinates: [Float]

    public init(coordinates: [Float] = []) {
        precondition(coordinates.count % 9 == 0)
        self.coordinates = coordinates
    }

    public var triangleCount: Int { coordinates.count / 9 }
}

/// A mesh with shared vertices, as generators build it and OBJ stores it.
public struct IndexedMesh: Sendable, Equatable {
    public var positions: [SIMD3<Float>]
    public var triangles: [SIMD3<UInt32>]

    public init(positions: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []) {
        self.positions = positions
        self.triangles = triangles
    }

    /// The same triangles as a soup.
    public var soup: TriangleSoup { makeSoup { _ in } }

    /// The same triangles as a soup, within `deadline`.
    public func soup(deadline: WorkDeadline) throws -> TriangleSoup { try makeSoup(deadline.check) }

    private func makeSoup(_ check: (Int) throws -> Void) rethrows -> TriangleSoup {
        var coordinates = [Float]()
        coordinates.reserveCapacity(triangles.count * 9)
        for (step, triangle) in triangles.enumerated() {
            try check(step)
            for corner in 0..<3 {
                let p = positions[Int(triangle[corner])]
                coordinates.append(p.x)
                coordinates.append(p.y)
                coordinates.append(p.z)
            }
        }
        return TriangleSoup(coordinates: coordinates)
    }
}
