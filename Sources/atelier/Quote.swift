import ArgumentParser
import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import Foundation

/// `atelier quote FILE --material M`: analyse a model and price it, offline.
struct Quote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a model file (STL or OBJ) and print its itemised quote, without a server.",
        discussion: "Uses the price list of the database in ATELIER_DATA when there is one, else the standard price list.")

    @Argument(help: "The model file: binary STL, ASCII STL or OBJ.")
    var file: String

    @Option(help: "Material code, e.g. gold-585, silver-925.")
    var material: String

    @Option(name: .customLong("finish"), help: "A finish code; repeat for several (polish, matte, rhodium, engraving).")
    var finishes: [String] = []

    @Flag(help: "Print JSON for programs instead of text for people.")
    var json = false

    struct Output: Encodable {
        var file: String
        var format: String
        var triangles: Int
        var vertices: Int
        var volumeMM3: Double
        var surfaceAreaMM2: Double
        var boundingBoxMM: [String: [Double]]
        var shells: Int
        var watertight: Bool
        var boundaryEdges: Int
        var nonManifoldEdges: Int
        var analysisSeconds: Double
        var weightGrams: Double
        var quote: AtelierDomain.Quote
    }

    func run() async throws {
        let configuration: AtelierConfiguration
        do { configuration = try AtelierConfiguration.fromEnvironment() } catch { throw CommandFailure("\(error)") }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("Cannot read \(file): no such file, or it is not readable.")
        }
        let started = ContinuousClock.now
        let info: ModelInfo
        do {
            info = try ModelIntake.analyze(bytes: [UInt8](data), filename: file, limits: configuration.meshLimits)
        } catch let error as MeshError {
            throw CommandFailure("\(file): \(error.description)")
        }
        let seconds = (ContinuousClock.now - started).seconds
        let priceList = try await Self.priceList(configuration)
        let quote: AtelierDomain.Quote
        do {
            quote = try QuoteCalculator.quote(metrics: info.metrics, materialCode: material, finishCodes: finishes, priceList: priceList)
        } catch let error as DomainError {
            throw CommandFailure(error.description)
        }
        if json {
            let output = Output(
                file: file, format: info.format, triangles: info.metrics.triangles, vertices: info.vertices,
                volumeMM3: info.metrics.volumeMM3, surfaceAreaMM2: info.metrics.surfaceAreaMM2,
                boundingBoxMM: ["min": info.boundingBoxMinMM, "max": info.boundingBoxMaxMM, "size": info.boundingBoxSizeMM],
                shells: info.metrics.shells, watertight: info.watertight, boundaryEdges: info.boundaryEdges,
                nonManifoldEdges: info.nonManifoldEdges, analysisSeconds: seconds, weightGrams: quote.metalWeightGrams, quote: quote)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        let size = info.boundingBoxSizeMM.map { String(format: "%.2f", $0) }.joined(separator: " × ")
        var lines = [
            "\(file) (\(info.format), \(info.sizeBytes) bytes, analysed in \(String(format: "%.3f", seconds)) s)",
            "  triangles      \(info.metrics.triangles)",
            "  volume         \(String(format: "%.3f", info.metrics.volumeMM3)) mm³",
            "  surface area   \(String(format: "%.3f", info.metrics.surfaceAreaMM2)) mm²",
            "  bounding box   \(size) mm",
            "  shells         \(info.metrics.shells)",
            "  watertight     \(info.watertight ? "yes" : "no (\(info.boundaryEdges) open edges, \(info.nonManifoldEdges) non-manifold)")",
            "  metal weight   \(String(format: "%.2f", quote.metalWeightGrams)) g",
            "Quote (price list version \(quote.priceListVersion)):",
        ]
        for line in quote.lines {
            lines.append("  \(line.label.padding(toLength: 36, withPad: " ", startingAt: 0)) \(line.amount)")
        }
        lines.append("  \("Total".padding(toLength: 36, withPad: " ", startingAt: 0)) \(quote.total)")
        print(lines.joined(separator: "\n"))
    }

    static func priceList(_ configuration: AtelierConfiguration) async throws -> PriceList {
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else { return DemoData.priceList }
        let store = try SQLiteStore(path: configuration.databasePath)
        try await store.migrate()
        return (try? await store.reader.priceList()) ?? DemoData.priceList
    }
}
