import AtelierDomain
import AtelierGeometry
import AtelierStorage
import Foundation
import Metrics

/// Reads, validates and analyses an uploaded model; shared by the shop and the offline `quote` command.
public enum ModelIntake {
    /// Analyses the uploaded file on `pool`, within the limits' time budget; throws ``MeshError``
    /// with the precise reason when the file is refused. The file is read mapped, and let go of
    /// before the analysis, so one upload is in memory once (as triangles), never as copies.
    /// `owner` (the account) may have only a few analyses in the pool at once.
    /// The analysis first reserves ``memoryNeeded(bytes:)`` of `memory`, so large models are
    /// analysed one or two at a time, whatever number arrive at once.
    public static func analyze(
        _ upload: SpooledModel, filename: String, limits: MeshLimits, on pool: ComputePool, memory: MemoryBudget, owner: String
    ) async throws -> ModelInfo {
        try await pool.run(owner: owner, memory: (memory, memoryNeeded(bytes: upload.size))) {
            try analyze(upload, filename: filename, limits: limits)
        }
    }

    /// What reading and analysing a model file of `bytes` holds at its peak, about: the file
    /// (mapped, or in memory) while its triangles are read, then the triangles and the analysis's
    /// tables (a binary STL's triangles take 72 % of its size; text formats far less).
    public static func memoryNeeded(bytes: Int) -> Int { bytes.multipliedReportingOverflow(by: 2).overflow ? .max : bytes * 2 }

    /// Analyses the uploaded file on the calling thread (the command line, benchmarks).
    public static func analyze(_ upload: SpooledModel, filename: String, limits: MeshLimits) throws -> ModelInfo {
        guard upload.size <= limits.maxBytes else { throw MeshError.tooLarge(bytes: upload.size, limit: limits.maxBytes) }
        return try analyze(hash: upload.hash, filename: filename, sizeBytes: upload.size, limits: limits) { deadline in
            try upload.withMappedBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline) }
        }
    }

    /// Analyses a model held in memory on the calling thread (the command line, the demo data).
    public static func analyze(bytes: [UInt8], filename: String, limits: MeshLimits) throws -> ModelInfo {
        try analyze(hash: sha256Hex(bytes), filename: filename, sizeBytes: bytes.count, limits: limits) { deadline in
            try bytes.withUnsafeBytes { try ModelReader.triangles($0, filename: filename, limits: limits, deadline: deadline) }
        }
    }

    /// The triangles that `read` gives, analysed, within one time budget.
    private static func analyze(
        hash: String, filename: String, sizeBytes: Int, limits: MeshLimits, read: (WorkDeadline) throws -> (MeshFormat, TriangleSoup)
    ) throws -> ModelInfo {
        let started = ContinuousClock.now
        let deadline = WorkDeadline(limits)
        let (format, soup) = try read(deadline)
        let model = try ModelReader.analyze(format: format, soup: soup, limits: limits, deadline: deadline)
        Metrics.Timer(
            label: "atelier_model_analysis_duration_seconds", dimensions: [("size", sizeClass(triangles: model.analysis.triangles))],
            preferredDisplayUnit: .seconds
        ).record(duration: ContinuousClock.now - started)
        return info(model, hash: hash, filename: filename, sizeBytes: sizeBytes)
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
    /// by the rules the order of `asker` would be priced by now. The upload's file is removed.
    func estimate(
        material: String, finishes: [String], upload: SpooledModel, filename: String?, owner: String, asker: FlagContext
    ) async throws -> (Quote, ModelInfo) {
        defer { upload.remove() }
        let priceList = try await offered(material: material, finishes: finishes)
        let info = try await ModelIntake.analyze(
            upload, filename: ModelIntake.cleanFilename(filename), limits: configuration.meshLimits, on: compute,
            memory: analysisMemory, owner: owner)
        let rules = PricingRules(v2: self.flags.value(.pricingRulesV2, asker, defaultValue: false))
        let quote = try QuoteCalculator.quote(
            metrics: info.metrics, materialCode: material, finishCodes: finishes, priceList: priceList, rules: rules)
        return (quote, info)
    }
}

extension UseCaseContext {
    /// Analyses an upload for `owner` and puts it into the model store, durably, before anything
    /// refers to it: what the caller then records in the database points at a whole object. A
    /// refused file, or a store that is away, leaves nothing behind but (at worst) an object no
    /// order refers to, which `atelier models gc` removes. The upload's file is removed.
    func intake(_ upload: SpooledModel, filename: String, owner: String) async throws -> ModelInfo {
        defer { upload.remove() }
        let info = try await ModelIntake.analyze(
            upload, filename: filename, limits: configuration.meshLimits, on: compute, memory: analysisMemory, owner: owner)
        try await models.put(hash: upload.hash, fromFile: upload.path)
        return info
    }
}
