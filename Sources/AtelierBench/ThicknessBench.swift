import ArgumentParser
import AtelierGeometry
import AtelierTelemetry
import Foundation

/// `atelier bench thickness`: the wall-thickness report on generated solids whose walls are known,
/// timed on one core (best of several runs), its accuracy beside the true value.
struct ThicknessBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thickness",
        abstract: "Time the wall-thickness report on a generated solid of known wall; print it as one JSON line.")

    @Option(help: "About this many triangles.")
    var triangles: Int = 1_000_000

    @Option(help: "ring (a torus: a 2.4 mm round section), band (a ring band of --wall mm), or shell (a sphere of --wall mm).")
    var shape: String = "ring"

    @Option(help: "The wall of a band or a shell, mm.")
    var wall: Double = 0.4

    @Option(help: "Runs; the best is printed.")
    var runs: Int = 3

    @Option(help: "Write the model here as binary STL (for other tools to measure the same triangles).")
    var out: String?

    func run() async throws {
        let (mesh, truth) = try model()
        let soup = mesh.soup
        if let out { FileManager.default.createFile(atPath: out, contents: Data(MeshWriter.binarySTL(soup))) }
        var best = Double.infinity
        var report: ThicknessReport?
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            report = try ThicknessAnalyzer.analyze(soup, thresholdMM: 0.8).report
            best = min(best, (ContinuousClock.now - start).seconds)
        }
        let result = try report.require()
        let line: [String: Any] = [
            "shape": shape, "triangles": soup.triangleCount, "seconds": best, "trueWallMM": truth,
            "minimumMM": result.minimumMM ?? -1, "medianMM": result.medianMM ?? -1, "conedTriangles": result.conedTriangles,
            "unmeasuredTriangles": result.unmeasuredTriangles, "thinRegions": result.thinRegionCount,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
    }

    func model() throws -> (IndexedMesh, Double) {
        switch shape {
        case "ring":
            let sides = 500
            return (MeshGenerator.torus(major: 9, minor: 1.2, segments: max(3, triangles / (2 * sides)), sides: sides), 2.4)
        case "band":
            // Four faces around: 8 triangles per segment.
            let inner = 8.5
            let profile: [SIMD2<Double>] = [[inner, -1.5], [inner + wall, -1.5], [inner + wall, 1.5], [inner, 1.5]]
            return (MeshGenerator.lathe(profile, segments: max(3, triangles / 8), closed: true), wall)
        case "shell":
            // Two spheres of 2 × segments × rings triangles each.
            let rings = max(8, Int((Double(triangles) / 8).squareRoot()))
            let outer = MeshGenerator.sphere(radius: 10, segments: 2 * rings, rings: rings)
            let inner = MeshGenerator.sphere(radius: 10 - wall, segments: 2 * rings, rings: rings)
            let flipped = IndexedMesh(positions: inner.positions, triangles: inner.triangles.map { SIMD3($0.x, $0.z, $0.y) })
            return (MeshGenerator.merge([outer, flipped]), wall)
        default:
            throw BenchFailure("--shape is ring, band or shell, not \(shape)")
        }
    }
}

extension Optional {
    fileprivate func require() throws -> Wrapped {
        guard let self else { throw BenchFailure("no report") }
        return self
    }
}
