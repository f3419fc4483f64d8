import Foundation

/// How thick a model's walls are, measured on every triangle: from the triangle's centre straight
/// inwards to the opposite surface.
///
/// One ray per triangle, against a bounding-volume hierarchy of all triangles (``TriangleBVH``):
/// the nearest hit along the inward normal is the wall's thickness there. Where that single ray cannot be believed, a cone of eight more rays 15° around
/// it decides, each hit projected back on the normal (a wall of thickness d is hit at d / cos 15°),
/// and their median taken: when the ray finds nothing (an open mesh, a crack), when the surface it
/// hits faces it (it left the solid through a gap or a self-intersection), or when it hits at a
/// grazing angle. On closed, clean models, almost every triangle needs one ray (see
/// docs/geometry.md for the choice against an inscribed-sphere refinement).
///
/// Per triangle rather than per vertex: a flat wall's triangles all point straight across it,
/// where a vertex normal on an edge averages two faces and slants. Thin triangles joined by a
/// corner or an edge form one thin region.
public enum ThicknessAnalyzer {
    /// Rays of the cone around a doubtful ray.
    static let coneRays = 8
    static let coneAngle: Float = 15 * .pi / 180
    /// A hit whose surface is within this cosine of parallel to the ray is grazing.
    static let grazingCosine: Float = 0.2
    /// Thin regions listed whole in a report (the rest are counted).
    public static let listedRegions = 20

    /// Measures `soup` and summarises what is thinner than `thresholdMM`.
    public static func analyze(_ soup: TriangleSoup, thresholdMM: Double, deadline: WorkDeadline = .none) throws -> Thickness {
        try soup.coordinates.withUnsafeBufferPointer { try analyze(coordinates: $0, thresholdMM: thresholdMM, deadline: deadline) }
    }

    static func analyze(coordinates c: UnsafeBufferPointer<Float>, thresholdMM: Double, deadline: WorkDeadline) throws -> Thickness {
        let count = c.count / 9
        guard count > 0 else { throw MeshError.noTriangles(format: "model") }
        let bvh = try TriangleBVH(c, deadline: deadline)
        // Which way is in: a model whose triangles face inwards (negative volume) is measured outwards.
        var volume6: Double = 0
        for t in 0..<count {
            try deadline.check(t)
            let a = point(c, t, 0), b = point(c, t, 1), d = point(c, t, 2)
            volume6 += Double(dotProduct(a, crossProduct(b, d)))
        }
        let inward: Float = volume6 < 0 ? 1 : -1
        let reach = bvh.diagonal * 2

        var values = [Float](repeating: .nan, count: count)
        var areas = [Float](repeating: 0, count: count)
        // The triangle each single ray found across the wall, joining the wall's two sides into one region.
        var opposite = [Int32](repeating: -1, count: count)
        var coned = 0
        try values.withUnsafeMutableBufferPointer { values in
            try areas.withUnsafeMutableBufferPointer { areas in
                // In the tree's order: neighbours one after the other, so each ray finds the nodes and
                // triangles the one before it read still in the cache.
                for (step, leaf) in bvh.original.enumerated() {
                    try deadline.check(step)
                    let t = Int(leaf)
                    let a = point(c, t, 0), b = point(c, t, 1), d = point(c, t, 2)
                    let normal = crossProduct(b - a, d - a)
                    let length = (normal * normal).sum().squareRoot()
                    areas[t] = length / 2
                    guard length > 0, length.isFinite else { continue }
                    let direction = normal * (inward / length)
                    let origin = (a + b + d) / 3
                    // The wall's far side faces away from the ray: its outward normal along it.
                    if let hit = bvh.nearest(from: origin, along: direction, reach: reach), -inward * hit.cosine > grazingCosine {
                        values[t] = hit.distance
                        opposite[t] = Int32(hit.triangle)
                        continue
                    }
                    coned += 1
                    values[t] = cone(bvh, origin: origin, axis: direction, outward: -inward, reach: reach) ?? .nan
                }
            }
        }
        var thickness = Thickness(
            perTriangle: values, areas: areas, opposite: opposite, coordinates: c, thresholdMM: thresholdMM, conedTriangles: coned)
        thickness.report.ring = ring(bvh, outward: -inward)
        return thickness
    }

