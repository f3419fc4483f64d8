import ArgumentParser
import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierTelemetry
import Foundation

/// `atelier bench geometry`: how fast a model is read, analysed and priced, beside reading its bytes.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (build with -c release).", subcommands: [Geometry.self])

    struct Geometry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate models of N triangles and time reading, analysis and pricing, best of several runs.")

        @Option(help: "Triangles in the generated ring (a torus).")
        var triangles: Int = 1_000_000

        @Option(help: "Runs per figure; the best is printed.")
        var runs: Int = 5

        @Option(help: "Keep the generated files in this folder (for comparing other tools on them).")
        var out: String?

        func run() async throws {
            let sides = 500
            let segments = max(3, triangles / (2 * sides))
            let ring = MeshGenerator.torus(major: 9, minor: 1.2, segments: segments, sides: sides)
            let folder =
                out.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("atelier-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { if out == nil { try? FileManager.default.removeItem(at: folder) } }

            let files: [(String, [UInt8])] = [
                ("ring.stl", MeshWriter.binarySTL(ring.soup)),
                ("ring-ascii.stl", MeshWriter.asciiSTL(ring.soup)),
                ("ring.obj", MeshWriter.obj(ring)),
            ]
            print("model: torus, \(ring.triangles.count) triangles; best of \(runs) runs; one core")
            print("file".padding(toLength: 16, withPad: " ", startingAt: 0) + "   MB    read s   parse+analyse s   MB/s   × read   quote s")
            for (name, bytes) in files {
                let path = folder.appendingPathComponent(name).path
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
                // No upload limits here: the bench measures files larger than an upload may be.
                let limits = MeshLimits(maxBytes: .max, maxTriangles: .max)
                let read = try best { _ = try load(path).count }  // includes the copy into [UInt8], as every reader does
                let analyse = try best { _ = try ModelReader.read(try load(path), filename: name, limits: limits) }
                let quote = try best {
                    let info = try ModelIntake.analyze(bytes: try load(path), filename: name, limits: limits)
                    _ = try QuoteCalculator.quote(
                        metrics: info.metrics, materialCode: "gold-585", finishCodes: ["polish"], priceList: DemoData.priceList)
                }
                let megabytes = Double(bytes.count) / 1_000_000
                print(
                    name.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + String(
                            format: "%6.1f  %8.4f  %16.4f  %6.0f  %7.1f  %8.4f", megabytes, read, analyse, megabytes / analyse,
                            analyse / read, quote))
            }
        }

        func load(_ path: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
            return [UInt8](data)
        }

        func best(_ body: () throws -> Void) throws -> Double {
            try (0..<max(runs, 1)).map { _ in
                let start = ContinuousClock.now
                try body()
                return (ContinuousClock.now - start).seconds
            }.min() ?? 0
        }
    }
}
