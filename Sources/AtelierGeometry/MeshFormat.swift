/// The model file formats Atelier reads.
public enum MeshFormat: String, Sendable, Codable, CaseIterable {
    case binarySTL = "stl-binary"
    case asciiSTL = "stl-ascii"
    case obj

    /// Chooses the format from the file name when it says (`.obj`), otherwise from the content.
    ///
    /// An STL that starts with `solid` is ASCII unless its size matches the binary layout exactly
    /// (some exporters start binary headers with `solid` too).
    public static func detect(filename: String?, bytes: UnsafeRawBufferPointer) throws -> MeshFormat {
        let lower = filename?.lowercased() ?? ""
        if lower.hasSuffix(".obj") { return .obj }
        if bytes.count >= 84 {
            let declared = Int(bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self).littleEndian)
            if 84 + declared * 50 == bytes.count { return .binarySTL }
        }
        var start = 0
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        if startsWith(bytes, at: start, "solid") { return .asciiSTL }
        if !lower.hasSuffix(".stl"), startsLikeOBJ(bytes, at: start) { return .obj }
        if lower.hasSuffix(".stl") || bytes.count >= 84 { return .binarySTL }
        throw MeshError.unknownFormat("it is \(bytes.count) bytes long and starts with neither 'solid' nor an OBJ statement.")
    }

    /// A comment or one of the statements an OBJ file begins with.
    static func startsLikeOBJ(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        ["#", "v ", "vn ", "vt ", "o ", "g ", "f ", "s ", "mtllib ", "usemtl "].contains { (prefix: StaticString) in
            startsWith(bytes, at: start, prefix)
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func startsWith(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where bytes[offset + i] | 0x20 != p[i] | 0x20 { return false }
        return true
    }
}