    /// The finger hole of a ring, if the model is one: around the middle of its box, across its
    /// thinnest side (the band's width), all but at most three of 72 rays in the middle plane meet the
    /// inside of the band (a surface facing back at the ray) within a finger's reach. The hole's diameter
    /// is twice the nearest of them: the narrowest a finger has to pass.
    static func ring(_ bvh: TriangleBVH, outward: Float) -> RingSize? {
        let size = bvh.hi - bvh.lo
        guard size.x.isFinite, size.y.isFinite, size.z.isFinite else { return nil }
        let axis = size.x <= size.y && size.x <= size.z ? 0 : (size.y <= size.z ? 1 : 2)
        let (u, v) = ((axis + 1) % 3, (axis + 2) % 3)
        let centre = (bvh.lo + bvh.hi) / 2
        var nearest = Float.infinity
        var missed = 0
        for k in 0..<72 {
            // Between the columns of a lathe's vertices: a ray along a shared edge can slip through.
            let angle = (Float(k) + 0.37) * 2 * .pi / 72
            var direction = SIMD3<Float>.zero
            direction[u] = cos(angle)
            direction[v] = sin(angle)
            guard let hit = bvh.nearest(from: centre, along: direction, reach: bvh.diagonal), outward * hit.cosine < 0 else {
                // A ray or two may still slip between two triangles; more is a band that is open.
                missed += 1
                if missed > 3 { return nil }
                continue
            }
            nearest = min(nearest, hit.distance)
        }
        let diameter = Double(nearest) * 2
        // Children's rings to the largest men's: about 12 to 26 mm inside.
        guard (RingSize.smallestMM...RingSize.largestMM).contains(diameter) else { return nil }
        return RingSize(innerDiameterMM: diameter)
    }

    /// The median of the cone's hits, each projected on the axis; nil with fewer than three.
    static func cone(_ bvh: TriangleBVH, origin: SIMD3<Float>, axis: SIMD3<Float>, outward: Float, reach: Float) -> Float? {
        // Two directions across the axis.
        let helper: SIMD3<Float> = abs(axis.x) < 0.9 ? [1, 0, 0] : [0, 1, 0]
        var u = crossProduct(axis, helper)
        u /= (u * u).sum().squareRoot()
        let v = crossProduct(axis, u)
        let (sine, cosine) = (sin(coneAngle), cos(coneAngle))
        var found: [Float] = []
        found.reserveCapacity(coneRays)
        for k in 0..<coneRays {
            let angle = Float(k) * 2 * .pi / Float(coneRays)
            let direction = axis * cosine + (u * cos(angle) + v * sin(angle)) * sine
            if let hit = bvh.nearest(from: origin, along: direction, reach: reach), outward * hit.cosine > 0 {
                found.append(hit.distance * cosine)
            }
        }
        guard found.count >= 3 else { return nil }
        found.sort()
        return found[found.count / 2]
    }

    @inline(__always)
    static func point(_ c: UnsafeBufferPointer<Float>, _ t: Int, _ corner: Int) -> SIMD3<Float> {
        let k = t * 9 + corner * 3
        return SIMD3(c[k], c[k + 1], c[k + 2])
    }
}

@inline(__always) func crossProduct(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always) func dotProduct(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }

/// The thickness of every triangle of a model, and what it adds up to.
public struct Thickness: Sendable {
    /// Millimetres per triangle, in the model's order; NaN where nothing opposite was found.
    public let perTriangle: [Float]
    public internal(set) var report: ThicknessReport

    init(
        perTriangle: [Float], areas: [Float], opposite: [Int32], coordinates c: UnsafeBufferPointer<Float>, thresholdMM: Double,
        conedTriangles: Int
    ) {
        self.perTriangle = perTriangle
        report = ThicknessReport(
            perTriangle: perTriangle, areas: areas, opposite: opposite, coordinates: c, thresholdMM: thresholdMM,
            conedTriangles: conedTriangles)
    }
}

