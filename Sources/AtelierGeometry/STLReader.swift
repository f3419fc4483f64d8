import AtelierText

/// Reads binary and ASCII STL files into a ``TriangleSoup``.
public enum STLReader {
    /// Reads a binary STL: an 80-byte header, a little-endian triangle count, 50 bytes per triangle.
    public static func readBinary(
        _ bytes: UnsafeRawBufferPointer, maxTriangles: Int = .max, deadline: WorkDeadline = .none
    ) throws -> TriangleSoup {
        guard !bytes.isEmpty else { throw MeshError.empty }
        guard bytes.count >= 84 else {
            throw MeshError.syntax(
                format: "Binary STL", line: 1,
                message: "the file has \(bytes.count) bytes, fewer than the 84-byte header and triangle count.")
        }
        let declared = bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self).littleEndian
        let expected = 84 + Int(declared) * 50
        guard expected == bytes.count else {
            throw MeshError.binarySizeMismatch(declaredTriangles: declared, expectedBytes: expected, actualBytes: bytes.count)
        }
        let count = Int(declared)
        guard count > 0 else { throw MeshError.noTriangles(format: "binary STL") }
        guard count <= maxTriangles else { throw MeshError.tooManyTriangles(count: count, limit: maxTriangles) }

        var coordinates = [Float](repeating: 0, count: count * 9)
        try coordinates.withUnsafeMutableBufferPointer { out in
            var offset = 84 + 12  // skip the normal of the first triangle
            var k = 0
            for triangle in 0..<count {
                if triangle & 0xFFF == 0 { try deadline.check() }
                var allFinite = true
                for c in 0..<9 {
                    let value = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: offset + c * 4, as: UInt32.self).littleEndian)
                    out[k + c] = value
                    allFinite = allFinite && value.isFinite
                }
                if !allFinite {
                    for c in 0..<9 where !out[k + c].isFinite {
                        throw MeshError.nonFinite(triangle: triangle + 1, vertex: c / 3 + 1, axis: ["x", "y", "z"][c % 3], line: nil)
                    }
                }
                k += 9
                offset += 50
            }
        }
        return TriangleSoup(coordinates: coordinates)
    }

    /// Reads an ASCII STL (`solid … facet normal … outer loop … vertex x y z … endloop endfacet … endsolid`).
    public static func readASCII(
        _ bytes: UnsafeRawBufferPointer, maxTriangles: Int = .max, deadline: WorkDeadline = .none
    ) throws -> TriangleSoup {
        guard !bytes.isEmpty else { throw MeshError.empty }
        var cursor = TextCursor(bytes)
        var coordinates = [Float]()
        coordinates.reserveCapacity(min(bytes.count / 28, 1 << 26))
        var triangle = 0

        func fail(_ message: Phrase) -> MeshError {
            MeshError.syntax(format: "ASCII STL", line: cursor.line, message: message)
        }
        func expect(_ keyword: StaticString) throws {
            cursor.skipWhitespace()
            guard cursor.consume(keyword) else {
                throw fail("expected '\(keyword)', found \(cursor.preview()).")
            }
        }
        func vector(_ what: String) throws -> (Double, Double, Double) {
            var values = (0.0, 0.0, 0.0)
            for axis in 0..<3 {
                guard let value = cursor.number() else {
                    throw fail(
                        "expected 3 numbers after '\(what)', found \(cursor.preview()) in place of the \(["x", "y", "z"][axis]) value.")
                }
                switch axis {
                case 0: values.0 = value
                case 1: values.1 = value
                default: values.2 = value
                }
            }
            return values
        }

        cursor.skipWhitespace()
        var solids = 0
        while true {
            cursor.skipWhitespace()
            if cursor.atEnd { break }
            guard cursor.consume("solid") else {
                throw fail(
                    solids == 0
                        ? "expected 'solid' at the start, found \(cursor.preview())."
                        : "expected 'solid' or the end of the file, found \(cursor.preview()).")
            }
            solids += 1
            cursor.skipLine()  // the solid's name
            while true {
                cursor.skipWhitespace()
                if cursor.atEnd { throw fail("the file ends before 'endsolid'; it looks truncated.") }
                if cursor.consume("endsolid") {
                    cursor.skipLine()
                    break
                }
                guard cursor.consume("facet") else {
                    throw fail("expected 'facet' or 'endsolid', found \(cursor.preview()).")
                }
                try expect("normal")
                _ = try vector("facet normal")
                try expect("outer")
                try expect("loop")
                triangle += 1
                if triangle & 0xFFF == 0 { try deadline.check() }
                if triangle > maxTriangles { throw MeshError.tooManyTriangles(count: triangle, limit: maxTriangles) }
                for corner in 1...3 {
                    try expect("vertex")
                    let line = cursor.line
                    let (x, y, z) = try vector("vertex")
                    for (axis, value) in [("x", x), ("y", y), ("z", z)] where !value.isFinite {
                        throw MeshError.nonFinite(triangle: triangle, vertex: corner, axis: axis, line: line)
                    }
                    coordinates.append(Float(x))
                    coordinates.append(Float(y))
                    coordinates.append(Float(z))
                }
                cursor.skipWhitespace()
                if cursor.consume("vertex") {
                    throw fail("facet \(triangle) has more than 3 vertices; only triangles are allowed.")
                }
                try expect("endloop")
                try expect("endfacet")
            }
        }
        guard triangle > 0 else { throw MeshError.noTriangles(format: "ASCII STL") }
        return TriangleSoup(coordinates: coordinates)
    }
}
