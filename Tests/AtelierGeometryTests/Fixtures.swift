import AtelierGeometry

/// The three encodings of one mesh, as a user would upload them.
enum Encoding: String, CaseIterable, CustomStringConvertible {
    case binarySTL, asciiSTL, obj
    var description: String { rawValue }

    var filename: String { self == .obj ? "model.obj" : "model.stl" }

    func encode(_ mesh: IndexedMesh) -> [UInt8] {
        switch self {
        case .binarySTL: MeshWriter.binarySTL(mesh.soup)
        case .asciiSTL: MeshWriter.asciiSTL(mesh.soup)
        case .obj: MeshWriter.obj(mesh)
        }
    }

    func read(_ mesh: IndexedMesh, limits: MeshLimits = MeshLimits()) throws -> ReadModel {
        try ModelReader.read(encode(mesh), filename: filename, limits: limits)
    }
}

func relativeError(_ value: Double, _ expected: Double) -> Double { abs(value - expected) / abs(expected) }

func messageOf(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
