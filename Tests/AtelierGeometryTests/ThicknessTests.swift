import Foundation
import Testing

@testable import AtelierGeometry

/// Solids whose wall thickness is known exactly, measured.
@Suite("Wall thickness")
struct ThicknessTests {
    /// The same surface facing the other way (the inside of a shell).
    func inverted(_ mesh: IndexedMesh) -> IndexedMesh {
        IndexedMesh(positions: mesh.positions, triangles: mesh.triangles.map { SIMD3($0.x, $0.z, $0.y) })
    }

    /// A box from `lo` to `hi`, mm.
    func box(_ lo: SIMD3<Double>, _ hi: SIMD3<Double>) -> IndexedMesh {
        let outline: [SIMD2<Double>] = [[lo.x, lo.y], [hi.x, lo.y], [hi.x, hi.y], [lo.x, hi.y]]
        return MeshGenerator.prism(outline, center: [(lo.x + hi.x) / 2, (lo.y + hi.y) / 2], bottom: lo.z, top: hi.z)
    }

    /// A band around the z axis with a rectangular section: `inner` and `outer` radius, `width` along z.
    func band(inner: Double, outer: Double, width: Double, segments: Int = 256) -> IndexedMesh {
        MeshGenerator.lathe(
            [[inner, -width / 2], [outer, -width / 2], [outer, width / 2], [inner, width / 2]], segments: segments, closed: true)
    }

    func measure(_ mesh: IndexedMesh, threshold: Double = 0.8) throws -> ThicknessReport {
        try ThicknessAnalyzer.analyze(mesh.soup, thresholdMM: threshold).report
    }

    func within(_ measured: Double?, _ truth: Double, _ share: Double = 0.02) -> Bool {
        guard let measured else { return false }
        return abs(measured - truth) <= share * truth
    }

    @Test("a spherical shell's thinnest wall is its known thickness, within 2 %", arguments: [1.0, 0.4])
    func shell(wall: Double) throws {
        let shell = MeshGenerator.merge([
            MeshGenerator.sphere(radius: 10, segments: 192, rings: 96),
            inverted(MeshGenerator.sphere(radius: 10 - wall, segments: 192, rings: 96)),
        ])
        let report = try measure(shell, threshold: 0.8)
        #expect(within(report.minimumMM, wall), "minimum \(report.minimumMM ?? -1) for a wall of \(wall)")
        #expect(within(report.medianMM, wall), "median \(report.medianMM ?? -1)")
        #expect(report.unmeasuredTriangles == 0)
        #expect(report.thinRegionCount == (wall < 0.8 ? 1 : 0), "the whole shell is one thin region, or none")
    }

    @Test("the surface-weighted percentiles are those of the sorted walls, found by selection instead of a sort")
    func percentiles() {
        for trial in 0..<25 {
            let count = [1, 2, 17, 1000, 5000][trial % 5]
            // Few distinct values (many equal walls), and areas of every size.
            let items = (0..<count).map { _ in (value: Float(Int.random(in: 0..<40)) / 10, area: Float.random(in: 0.01...2)) }
            let sorted = items.sorted { $0.value < $1.value }
            let total = items.reduce(0.0) { $0 + Double($1.area) }
            for share in [0.05, 0.5, 0.95, 1] {
                var running = 0.0
                var expected = Double(sorted[sorted.count - 1].value)
                for item in sorted {
                    running += Double(item.area)
                    if running >= share * total {
                        expected = Double(item.value)
                        break
                    }
                }
                var shuffled = items
                #expect(ThicknessReport.percentile(&shuffled, share: share, total: total) == expected, "\(count) walls, \(share)")
            }
        }
        var none: [(value: Float, area: Float)] = []
        #expect(ThicknessReport.percentile(&none, share: 0.5, total: 0) == nil)
    }

    @Test("a tube's wall is measured within 2 %, its length is not taken for a wall")
    func tube() throws {
        let report = try measure(band(inner: 4.2, outer: 5, width: 10), threshold: 0.6)
        #expect(within(report.minimumMM, 0.8), "minimum \(report.minimumMM ?? -1)")
        #expect(within(report.medianMM, 0.8))
        #expect(report.thinRegions.isEmpty, "0.8 mm is not below 0.6 mm")
    }

    @Test("a ring band with a 0.4 mm section is one thin region around the whole ring")
    func ringBand() throws {
        let report = try measure(band(inner: 8.5, outer: 8.9, width: 3), threshold: 0.8)
        #expect(within(report.minimumMM, 0.4), "minimum \(report.minimumMM ?? -1)")
        #expect(report.thinRegionCount == 1)
        let region = try #require(report.thinRegions.first)
        #expect(within(region.thinnestMM, 0.4))
        // The inner and the outer face of the band (the side faces measure across the band's width).
        let faces = 2 * Double.pi * (8.5 + 8.9) * 3
        #expect(abs(region.areaMM2 - faces) < 0.03 * faces, "area \(region.areaMM2) of about \(faces)")
    }

