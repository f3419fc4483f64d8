import Foundation

/// Writes meshes as binary STL, ASCII STL or OBJ.
public enum MeshWriter {
    public static func binarySTL(_ soup: TriangleSoup, header: String = "Atelier") -> [UInt8] {
        let count = soup.triangleCount
        var bytes = [UInt8](repeating: 0, count: 84 + 50 * count)
        for (i, b) in header.utf8.prefix(80).enumerated() { bytes[i] = b }
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(count).littleEndian, toByteOffset: 80, as: UInt32.self)
            soup.coordinates.withUnsafeBufferPointer { c in
                for t in 0..<count {
                    let base = 84 + t * 50
                    let n = normal(c, t)
                    for (k, value) in [n.x, n.y, n.z].enumerated() {
                        raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: base + k * 4, as: UInt32.self)
                    }
                    for k in 0..<9 {
                        raw.storeBytes(of: c[t * 9 + k].bitPattern.littleEndian, toByteOffset: base + 12 + k * 4, as: UInt32.self)
                    }
                }
            }
        }
        return bytes
    }

    public static func asciiSTL(_ soup: TriangleSoup, name: String = "atelier") -> [UInt8] {
        var text = "solid \(name)\n"
        soup.coordinates.withUnsafeBufferPointer { c in
            for t in 0..<soup.triangleCount {
                let n = normal(c, t)
                text += "  facet normal \(n.x) \(n.y) \(n.z)\n    outer loop\n"
                for k in 0..<3 {
                    let i = t * 9 + k * 3
                    text += "      vertex \(c[i]) \(c[i + 1]) \(c[i + 2])\n"
                }
                text += "    endloop\n  endfacet\n"
            }
        }
        text += "endsolid \(name)\n"
        return Array(text.utf8)
    }

    public static func obj(_ mesh: IndexedMesh) -> [UInt8] {
        var text = "# Atelier\no model\n"
        for p in mesh.positions { text += "v \(p.x) \(p.y) \(p.z)\n" }
        for t in mesh.triangles { text += "f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n" }
        return Array(text.utf8)
    }

    private static func normal(_ c: UnsafeBufferPointer<Float>, _ t: Int) -> SIMD3<Float> {
        let a = SIMD3(c[t * 9], c[t * 9 + 1], c[t * 9 + 2])
        let b = SIMD3(c[t * 9 + 3], c[t * 9 + 4], c[t * 9 + 5])
        let d = SIMD3(c[t * 9 + 6], c[t * 9 + 7], c[t * 9 + 8])
        let u = b - a, v = d - a
        let n = SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
        let length = (n * n).sum().squareRoot()
        return length > 0 ? n / length : .zero
    }
}
