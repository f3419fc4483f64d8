import AtelierText

/// Reads Wavefront OBJ geometry: `v` vertices and `f` faces (polygons are split into triangles).
public enum OBJReader {
    ///
    /// Linear in the file's size; the triangle cap is checked as each polygon's indices are read, so
    /// one long polygon line cannot grow memory past it.
    public static func read(
        _ bytes: UnsafeRawBufferPointer, maxTriangles: Int = .max, deadline: WorkDeadline = .none
    ) throws -> IndexedMesh {
        guard !bytes.isEmpty else { throw MeshError.empty }
        var cursor = TextCursor(bytes)
        var mesh = IndexedMesh()
        var face: [UInt32] = []
        /// Positive indices that pointed past the vertices known at their line: checked at the end.
        var forward: [(line: Int, index: Int)] = []

        func fail(_ message: Phrase) -> MeshError {
            MeshError.syntax(format: "OBJ", line: cursor.line, message: message)
        }

        var statements = 0
        while !cursor.atEnd {
            statements += 1
            if statements & 0xFFF == 0 { try deadline.check() }
            cursor.skipBlanks()
            if cursor.consume("v") {
                var p = SIMD3<Float>()
                let line = cursor.line
                for axis in 0..<3 {
                    guard let value = cursor.number() else {
                        throw fail(
                            "expected 3 numbers after 'v', found \(cursor.preview()) in place of the \(["x", "y", "z"][axis]) value.")
                    }
                    guard value.isFinite else {
                        throw MeshError.syntax(
                            format: "OBJ", line: line,
                            message: "vertex \(mesh.positions.count + 1): the \(["x", "y", "z"][axis]) coordinate is not a finite number.")
                    }
                    p[axis] = Float(value)
                }
                mesh.positions.append(p)
            } else if cursor.consume("f") {
                face.removeAll(keepingCapacity: true)
                while true {
                    cursor.skipBlanks()
                    if cursor.atEnd { break }
                    let b = cursor.bytes[cursor.position]
                    if b == 0x0A || b == 0x23 { break }
                    guard let raw = cursor.number(), raw == raw.rounded(), abs(raw) < 4e9 else {
                        throw fail("expected a vertex index in the face, found \(cursor.preview()).")
                    }
                    var index = Int(raw)
                    if index < 0 { index += mesh.positions.count + 1 }
                    if index <= 0 {
                        throw MeshError.faceIndexOutOfRange(line: cursor.line, index: Int(raw), vertexCount: mesh.positions.count)
                    }
                    if index > mesh.positions.count { forward.append((cursor.line, index)) }
                    face.append(UInt32(index - 1))
                    // A polygon of n corners becomes n - 2 triangles.
                    if face.count > 2, mesh.triangles.count + face.count - 2 > maxTriangles {
                        throw MeshError.tooManyTriangles(count: mesh.triangles.count + face.count - 2, limit: maxTriangles)
                    }
                    if face.count & 0xFFF == 0 { try deadline.check() }
                    // skip "/texture/normal"
                    while !cursor.atEnd, cursor.bytes[cursor.position] == 0x2F {
                        cursor.position += 1
                        _ = cursor.word()
                    }
                }
                guard face.count >= 3 else {
                    throw fail("a face needs at least 3 vertices, found \(face.count).")
                }
                for k in 1..<(face.count - 1) {
                    mesh.triangles.append(SIMD3(face[0], face[k], face[k + 1]))
                }
            }
            // Every other statement (vn, vt, g, o, s, usemtl, mtllib, comments) does not change the shape.
            cursor.skipLine()
        }
        if let bad = forward.first(where: { $0.index > mesh.positions.count }) {
            throw MeshError.faceIndexOutOfRange(line: bad.line, index: bad.index, vertexCount: mesh.positions.count)
        }
        guard !mesh.triangles.isEmpty else { throw MeshError.noTriangles(format: "OBJ") }
        return mesh
    }
}
