/// Computes volume, area, bounding box, shells and watertightness of a triangle soup.
///
/// At most n log n in the number of triangles, whatever the file: one pass for volume, area and box;
/// identical corners are welded with an open-addressing table (and by sorting, should the table's
/// probes ever pass a linear budget, as crafted coordinates could make them); edges are checked on
/// a compact adjacency list (compressed sparse rows) of the welded vertices, each vertex's list
/// sorted, so a vertex shared by thousands of faces costs d log d and not d²; shells come from a
/// union-find. Every loop checks `deadline`.
public enum MeshAnalyzer {
    public static func analyze(_ soup: TriangleSoup, deadline: WorkDeadline = .none) throws -> MeshAnalysis {
        try soup.coordinates.withUnsafeBufferPointer { try analyze(coordinates: $0, deadline: deadline) }
    }

    static func analyze(coordinates c: UnsafeBufferPointer<Float>, deadline: WorkDeadline) throws -> MeshAnalysis {
        let triangleCount = c.count / 9
        guard triangleCount > 0 else { throw MeshError.noTriangles(format: "model") }

        // 1. Volume, area and bounding box, in Double, relative to the first corner for precision.
        let ox = Double(c[0]), oy = Double(c[1]), oz = Double(c[2])
        var volume6 = 0.0
        var area2 = 0.0
        var lo = (Float.infinity, Float.infinity, Float.infinity)
        var hi = (-Float.infinity, -Float.infinity, -Float.infinity)
        var k = 0
        for t in 0..<triangleCount {
            if t & 0xFFF == 0 { try deadline.check() }
            let ax = Double(c[k]) - ox, ay = Double(c[k + 1]) - oy, az = Double(c[k + 2]) - oz
            let bx = Double(c[k + 3]) - ox, by = Double(c[k + 4]) - oy, bz = Double(c[k + 5]) - oz
            let cx = Double(c[k + 6]) - ox, cy = Double(c[k + 7]) - oy, cz = Double(c[k + 8]) - oz
            // signed volume of the tetrahedron (origin, a, b, c) times 6
            volume6 += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)
            let ux = bx - ax, uy = by - ay, uz = bz - az
            let vx = cx - ax, vy = cy - ay, vz = cz - az
            let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
            area2 += (nx * nx + ny * ny + nz * nz).squareRoot()
            for corner in 0..<3 {
                let x = c[k + corner * 3], y = c[k + corner * 3 + 1], z = c[k + corner * 3 + 2]
                lo = (Swift.min(lo.0, x), Swift.min(lo.1, y), Swift.min(lo.2, z))
                hi = (Swift.max(hi.0, x), Swift.max(hi.1, y), Swift.max(hi.2, z))
            }
            k += 9
        }

        // 2. Weld identical corners into vertices.
        let (cornerVertex, vertexCount) = try weld(c, deadline: deadline)

        // 3. Edges, shells, degenerate triangles.
        let topo = try cornerVertex.withUnsafeBufferPointer {
            try Self.topology(corners: $0, vertexCount: vertexCount, deadline: deadline)
        }

