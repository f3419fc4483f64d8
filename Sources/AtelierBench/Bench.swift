import ArgumentParser
import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import Foundation
import Logging

/// `atelier bench`: the benchmarks, kept out of the application's modules. `geometry`: how fast a
/// model is read, analysed and priced, beside reading its bytes.
public struct Bench: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (build with -c release).",
        subcommands: [Geometry.self, ThicknessBench.self, Dashboard.self, BenchPipeline.self, FlagsBench.self])

    struct Geometry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate models of N triangles and time reading, analysis and pricing, best of several runs.")

        @Option(help: "Triangles in the generated ring (a torus).")
        var triangles: Int = 1_000_000

        @Option(help: "Runs per figure; the best is printed.")
        var runs: Int = 5

        @Option(help: "Keep the generated files in this folder (for comparing other tools on them).")
        var out: String?

        @Option(help: "torus (a ring) or irregular (a lumpy body set with three stones: uneven triangles, four shells).")
        var shape: String = "torus"

        @Flag(help: "Only the binary STL (the large models' ASCII files would be gigabytes).")
        var binaryOnly = false

        func run() async throws {
            let sides = 500
            let segments = max(3, triangles / (2 * sides))
            let ring: IndexedMesh
            switch shape {
            case "torus": ring = MeshGenerator.torus(major: 9, minor: 1.2, segments: segments, sides: sides)
            case "irregular": ring = MeshGenerator.irregular(triangles: triangles)
            default: throw BenchFailure("--shape is torus or irregular, not \(shape)")
            }
            let folder =
                out.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("atelier-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { if out == nil { try? FileManager.default.removeItem(at: folder) } }

            let name = shape == "torus" ? "ring" : shape
            var files: [(String, [UInt8])] = [("\(name).stl", MeshWriter.binarySTL(ring.soup))]
            if !binaryOnly { files += [("\(name)-ascii.stl", MeshWriter.asciiSTL(ring.soup)), ("\(name).obj", MeshWriter.obj(ring))] }
            print("model: \(shape), \(ring.triangles.count) triangles; best of \(runs) runs; one core")
            print("file".padding(toLength: 16, withPad: " ", startingAt: 0) + "   MB    read s   parse+analyse s   MB/s   × read   quote s")
            print("  (read: the file into memory; parse+analyse and quote: from the bytes in memory, as an upload arrives)")
            for (name, bytes) in files {
                let path = folder.appendingPathComponent(name).path
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
                // No upload limits here: the bench measures files larger than an upload may be.
                let limits = MeshLimits(maxBytes: .max, maxTriangles: .max)
                let read = try best { _ = try load(path).count }  // includes the copy into [UInt8], as every reader does
                let loaded = try load(path)
                let analyse = try best { _ = try ModelReader.read(loaded, filename: name, limits: limits) }
                let quote = try best {
                    let info = try ModelIntake.analyze(bytes: loaded, filename: name, limits: limits)
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
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchFailure("cannot read \(path)") }
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

    /// `atelier bench dashboard`: the MES dashboard and deep pages at scale, cursor beside offset.
    struct Dashboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill a database with N orders in a realistic status mix; time the dashboard and deep pages (p50, p99).")

        @Option(help: "Orders in the database.")
        var orders: Int = 1_000_000

        @Option(help: "PostgreSQL URL of an empty (or earlier filled) database; default: SQLite in --data.")
        var databaseURL: String?

        @Option(help: "Folder of the SQLite database; a database filled by an earlier run is reused.")
        var data: String?

        @Option(help: "Timed runs per figure.")
        var runs: Int = 200

        @Option(help: "The deep page to compare with page 1 (50 orders a page).")
        var deepPage: Int = 1000

        func run() async throws {
            let logger = Logger(label: "bench")
            let store: any Store
            var storeTask: Task<Void, Never>?
            if let databaseURL {
                let postgres = try PostgresStore(url: databaseURL, maxConnections: 4, timeout: .seconds(3600), logger: logger)
                storeTask = Task { await postgres.run() }
                await Task.yield()  // let the pool start before the first lease
                store = postgres
            } else {
                let folder = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("atelier-bench-dashboard").path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                store = try SQLiteStore(path: (folder as NSString).appendingPathComponent("atelier.sqlite"))
            }
            defer { storeTask?.cancel() }
            try await store.migrate()
            let existing = try await DashboardBench.orderCount(store)
            let engine = databaseURL == nil ? "SQLite" : "PostgreSQL"
            if existing == 0 {
                let started = ContinuousClock.now
                try await DashboardBench.fill(store, count: orders) { written in
                    FileHandle.standardError.write(Data("\rfilling: \(written) orders".utf8))
                }
                FileHandle.standardError.write(Data("\n".utf8))
                print("filled \(orders) orders in \(String(format: "%.0f", (ContinuousClock.now - started).seconds)) s")
            } else if existing != orders {
                throw BenchFailure("the database already holds \(existing) orders, not \(orders); use an empty one")
            }
            let context = UseCaseContext(store: store, configuration: AtelierConfiguration(), logger: logger)
            let mes = MESService(context: context)
            let limit = 50
            let deep = DashboardBench.statusMix.max { $0.1 < $1.1 }!.0
            guard let cursor = try await DashboardBench.cursor(store, status: deep, page: deepPage, limit: limit) else {
                throw BenchFailure("\(deep.rawValue) has fewer than \(deepPage) pages; use more orders or a smaller --deep-page")
            }
            print("\(engine), \(orders) orders; \(runs) runs each; pages of \(limit); deep pages of \(deep.rawValue)")
            print("query".padding(toLength: 44, withPad: " ", startingAt: 0) + "    p50 ms    p99 ms")
            func report(_ name: String, _ body: () async throws -> Void) async throws -> (Double, Double) {
                for _ in 0..<min(10, runs) { try await body() }  // warm the caches
                var times: [Double] = []
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    try await body()
                    times.append((ContinuousClock.now - start).seconds * 1000)
                }
                times.sort()
                let p50 = percentile(times, 0.5), p99 = percentile(times, 0.99)
                print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%9.3f %9.3f", p50, p99))
                return (p50, p99)
            }
            _ = try await report("dashboard (counts + newest APPROVED)") {
                _ = try await mes.dashboard(status: .manufacturingApproved, page: PageRequest(limit: limit))
            }
            let filter = OrderFilter(status: deep)
            let first = try await report("page 1 by cursor") {
                _ = try await store.reader.orders(filter, page: PageRequest(limit: limit))
            }
            let byCursor = try await report("page \(deepPage) by cursor") {
                _ = try await store.reader.orders(filter, page: PageRequest(cursor: cursor, limit: limit))
            }
            let byOffset = try await report("page \(deepPage) by offset (LIMIT/OFFSET)") {
                _ = try await DashboardBench.offsetPage(store, status: deep, page: deepPage, limit: limit)
            }
            print(
                String(
                    format: "page %d / page 1 by cursor: %.2f× (p99); offset / cursor at page %d: %.1f× (p99)", deepPage,
                    byCursor.1 / first.1, deepPage, byOffset.1 / byCursor.1))
            print("\nquery plans (\(engine)):")
            for (name, plan) in try await DashboardBench.plans(
                store, dashboardStatus: .manufacturingApproved, status: deep, deepCursor: cursor, deepOffset: (deepPage - 1) * limit,
                limit: limit)
            {
                print("-- \(name)\n" + plan.split(separator: "\n").map { "   \($0)" }.joined(separator: "\n"))
            }
        }
    }
}

/// The `fraction` percentile (nearest rank) of sorted, non-empty `values`.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    values[min(values.count - 1, max(0, Int((Double(values.count) * fraction).rounded(.up)) - 1))]
}

/// A benchmark that cannot run, said plainly (the command exits non-zero).
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
