import Foundation

/// Builds closed meshes of simple solids: test fixtures, demo catalog pieces and benchmark inputs.
public enum MeshGenerator {
    /// An axis-aligned cube of side `size` mm with one corner at the origin: 12 triangles.
    public static func cube(size: Float) -> IndexedMesh {
        var positions: [SIMD3<Float>] = []
        for i in 0..<8 {
            positions.append(SIMD3(i & 1 == 0 ? 0 : size, i & 2 == 0 ? 0 : size, i & 4 == 0 ? 0 : size))
        }
        // Outward-facing, counter-clockwise seen from outside.
        let faces: [[UInt32]] = [
            [0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [1, 3, 7, 5],
        ]
        var triangles: [SIMD3<UInt32>] = []
        for f in faces {
            triangles.append(SIMD3(f[0], f[1], f[2]))
            triangles.append(SIMD3(f[0], f[2], f[3]))
        }
        return IndexedMesh(positions: positions, triangles: triangles)
    }

    /// A UV sphere of `radius` mm centred at `center`, closed at the poles.
    public static func sphere(radius: Double, segments: Int, rings: Int, center: SIMD3<Double> = .zero) -> IndexedMesh {
        var mesh = IndexedMesh()
        func add(_ p: SIMD3<Double>) { mesh.positions.append(SIMD3<Float>(p + center)) }
        add(SIMD3(0, 0, radius))  // north pole: 0
        for r in 1..<rings {
            let theta = Double.pi * Double(r) / Double(rings)
            for s in 0..<segments {
                let phi = 2 * Double.pi * Double(s) / Double(segments)
                add(SIMD3(radius * sin(theta) * cos(phi), radius * sin(theta) * sin(phi), radius * cos(theta)))
            }
        }
        add(SIMD3(0, 0, -radius))  // south pole
        let south = UInt32(mesh.positions.count - 1)
        func ring(_ r: Int, _ s: Int) -> UInt32 { UInt32(1 + (r - 1) * segments + (s % segments)) }
        for s in 0..<segments {
            mesh.triangles.append(SIMD3(0, ring(1, s), ring(1, s + 1)))
            mesh.triangles.append(SIMD3(south, ring(rings - 1, s + 1), ring(rings - 1, s)))
        }
        for r in 1..<(rings - 1) {
            for s in 0..<segments {
                let a = ring(r, s), b = ring(r, s + 1), c = ring(r + 1, s), d = ring(r + 1, s + 1)
                mesh.triangles.append(SIMD3(a, c, d))
                mesh.triangles.append(SIMD3(a, d, b))
            }
        }
        return mesh
    }

    /// A torus (a plain ring band) around the z axis: tube of radius `minor` mm at distance `major` mm.
    public static func torus(major: Double, minor: Double, segments: Int, sides: Int, center: SIMD3<Double> = .zero) -> IndexedMesh {
        let profile = (0..<sides).map { t in
            let v = 2 * Double.pi * Double(t) / Double(sides)
            return SIMD2(major + minor * cos(v), minor * sin(v))
        }
        return lathe(profile, segments: segments, closed: true, center: center)
    }

    /// A solid of revolution around the z axis, from a profile of (radius, z) points.
    ///
    /// A `closed` profile is a loop, counter-clockwise in the (radius, z) plane (a band, a torus).
    /// An open profile runs from a point on the axis, up the outside, to another point on the axis
    /// (a cylinder, a cone, a stone); its two ends become single vertices. Either way the result is
    /// closed and faces outward.
    public static func lathe(_ profile: [SIMD2<Double>], segments: Int, closed: Bool, center: SIMD3<Double> = .zero) -> IndexedMesh {
        var mesh = IndexedMesh()
        let rings = closed ? profile : Array(profile.dropFirst().dropLast())
        for s in 0..<segments {
            let u = 2 * Double.pi * Double(s) / Double(segments)
            for point in rings {
                mesh.positions.append(SIMD3<Float>(SIMD3(point.x * cos(u), point.x * sin(u), point.y) + center))
            }
        }
        let n = rings.count
        func index(_ s: Int, _ t: Int) -> UInt32 { UInt32((s % segments) * n + (t % n)) }
        for s in 0..<segments {
            for t in 0..<(closed ? n : n - 1) {
                let a = index(s, t), b = index(s + 1, t), c = index(s + 1, t + 1), d = index(s, t + 1)
                mesh.triangles.append(SIMD3(a, b, c))
                mesh.triangles.append(SIMD3(a, c, d))
            }
        }
        if !closed, let first = profile.first, let last = profile.last {
            let bottom = UInt32(mesh.positions.count), top = bottom + 1
            mesh.positions.append(SIMD3<Float>(SIMD3(0, 0, first.y) + center))
            mesh.positions.append(SIMD3<Float>(SIMD3(0, 0, last.y) + center))
            for s in 0..<segments {
                mesh.triangles.append(SIMD3(bottom, index(s + 1, 0), index(s, 0)))
                mesh.triangles.append(SIMD3(top, index(s, n - 1), index(s + 1, n - 1)))
            }
        }
        return mesh
    }

    /// A prism: a simple polygon (counter-clockwise in the xy plane, star-shaped around `center`)
    /// extruded along z from `bottom` to `top`.
    public static func prism(_ outline: [SIMD2<Double>], center: SIMD2<Double>, bottom: Double, top: Double) -> IndexedMesh {
        var mesh = IndexedMesh()
        for point in outline { mesh.positions.append(SIMD3<Float>(Float(point.x), Float(point.y), Float(bottom))) }
        for point in outline { mesh.positions.append(SIMD3<Float>(Float(point.x), Float(point.y), Float(top))) }
        let n = UInt32(outline.count)
        let lowCenter = UInt32(mesh.positions.count), highCenter = lowCenter + 1
        mesh.positions.append(SIMD3<Float>(Float(center.x), Float(center.y), Float(bottom)))
        mesh.positions.append(SIMD3<Float>(Float(center.x), Float(center.y), Float(top)))
        for i in 0..<n {
            let j = (i + 1) % n
            mesh.triangles.append(SIMD3(lowCenter, j, i))
            mesh.triangles.append(SIMD3(highCenter, n + i, n + j))
            mesh.triangles.append(SIMD3(i, j, n + j))
            mesh.triangles.append(SIMD3(i, n + j, n + i))
        }
        return mesh
    }

    /// The mesh moved by `transform` (a rotation or mirror-free matrix) and then by `offset`.
    public static func transformed(_ mesh: IndexedMesh, _ transform: Basis, offset: SIMD3<Double>) -> IndexedMesh {
        var result = mesh
        result.positions = mesh.positions.map { p in
            let v = SIMD3<Double>(p)
            let rotated = transform.x * v.x + transform.y * v.y + transform.z * v.z
            return SIMD3<Float>(rotated + offset)
        }
        return result
    }

    /// An irregular piece of about `triangles` triangles: a lumpy, uneven body (a sphere whose every
    /// vertex is pushed in or out by its own pseudo-random amount) set with three lumpy stones as
    /// separate shells. Closed and watertight; the same `seed` gives the same mesh.
    public static func irregular(triangles: Int, seed: UInt64 = 42) -> IndexedMesh {
        var random = SplitMix64(seed: seed)
        func lumpy(_ mesh: IndexedMesh, center: SIMD3<Float>, amplitude: Float) -> IndexedMesh {
            var mesh = mesh
            for index in mesh.positions.indices {
                let offset = mesh.positions[index] - center
                let length = (offset * offset).sum().squareRoot()
                guard length > 0 else { continue }
                let factor = 1 + amplitude * (Float(random.next() % 10_000) / 10_000 - 0.5)
                mesh.positions[index] = center + offset * factor
            }
            return mesh
        }
        // A UV sphere has 2 × segments × (rings − 1) triangles; segments = 2 × rings.
        let bodyRings = max(4, Int((Double(triangles) * 0.85 / 4).squareRoot()))
        let stoneRings = max(4, Int((Double(triangles) * 0.05 / 4).squareRoot()))
        var parts = [lumpy(sphere(radius: 8, segments: 2 * bodyRings, rings: bodyRings), center: .zero, amplitude: 0.2)]
        for (index, center) in [SIMD3<Double>(0, 0, 9.5), SIMD3(6, 0, 7), SIMD3(-6, 0, 7)].enumerated() {
            let radius = index == 0 ? 2.5 : 1.5
            parts.append(
                lumpy(
                    sphere(radius: radius, segments: 2 * stoneRings, rings: stoneRings, center: center), center: SIMD3<Float>(center),
                    amplitude: 0.1))
        }
        return merge(parts)
    }

    /// Joins meshes into one (separate shells).
    public static func merge(_ meshes: [IndexedMesh]) -> IndexedMesh {
        var result = IndexedMesh()
        for mesh in meshes {
            let base = UInt32(result.positions.count)
            result.positions += mesh.positions
            result.triangles += mesh.triangles.map { $0 &+ SIMD3(repeating: base) }
        }
        return result
    }
}

/// A small deterministic pseudo-random generator (SplitMix64), for reproducible benchmark inputs.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where the x, y and z axes go: the columns of a rotation.
public struct Basis: Sendable {
    public var x: SIMD3<Double>
    public var y: SIMD3<Double>
    public var z: SIMD3<Double>

    public static let identity = Basis(x: SIMD3(1, 0, 0), y: SIMD3(0, 1, 0), z: SIMD3(0, 0, 1))
    /// z becomes y: a solid made around the z axis then stands on the y axis.
    public static let zToY = Basis(x: SIMD3(1, 0, 0), y: SIMD3(0, 0, -1), z: SIMD3(0, 1, 0))
    /// z becomes x.
    public static let zToX = Basis(x: SIMD3(0, 0, -1), y: SIMD3(0, 1, 0), z: SIMD3(1, 0, 0))
}
