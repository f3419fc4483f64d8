import AtelierDomain
import AtelierGeometry
import Foundation

/// Reads, validates and analyses an uploaded model; shared by the shop and the offline `quote` command.
public enum ModelIntake {
    /// Analyses `bytes`; throws ``MeshError`` with the precise reason when the file is refused.
    public static func analyze(bytes: [UInt8], filename: String, limits: MeshLimits) throws -> ModelInfo {
        let model = try ModelReader.read(bytes, filename: filename, limits: limits)
        return info(model, hash: sha256Hex(bytes), filename: filename, sizeBytes: bytes.count)
    }

    static func info(_ model: ReadModel, hash: String, filename: String, sizeBytes: Int) -> ModelInfo {
        let a = model.analysis
        return ModelInfo(
            hash: hash, filename: filename, format: model.format.rawValue, sizeBytes: sizeBytes,
            metrics: ModelMetrics(volumeMM3: a.volumeMM3, surfaceAreaMM2: a.surfaceAreaMM2, triangles: a.triangles, shells: a.shells),
            vertices: a.vertices, boundingBoxMinMM: a.boundingBox.min, boundingBoxMaxMM: a.boundingBox.max,
            watertight: a.watertight, boundaryEdges: a.boundaryEdges, nonManifoldEdges: a.nonManifoldEdges)
    }

    /// A clean file name: the last path component, at most 120 characters, no control characters.
    public static func cleanFilename(_ name: String?) -> String {
        let last = (name ?? "model").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "model"
        let cleaned = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(120))
        return cleaned.isEmpty ? "model" : cleaned
    }
}
