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
        discussion: "Uses the price list and casting rules of the database in ATELIER_DATA when there is one, else the standard ones.")

    @Argument(help: "The model file: binary STL, ASCII STL or OBJ.")
    var file: String

    @Option(help: "Material code, e.g. gold-585, silver-925.")
    var material: String

    @Option(name: .customLong("finish"), help: "A finish code; repeat for several (polish, matte, rhodium, engraving).")
    var finishes: [String] = []

    @Flag(help: "Print JSON for programs instead of text for people.")
    var json = false

    @Flag(inversion: .prefixedNo, help: "Measure the wall thickness and check it against the alloy's casting rule.")
    var thickness = true

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
        /// Wall thickness (thin regions below the alloy's required wall), the ring size if it is a ring.
        var thickness: ThicknessReport?
        var thicknessSeconds: Double?
        /// Whether it can be cast in the material, by the casting rules (the database's, else the standard ones).
        var casting: CastingReport?
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
        let (priceList, castingRules) = try await Self.catalog(configuration)
        let measuring = ContinuousClock.now
        var report: ThicknessReport?
        var verdict: CastingReport?
        if thickness {
            do {
                // Read again: the analysis above keeps no triangles (an upload's analysis does not either).
                let soup = try data.withUnsafeBytes {
                    try ModelReader.triangles($0, filename: file, limits: configuration.meshLimits).1
                }
                (report, verdict) = try CastingCheck.check(
                    soup, materialCode: material, rules: castingRules, deadline: WorkDeadline(configuration.meshLimits))
            } catch let error as MeshError {
                throw CommandFailure("\(file): \(error.description)")
            }
        }
        let thicknessSeconds = thickness ? (ContinuousClock.now - measuring).seconds : nil
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
                nonManifoldEdges: info.nonManifoldEdges, analysisSeconds: seconds, weightGrams: quote.metalWeightGrams, quote: quote,
                thickness: report, thicknessSeconds: thicknessSeconds, casting: verdict)
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
        ]
        if let report, let thicknessSeconds {
            let thinnest = report.minimumMM.map { String(format: "%.2f mm", $0) } ?? "not measured"
            lines.append("  thinnest wall  \(thinnest) (measured in \(String(format: "%.3f", thicknessSeconds)) s)")
        }
        if let ring = report?.ring {
            lines.append(
                "  ring size      inner diameter \(String(format: "%.1f", ring.innerDiameterMM)) mm: Russian \(ring.ru), EU \(Int(ring.eu)), US \(ring.us)"
            )
        }
        if let verdict {
            lines.append(
                "  casting        "
                    + (verdict.castable
                        ? "can be cast in \(material) (walls from \(verdict.requiredWallMM) mm, details from \(verdict.requiredDetailMM) mm)"
                        : "cannot be cast in \(material) as it is:"))
            for problem in verdict.problems {
                let place = problem.at.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                lines.append(
                    "    \(problem.rule == .wall ? "wall" : "detail") \(String(format: "%.2f", problem.thinnestMM)) mm, needs \(problem.requiredMM) mm: "
                        + "\(String(format: "%.1f", problem.areaMM2)) mm² around (\(place))")
            }
            if verdict.unmeasuredTriangles > 0 {
                lines.append("    \(verdict.unmeasuredTriangles) triangles could not be measured (the model is open there)")
            }
        }
        lines += [
            "Quote (price list version \(quote.priceListVersion)):"
        ]
        for line in quote.lines {
            lines.append("  \(line.label.padding(toLength: 36, withPad: " ", startingAt: 0)) \(line.amount)")
        }
        lines.append("  \("Total".padding(toLength: 36, withPad: " ", startingAt: 0)) \(quote.total)")
        print(lines.joined(separator: "\n"))
    }

    /// The price list and casting rules of the database in ATELIER_DATA, else the standard ones.
    static func catalog(_ configuration: AtelierConfiguration) async throws -> (PriceList, CastingRules) {
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else { return (DemoData.priceList, .standard) }
        let store = try SQLiteStore(path: configuration.databasePath)
        try await store.migrate()
        return ((try? await store.reader.priceList()) ?? DemoData.priceList, (try? await store.reader.castingRules()) ?? .standard)
    }
}