/// The summary a customer, a seller and an operator read.
public struct ThicknessReport: Sendable, Hashable, Codable {
    /// Walls thinner than this are thin (the alloy's minimum wall, from the casting rules).
    public var thresholdMM: Double
    /// The thinnest wall found, mm; nil when no triangle could be measured.
    public var minimumMM: Double?
    /// Surface-weighted percentiles of the wall thickness, mm.
    public var percentile5MM: Double?
    public var medianMM: Double?
    /// How much of the surface lies in each band of thickness.
    public var distribution: [Band]
    /// Triangles with a measurement, and those whose opposite side was not found (open meshes).
    public var measuredTriangles: Int
    public var unmeasuredTriangles: Int
    /// Triangles the single ray could not settle, measured by the cone.
    public var conedTriangles: Int
    /// The surface below the threshold, mm².
    public var thinAreaMM2: Double
    /// Every thin region, thinnest first (at most ``ThicknessAnalyzer/listedRegions``).
    public var thinRegions: [ThinRegion]
    /// All thin regions, listed or not.
    public var thinRegionCount: Int
    /// The finger hole, when the model is a ring.
    public var ring: RingSize?

    public struct Band: Sendable, Hashable, Codable {
        /// Walls from the band before up to this, mm (nil: everything thicker than the last).
        public var upToMM: Double?
        public var areaMM2: Double
    }

    /// Connected triangles thinner than the threshold.
    public struct ThinRegion: Sendable, Hashable, Codable {
        public var areaMM2: Double
        public var thinnestMM: Double
        /// Where the thinnest wall of the region is (the centre of its triangle), mm.
        public var at: [Double]
        /// The region's extent, mm.
        public var boundingBox: BoundingBox
        public var triangles: Int
    }

    /// The band edges of ``distribution``, mm.
    public static let bandEdges: [Double] = [0.3, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2, 3]

    init(
        perTriangle values: [Float], areas: [Float], opposite: [Int32], coordinates c: UnsafeBufferPointer<Float>, thresholdMM: Double,
        conedTriangles: Int
    ) {
        let count = values.count
        self.thresholdMM = thresholdMM
        self.conedTriangles = conedTriangles
        var measured: [(value: Float, area: Float)] = []
        measured.reserveCapacity(count)
        var bands = [Double](repeating: 0, count: Self.bandEdges.count + 1)
        for t in 0..<count where !values[t].isNaN {
            measured.append((values[t], areas[t]))
            let band = Self.bandEdges.firstIndex { Double(values[t]) <= $0 } ?? Self.bandEdges.count
            bands[band] += Double(areas[t])
        }
        measuredTriangles = measured.count
        unmeasuredTriangles = count - measured.count
        distribution = bands.enumerated().map {
            Band(upToMM: $0.offset < Self.bandEdges.count ? Self.bandEdges[$0.offset] : nil, areaMM2: $0.element)
        }
        minimumMM = measured.lazy.map { Double($0.value) }.min()
        let total = measured.reduce(0.0) { $0 + Double($1.area) }
        percentile5MM = Self.percentile(&measured, share: 0.05, total: total)
        medianMM = Self.percentile(&measured, share: 0.5, total: total)

        // Thin triangles joined by a shared corner (corners welded by their coordinates), or across
        // the wall they measured, are one region.
        let threshold = Float(thresholdMM)
        var thin: [Int] = []
        var thinIndex = [Int32](repeating: -1, count: count)
        for t in 0..<count where values[t] < threshold {
            thinIndex[t] = Int32(thin.count)
            thin.append(t)
        }
        var parent: [Int] = Array(0..<thin.count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        func join(_ a: Int, _ b: Int) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { parent[ra] = rb }
        }
        var firstAt: [SIMD3<Float>: Int] = [:]
        for (i, t) in thin.enumerated() {
            if opposite[t] >= 0, thinIndex[Int(opposite[t])] >= 0 { join(i, Int(thinIndex[Int(opposite[t])])) }
            for corner in 0..<3 {
                let p = ThicknessAnalyzer.point(c, t, corner)
                if let other = firstAt[p] {
                    join(i, other)
                } else {
                    firstAt[p] = i
                }
            }
        }
        var regions: [Int: ThinRegion] = [:]
        var thinArea = 0.0
        for (i, t) in thin.enumerated() {
            let root = find(i)
            let centre = (ThicknessAnalyzer.point(c, t, 0) + ThicknessAnalyzer.point(c, t, 1) + ThicknessAnalyzer.point(c, t, 2)) / 3
            let lo = (0..<3).map { corner in ThicknessAnalyzer.point(c, t, corner) }.reduce(centre) { pointwiseMin($0, $1) }
            let hi = (0..<3).map { corner in ThicknessAnalyzer.point(c, t, corner) }.reduce(centre) { pointwiseMax($0, $1) }
            thinArea += Double(areas[t])
            var region =
                regions[root]
                ?? ThinRegion(
                    areaMM2: 0, thinnestMM: .infinity, at: [], boundingBox: BoundingBox(min: lo.doubles, max: hi.doubles), triangles: 0)
            region.areaMM2 += Double(areas[t])
            region.triangles += 1
            if Double(values[t]) < region.thinnestMM {
                region.thinnestMM = Double(values[t])
                region.at = centre.doubles
            }
            region.boundingBox = BoundingBox(
                min: zip(region.boundingBox.min, lo.doubles).map { Swift.min($0, $1) },
                max: zip(region.boundingBox.max, hi.doubles).map { Swift.max($0, $1) })
            regions[root] = region
        }
        thinAreaMM2 = thinArea
        thinRegionCount = regions.count
        thinRegions = Array(
            regions.values.sorted { ($0.thinnestMM, -$0.areaMM2) < ($1.thinnestMM, -$1.areaMM2) }.prefix(ThicknessAnalyzer.listedRegions))
    }
}