        let signedVolume = volume6 / 6
        return MeshAnalysis(
            triangles: triangleCount,
            vertices: vertexCount,
            volumeMM3: abs(signedVolume),
            surfaceAreaMM2: area2 / 2,
            boundingBox: BoundingBox(
                min: [Double(lo.0), Double(lo.1), Double(lo.2)], max: [Double(hi.0), Double(hi.1), Double(hi.2)]),
            shells: topo.shells,
            watertight: topo.boundaryEdges == 0 && topo.nonManifoldEdges == 0,
            boundaryEdges: topo.boundaryEdges,
            nonManifoldEdges: topo.nonManifoldEdges,
            degenerateTriangles: topo.degenerate,
            inverted: signedVolume < 0
        )
    }

    /// Maps every corner to a vertex id; corners with bit-identical coordinates share one id.
    ///
    /// Open addressing on vertex ids, keyed by the vertex's coordinates. The table starts small and
    /// doubles when half full: a closed mesh has about a sixth as many vertices as corners, and a
    /// table sized for the vertices stays in the cache far better than one sized for the corners.
    ///
    /// The hash is fixed, so coordinates can be crafted to collide: the probes are counted, and past
    /// a linear budget the weld is done again by sorting (n log n whatever the input).
    static func weld(_ c: UnsafeBufferPointer<Float>, deadline: WorkDeadline = .none) throws -> ([UInt32], Int) {
        let cornerCount = c.count / 3
        let probeBudget = 64 * cornerCount + 1024
        var probes = 0
        var capacity = 16
        while capacity < cornerCount / 4 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        var keys: [UInt32] = []
        keys.reserveCapacity(cornerCount * 3)
        var cornerVertex = [UInt32](repeating: 0, count: cornerCount)
        var vertexCount = 0

        @inline(__always) func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> Int {
            var h = UInt64(x) &* 0x9E37_79B9_7F4A_7C15
            h ^= UInt64(y) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= UInt64(z) &* 0x1656_67B1_9E37_79F9
            h ^= h >> 29
            return Int(truncatingIfNeeded: h)
        }

        let welded: Bool = try cornerVertex.withUnsafeMutableBufferPointer { out in
            for corner in 0..<cornerCount {
                if corner & 0xFFF == 0 { try deadline.check() }
                // +0.0 and -0.0 are the same point
                let x = c[corner * 3].bitPattern == 0x8000_0000 ? 0 : c[corner * 3].bitPattern
                let y = c[corner * 3 + 1].bitPattern == 0x8000_0000 ? 0 : c[corner * 3 + 1].bitPattern
                let z = c[corner * 3 + 2].bitPattern == 0x8000_0000 ? 0 : c[corner * 3 + 2].bitPattern
                if vertexCount * 2 >= capacity {
                    // Half full: double the table and put every vertex in again.
                    capacity <<= 1
                    slots = [Int32](repeating: -1, count: capacity)
                    let mask = capacity - 1
                    slots.withUnsafeMutableBufferPointer { slots in
                        keys.withUnsafeBufferPointer { keys in
                            for vertex in 0..<vertexCount {
                                var slot = hash(keys[vertex * 3], keys[vertex * 3 + 1], keys[vertex * 3 + 2]) & mask
                                while slots[slot] >= 0 {
                                    slot = (slot + 1) & mask
                                    probes += 1
                                }
                                slots[slot] = Int32(vertex)
                            }
                        }
                    }
                }
                let mask = capacity - 1
                var slot = hash(x, y, z) & mask
                let found: Int32 = slots.withUnsafeMutableBufferPointer { slots in
                    keys.withUnsafeBufferPointer { keys in
                        while true {
                            let v = slots[slot]
                            if v < 0 {
                                slots[slot] = Int32(vertexCount)
                                return -1
                            }
                            let base = Int(v) * 3
                            if keys[base] == x, keys[base + 1] == y, keys[base + 2] == z { return v }
                            slot = (slot + 1) & mask
                            probes += 1
                        }
                    }
                }
                if probes > probeBudget { return false }
                if found >= 0 {
                    out[corner] = UInt32(found)
                } else {
                    keys.append(x)
                    keys.append(y)
                    keys.append(z)
                    out[corner] = UInt32(vertexCount)
                    vertexCount += 1
                }
            }
            return true
        }
        if !welded { return try weldBySorting(c, deadline: deadline) }
        return (cornerVertex, vertexCount)
    }

    /// The same map as ``weld(_:deadline:)`` (vertex ids in order of first appearance), by sorting
    /// the corners by their coordinates' bits: n log n comparisons, whatever the coordinates.
    static func weldBySorting(_ c: UnsafeBufferPointer<Float>, deadline: WorkDeadline) throws -> ([UInt32], Int) {
        let cornerCount = c.count / 3
        func key(_ corner: Int) -> (UInt32, UInt32, UInt32) {
            let x = c[corner * 3].bitPattern, y = c[corner * 3 + 1].bitPattern, z = c[corner * 3 + 2].bitPattern
            return (x == 0x8000_0000 ? 0 : x, y == 0x8000_0000 ? 0 : y, z == 0x8000_0000 ? 0 : z)
        }
        try deadline.check()
        // Ties keep the corners' order, so the first corner of each group is its first appearance.
        let order = (0..<cornerCount).sorted { a, b in
            let ka = key(a), kb = key(b)
            return ka != kb ? ka < kb : a < b
        }
        try deadline.check()
        // The first corner of every group, then the group's id by first appearance.
        var firstOf = [UInt32](repeating: 0, count: cornerCount)
        var i = 0
        while i < order.count {
            if i & 0xFFF == 0 { try deadline.check() }
            var j = i
            while j < order.count, key(order[j]) == key(order[i]) {
                firstOf[order[j]] = UInt32(order[i])
                j += 1
            }
            i = j
        }
        var idOfFirst = [Int32](repeating: -1, count: cornerCount)
        var cornerVertex = [UInt32](repeating: 0, count: cornerCount)
        var vertexCount = 0
        for corner in 0..<cornerCount {
            let first = Int(firstOf[corner])
            if idOfFirst[first] < 0 {
                idOfFirst[first] = Int32(vertexCount)
                vertexCount += 1
            }
            cornerVertex[corner] = UInt32(idOfFirst[first])
        }
        return (cornerVertex, vertexCount)
    }

    /// Up to this many edges a vertex's list is sorted and searched by hand (a few comparisons);
    /// past it by the standard sort and a binary search (d log d).
    static let smallDegree = 16

    struct Topology {
        var shells: Int
        var boundaryEdges: Int
        var nonManifoldEdges: Int
        var degenerate: Int
    }

    /// Checks every directed edge against its reverse on an adjacency list, and counts shells.
    ///
    /// Each vertex's targets are sorted, so copies of an edge lie together and its reverse is found
    /// by binary search: E log d in all, however many faces share a vertex.
    static func topology(corners: UnsafeBufferPointer<UInt32>, vertexCount: Int, deadline: WorkDeadline = .none) throws -> Topology {
        let triangleCount = corners.count / 3
        var degenerate = 0
        // Out-degree per vertex, then prefix sums: offsets[v]..<offsets[v+1] holds v's edge targets.
        var offsets = [Int32](repeating: 0, count: vertexCount + 1)
        var targets = [UInt32](repeating: 0, count: corners.count)
        var parent = [UInt32](repeating: 0, count: vertexCount)
        var boundary = 0
        var nonManifold = 0
        var shells = 0
        try offsets.withUnsafeMutableBufferPointer { offsets in
            try targets.withUnsafeMutableBufferPointer { targets in
                try parent.withUnsafeMutableBufferPointer { parent in
                    for t in 0..<triangleCount {
                        if t & 0xFFF == 0 { try deadline.check() }
                        let a = corners[t * 3], b = corners[t * 3 + 1], cc = corners[t * 3 + 2]
                        if a == b || b == cc || a == cc {
                            degenerate += 1
                            continue
                        }
                        offsets[Int(a) + 1] += 1
                        offsets[Int(b) + 1] += 1
                        offsets[Int(cc) + 1] += 1
                    }
                    for v in 0..<vertexCount { offsets[v + 1] += offsets[v] }
                    var fill = Array(offsets[0..<vertexCount])
                    fill.withUnsafeMutableBufferPointer { fill in
                        for t in 0..<triangleCount {
                            let a = corners[t * 3], b = corners[t * 3 + 1], cc = corners[t * 3 + 2]
                            if a == b || b == cc || a == cc { continue }
                            targets[Int(fill[Int(a)])] = b
                            fill[Int(a)] += 1
                            targets[Int(fill[Int(b)])] = cc
                            fill[Int(b)] += 1
                            targets[Int(fill[Int(cc)])] = a
                            fill[Int(cc)] += 1
                        }
                    }
                    for a in 0..<vertexCount {
                        if a & 0xFFF == 0 { try deadline.check() }
                        let start = Int(offsets[a]), end = Int(offsets[a + 1])
                        if end - start <= Self.smallDegree {
                            // A closed mesh's vertex has about six edges: insertion sort, in place.
                            var i = start + 1
                            while i < end {
                                let value = targets[i]
                                var j = i
                                while j > start, targets[j - 1] > value {
                                    targets[j] = targets[j - 1]
                                    j -= 1
                                }
                                targets[j] = value
                                i += 1
                            }
                        } else {
                            targets[start..<end].sort()
                        }
                    }
                    /// How often `value` is in the sorted range, by binary search.
                    func count(of value: UInt32, in range: Range<Int>) -> Int {
                        if range.count <= Self.smallDegree {
                            var found = 0
                            for f in range where targets[f] == value { found += 1 }
                            return found
                        }
                        var low = range.lowerBound, high = range.upperBound
                        while low < high {
                            let mid = (low + high) / 2
                            if targets[mid] < value { low = mid + 1 } else { high = mid }
                        }
                        var end = low
                        while end < range.upperBound, targets[end] == value { end += 1 }
                        return end - low
                    }
                    // Each directed edge a→b must appear once, and its reverse b→a once.
                    for a in 0..<vertexCount {
                        if a & 0xFFF == 0 { try deadline.check() }
                        let start = Int(offsets[a]), end = Int(offsets[a + 1])
                        var e = start
                        while e < end {
                            let b = targets[e]
                            var forward = 1
                            while e + forward < end, targets[e + forward] == b { forward += 1 }
                            e += forward
                            let reverse = count(of: UInt32(a), in: Int(offsets[Int(b)])..<Int(offsets[Int(b) + 1]))
                            if forward == 1 && reverse == 1 { continue }
                            if forward == 1 && reverse == 0 { boundary += 1 } else { nonManifold += forward }
                        }
                    }
                    // Shells: union-find over the vertices of every triangle.
                    for v in 0..<vertexCount { parent[v] = UInt32(v) }
                    func find(_ x: UInt32) -> UInt32 {
                        var x = x
                        while parent[Int(x)] != x {
                            parent[Int(x)] = parent[Int(parent[Int(x)])]
                            x = parent[Int(x)]
                        }
                        return x
                    }
                    for t in 0..<triangleCount {
                        if t & 0xFFF == 0 { try deadline.check() }
                        let ra = find(corners[t * 3])
                        for corner in 1..<3 {
                            let rb = find(corners[t * 3 + corner])
                            if ra != rb { parent[Int(rb)] = ra }
                        }
                    }
                    for v in 0..<vertexCount where parent[v] == UInt32(v) { shells += 1 }
                }
            }
        }
        return Topology(shells: shells, boundaryEdges: boundary, nonManifoldEdges: nonManifold, degenerate: degenerate)
    }
}
