import AtelierDomain
import AtelierGeometry
import AtelierStorage
import Foundation
import Metrics

/// Reads, validates and analyses an uploaded model; shared by the shop and the offline `quote` command.
public enum ModelIntake {
    /// Analyses `bytes` on `pool`, within the limits' time budget; throws ``MeshError`` with the
    /// precise reason when the file is refused.
    /// `owner` (the account) may have only a few analyses in the pool at once.
    public static func analyze(
        bytes: [UInt8], filename: String, limits: MeshLimits, on pool: ComputePool, owner: String
    ) async throws -> ModelInfo {
        try await pool.run(owner: owner) { try analyze(bytes: bytes, filename: filename, limits: limits) }
    }

    /// Analyses `bytes` on the calling thread (the command line, benchmarks).
    public static func analyze(bytes: [UInt8], filename: String, limits: MeshLimits) throws -> ModelInfo {
        let started = ContinuousClock.now
        let model = try ModelReader.read(bytes, filename: filename, limits: limits)
        let result = info(model, hash: sha256Hex(bytes), filename: filename, sizeBytes: bytes.count)
        Metrics.Timer(
            label: "atelier_model_analysis_duration_seconds", dimensions: [("size", sizeClass(triangles: model.analysis.triangles))],
            preferredDisplayUnit: .seconds
        ).record(duration: ContinuousClock.now - started)
        return result
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

/// A label for model sizes in metrics: `<10k`, `<100k`, `<1M`, `>=1M` triangles.
func sizeClass(triangles: Int) -> String {
    switch triangles {
    case ..<10_000: "<10k"
    case ..<100_000: "<100k"
    case ..<1_000_000: "<1M"
    default: ">=1M"
    }
}

extension UseCaseContext {
    /// The price list, once `material` and `finishes` are known to be on it: every order and
    /// estimate is checked here, before any work on its model.
    @discardableResult
    func offered(material: String, finishes: [String]) async throws -> PriceList {
        let priceList = try await store.reader.priceList()
        _ = try priceList.material(material)
        _ = try priceList.finishes(finishes)
        return priceList
    }

    /// Prices a model without storing anything (the shop's estimate, the partners' instant quote),
    /// by the rules the order of `asker` would be priced by now.
    func estimate(
        material: String, finishes: [String], bytes: [UInt8], filename: String?, owner: String, asker: FlagContext
    ) async throws -> (Quote, ModelInfo) {
        let priceList = try await offered(material: material, finishes: finishes)
        let info = try await ModelIntake.analyze(
            bytes: bytes, filename: ModelIntake.cleanFilename(filename), limits: configuration.meshLimits, on: compute, owner: owner)
        let rules = PricingRules(v2: self.flags.value(.pricingRulesV2, asker, defaultValue: false))
        let quote = try QuoteCalculator.quote(
            metrics: info.metrics, materialCode: material, finishCodes: finishes, priceList: priceList, rules: rules)
        return (quote, info)
    }
}