    @Test("a plate with a thin tab: the tab is the one thin region, where it is, both of its faces")
    func plateWithTab() throws {
        let plate = box([0, 0, 0], [20, 20, 2])
        let tab = box([20, 7.5, 0.75], [25, 12.5, 1.25])
        let report = try measure(MeshGenerator.merge([plate, tab]), threshold: 0.8)
        #expect(within(report.minimumMM, 0.5), "minimum \(report.minimumMM ?? -1)")
        #expect(report.thinRegionCount == 1, "\(report.thinRegions)")
        let region = try #require(report.thinRegions.first)
        #expect(within(region.thinnestMM, 0.5))
        #expect(abs(region.areaMM2 - 50) < 0.5, "top and bottom of the tab: \(region.areaMM2) mm²")
        #expect(region.at[0] >= 20 && region.at[0] <= 25 && region.at[1] >= 7.5 && region.at[1] <= 12.5, "\(region.at)")
        #expect(region.boundingBox.min[0] >= 20 - 1e-3 && region.boundingBox.max[0] <= 25 + 1e-3)
        // The plate itself is 2 mm thick wherever its faces look across it.
        #expect(report.distribution.contains { $0.upToMM == 2 && $0.areaMM2 >= 2 * 400 - 50 - 1 })
    }

    @Test("a thick setting with one thin prong finds exactly that prong")
    func prong() throws {
        let base = box([-5, -5, 0], [5, 5, 4])
        let prong = MeshGenerator.lathe([[0, 4], [0.25, 4], [0.25, 8], [0, 8]], segments: 64, closed: false)
        let report = try measure(MeshGenerator.merge([base, prong]), threshold: 0.6)
        #expect(report.thinRegionCount == 1, "\(report.thinRegions)")
        let region = try #require(report.thinRegions.first)
        #expect(within(region.thinnestMM, 0.5), "thinnest \(region.thinnestMM)")
        #expect(region.boundingBox.min[2] >= 4 - 1e-3 && region.boundingBox.max[2] <= 8 + 1e-3)
        #expect(abs(region.at[0]) <= 0.3 && abs(region.at[1]) <= 0.3, "\(region.at)")
    }

    @Test("a model whose triangles face inwards is measured the same")
    func insideOut() throws {
        let plain = try measure(band(inner: 8.5, outer: 9.5, width: 2))
        let flipped = try measure(inverted(band(inner: 8.5, outer: 9.5, width: 2)))
        #expect(within(plain.minimumMM, 1) && within(flipped.minimumMM, 1), "\(plain.minimumMM ?? -1) \(flipped.minimumMM ?? -1)")
    }

    @Test("zero-area faces, holes and shared edges give a report, never a crash")
    func degenerate() throws {
        var sphere = MeshGenerator.sphere(radius: 5, segments: 64, rings: 32)
        // A hole: the rays from the far side leave through it.
        sphere.triangles.removeLast(200)
        // Zero-area faces: a repeated corner, and three corners on a line.
        sphere.triangles.append(SIMD3(0, 0, 1))
        sphere.positions.append(contentsOf: [[0, 0, 20], [0, 0, 21], [0, 0, 22]])
        let n = UInt32(sphere.positions.count)
        sphere.triangles.append(SIMD3(n - 3, n - 2, n - 1))
        let open = try measure(sphere)
        #expect(open.measuredTriangles > 0)
        #expect(open.unmeasuredTriangles >= 2, "the zero-area faces have no direction to measure in")
        // Two cubes sharing one edge: non-manifold, still measured.
        let pair = MeshGenerator.merge([box([0, 0, 0], [1, 1, 1]), box([1, 1, 0], [2, 2, 1])])
        let shared = try measure(pair, threshold: 0.5)
        #expect(within(shared.minimumMM, 1, 0.001))
        // Coordinates at Float's limits (a box whose side overflows): a report, not a trap.
        let huge = TriangleSoup(coordinates: [
            3e38, 3e38, 3e38, 3e38, 2.9e38, 3e38, 2.9e38, 3e38, 3e38,
            -3e38, -3e38, -3e38, -2.9e38, -3e38, -3e38, -3e38, -2.9e38, -3e38,
            1, 1, 1, 2, 1, 1, 1, 2, 1,
            1, 1, 2, 1, 2, 2, 2, 1, 2,
            5, 5, 5, 6, 5, 5, 5, 6, 5,
        ])
        #expect(throws: Never.self) { _ = try ThicknessAnalyzer.analyze(huge, thresholdMM: 0.8) }
        // No triangles at all is a reason, not a report.
        #expect(throws: MeshError.self) { try ThicknessAnalyzer.analyze(TriangleSoup(), thresholdMM: 0.8) }
    }