extension ThicknessReport {
    /// The smallest value whose item, with every smaller one, holds at least `share` of the total
    /// area: a weighted percentile, found by selection (linear on average whatever the values, the
    /// pivot drawn at random) rather than a sort of every triangle. Reorders `items`.
    static func percentile(_ items: inout [(value: Float, area: Float)], share: Double, total: Double) -> Double? {
        guard !items.isEmpty else { return nil }
        var (lo, hi) = (0, items.count)
        var need = share * total
        var generator = SystemRandomNumberGenerator()
        while hi - lo > 16 {
            let pivot = items[Int.random(in: lo..<hi, using: &generator)].value
            // Three parts: [lo, less) below the pivot, [less, more) equal to it, [more, hi) above.
            var (less, i, more) = (lo, lo, hi)
            var (below, equal) = (0.0, 0.0)
            while i < more {
                let item = items[i]
                if item.value < pivot {
                    below += Double(item.area)
                    items.swapAt(less, i)
                    less += 1
                    i += 1
                } else if item.value > pivot {
                    more -= 1
                    items.swapAt(i, more)
                } else {
                    equal += Double(item.area)
                    i += 1
                }
            }
            if need <= below {
                hi = less
            } else if need <= below + equal {
                return Double(pivot)
            } else {
                need -= below + equal
                lo = more
            }
        }
        var running = 0.0
        let rest = items[lo..<hi].sorted { $0.value < $1.value }
        for item in rest {
            running += Double(item.area)
            if running >= need { return Double(item.value) }
        }
        // Rounding left a hair of the share over: the largest value of the range.
        return rest.last.map { Double($0.value) } ?? items.lazy.map { Double($0.value) }.max()
    }
}

extension SIMD3 where Scalar == Float {
    var doubles: [Double] { [Double(x), Double(y), Double(z)] }
}

/// A ring's size from the diameter of its finger hole, in the systems the constructor offers.
public struct RingSize: Sendable, Hashable, Codable {
    public var innerDiameterMM: Double
    /// Russian size (GOST 9198): the inner diameter, to the nearest half millimetre.
    public var ru: Double
    /// EU (ISO 8653): the inner circumference in millimetres, to the nearest whole size.
    public var eu: Double
    /// US and Canada: to the nearest quarter size.
    public var us: Double

    static let smallestMM = 11.5
    static let largestMM = 26.5

    public init(innerDiameterMM: Double) {
        self.innerDiameterMM = innerDiameterMM
        let ring = JewelryDesign(sizeStandard: .ru, size: innerDiameterMM)
        ru = (ring.size(in: .ru) * 2).rounded() / 2
        eu = ring.size(in: .eu).rounded()
        us = (ring.size(in: .us) * 4).rounded() / 4
    }
}