    @Test("the tree finds the nearest triangle a ray meets, the same as trying every triangle")
    func nearestAgainstEveryTriangle() throws {
        // An uneven body with a small detail far away: its triangles share one cell of the Morton
        // grid and are split by the heuristic instead.
        let far = MeshGenerator.sphere(radius: 0.1, segments: 24, rings: 12, center: [800, 800, 800])
        let soup = MeshGenerator.merge([MeshGenerator.irregular(triangles: 4_000), far]).soup
        try soup.coordinates.withUnsafeBufferPointer { c in
            let bvh = try TriangleBVH(c, deadline: .none)
            #expect(bvh.original.sorted() == (0..<UInt32(soup.triangleCount)).map { $0 }, "every triangle is in the tree once")
            var generator = SplitMix64(seed: 7)
            func random() -> SIMD3<Float> { SIMD3(Self.number(&generator), Self.number(&generator), Self.number(&generator)) }
            for ray in 0..<400 {
                // From around each part, towards a point near its middle.
                let (centre, size): (SIMD3<Float>, Float) = ray % 4 == 0 ? ([800, 800, 800], 0.1) : (.zero, 10)
                let origin = centre + random() * size * 2
                var direction = centre + random() * size - origin
                direction /= (direction * direction).sum().squareRoot()
                let expected = Self.nearestByTrying(c, from: origin, along: direction)
                let found = bvh.nearest(from: origin, along: direction, reach: 10_000)
                #expect(found?.triangle == expected?.triangle, "ray \(ray)")
                if let found, let expected { #expect(abs(found.distance - expected.distance) <= 1e-4 * max(1, expected.distance)) }
            }
        }
    }

    /// In -1...1.
    static func number(_ generator: inout SplitMix64) -> Float { Float(generator.next() >> 40) / Float(1 << 23) - 1 }

    /// The nearest triangle a ray meets past a hair's breadth, trying every triangle.
    static func nearestByTrying(_ c: UnsafeBufferPointer<Float>, from o: SIMD3<Float>, along d: SIMD3<Float>) -> (
        triangle: Int, distance: Float
    )? {
        var best: (triangle: Int, distance: Float)?
        for t in 0..<(c.count / 9) {
            let a = ThicknessAnalyzer.point(c, t, 0)
            let e1 = ThicknessAnalyzer.point(c, t, 1) - a, e2 = ThicknessAnalyzer.point(c, t, 2) - a
            let p = crossProduct(d, e2)
            let determinant = dotProduct(e1, p)
            guard abs(determinant) >= 1e-12 else { continue }
            let s = o - a
            let u = dotProduct(s, p) / determinant
            let q = crossProduct(s, e1)
            let v = dotProduct(d, q) / determinant
            let distance = dotProduct(e2, q) / determinant
            guard u >= 0, v >= 0, u + v <= 1, distance > 1e-5 else { continue }
            if distance < (best?.distance ?? .infinity) { best = (t, distance) }
        }
        return best
    }

    @Test("the analysis keeps to its deadline")
    func deadline() throws {
        let big = MeshGenerator.sphere(radius: 10, segments: 256, rings: 128).soup
        #expect(throws: MeshError.self) {
            try ThicknessAnalyzer.analyze(big, thresholdMM: 0.8, deadline: WorkDeadline(after: .milliseconds(1)))
        }
    }
}

@Suite("Ring size from the model")
struct RingSizeTests {
    @Test("a ring's finger hole gives its inner diameter and its Russian, EU and US size; a plate is no ring")
    func ringSize() throws {
        // EU 54 is an inner circumference of 54 mm: a diameter of 17.19 mm.
        let inner = 54 / Double.pi / 2
        let band = MeshGenerator.lathe(
            [[inner, -1.5], [inner + 1.4, -1.5], [inner + 1.4, 1.5], [inner, 1.5]], segments: 720, closed: true)
        let ring = try #require(try ThicknessAnalyzer.analyze(band.soup, thresholdMM: 1).report.ring)
        #expect(abs(ring.innerDiameterMM - 2 * inner) < 0.01, "\(ring.innerDiameterMM)")
        #expect(ring.eu == 54)
        #expect(ring.ru == 17)
        #expect(ring.us == 6.75, "(17.19 − 11.63) / 0.8128, to the quarter, as the constructor converts")
        let plate = MeshGenerator.prism([[0, 0], [20, 0], [20, 20], [0, 20]], center: [10, 10], bottom: 0, top: 2)
        #expect(try ThicknessAnalyzer.analyze(plate.soup, thresholdMM: 1).report.ring == nil)
        // A torus that is too small for a finger is no ring either.
        let bead = MeshGenerator.torus(major: 3, minor: 1, segments: 64, sides: 32)
        #expect(try ThicknessAnalyzer.analyze(bead.soup, thresholdMM: 1).report.ring == nil)
    }
}
