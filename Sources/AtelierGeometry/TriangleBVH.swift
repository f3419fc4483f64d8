/// A bounding-volume hierarchy of a model's triangles, for the nearest hit of a ray.
///
/// Built in Morton order (``mortonOrder``): the triangles sorted by the Morton code of their
/// centres, the top of the tree chosen by the surface-area heuristic over clusters of one coarse
/// cell each, the rest split by the codes' bits (``build``). Four triangles or fewer make a leaf.
/// Where the heuristic is used, a node whose centres all coincide, or one deeper than 48, is split
/// in the middle of its list instead, so crafted input cannot make the tree deep or the build
/// quadratic (at most n log n, the deadline checked at every node). The binary tree is then
/// collapsed four-wide (``Wide``): a ray meets four children's boxes in one SIMD test, and each
/// leaf's triangles, kept as one corner and two edges in a ``Packet``, in one Möller–Trumbore test
/// of four lanes. The binary tree itself is not kept.
struct TriangleBVH {
    struct Node {
        var lo: SIMD3<Float>
        var hi: SIMD3<Float>
        /// A leaf's first triangle, or an inner node's first child (the second follows it).
        var start: UInt32
        /// Triangles of a leaf; 0 for an inner node.
        var count: UInt32
    }

    /// Four children side by side, each coordinate of their boxes in one vector: one ray meets
    /// all four boxes in a few vector instructions.
    struct Wide {
        var loX: SIMD4<Float>, loY: SIMD4<Float>, loZ: SIMD4<Float>
        var hiX: SIMD4<Float>, hiY: SIMD4<Float>, hiZ: SIMD4<Float>
        /// An inner child's index in `wide`; a leaf's packet as `-1 - packet` (an empty lane: the
        /// empty packet 0).
        var child: SIMD4<Int32>
    }

    /// A leaf's triangles (up to four, the rest with zero edges, which no ray meets), one lane
    /// each, as one corner and two edges for the Möller–Trumbore test.
    struct Packet {
        var ax: SIMD4<Float>, ay: SIMD4<Float>, az: SIMD4<Float>
        var e1x: SIMD4<Float>, e1y: SIMD4<Float>, e1z: SIMD4<Float>
        var e2x: SIMD4<Float>, e2y: SIMD4<Float>, e2z: SIMD4<Float>
        /// Each lane's triangle in the model (-1 for an empty lane).
        var triangle: SIMD4<Int32>
    }

    private(set) var wide: [Wide] = []
    private(set) var packets: [Packet] = []
    /// The whole model's box.
    let lo: SIMD3<Float>
    let hi: SIMD3<Float>
    /// The model's index of each triangle in the packets' order (the tree's, depth first).
    private(set) var original: [UInt32] = []
    /// The diagonal of the whole model's box, mm.
    let diagonal: Float
    static let leafSize = 4
    static let bins = 12
    static let maximumDepth = 48
    /// The bits of a Morton code that name a cluster (six a coordinate).
    static let clusterBits: UInt32 = 18
    /// The deepest a tree can be: over the clusters 48 levels by the heuristic, then halving (18
    /// for 2^18 clusters); 12 by the codes' remaining bits; inside one code 48 by the heuristic
    /// and halving again (23 for 5M triangles): 149. A ray's stack holds four entries a level (at
    /// most three stay), so a stack of 4 × 160 never drops a node.
    static let stackSize = 160

    /// A box, and the box of the triangles' centres in it.
    struct Bounds {
        var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
        var centreLo = SIMD3<Float>(repeating: .infinity), centreHi = SIMD3<Float>(repeating: -.infinity)
        var count = 0

        @inline(__always) mutating func add(lo l: SIMD3<Float>, hi h: SIMD3<Float>, centre: SIMD3<Float>, weight: Int = 1) {
            lo = smallest(lo, l)
            hi = largest(hi, h)
            centreLo = smallest(centreLo, centre)
            centreHi = largest(centreHi, centre)
            count += weight
        }

        @inline(__always) mutating func add(_ record: Record) {
            add(lo: record.lo, hi: record.hi, centre: record.centre, weight: Int(record.weight))
        }

        @inline(__always) mutating func add(_ other: Bounds) {
            lo = smallest(lo, other.lo)
            hi = largest(hi, other.hi)
            centreLo = smallest(centreLo, other.centreLo)
            centreHi = largest(centreHi, other.centreHi)
            count += other.count
        }

        var area: Float {
            let d = largest(hi - lo, .zero)
            return d.x * d.y + d.y * d.z + d.z * d.x
        }
    }

    /// A triangle while the tree is built: its box, and its index in the model (or a cluster of
    /// triangles: its box, its index, and how many triangles it holds). The records themselves
    /// are partitioned, so every pass over a node's triangles reads memory in order.
    struct Record {
        var lo: SIMD3<Float>
        var hi: SIMD3<Float>
        var triangle: UInt32
        var weight: UInt32 = 1
        @inline(__always) var centre: SIMD3<Float> { (lo + hi) * 0.5 }
    }

    init(_ c: UnsafeBufferPointer<Float>, deadline: WorkDeadline) throws {
        let count = c.count / 9
        var whole = Bounds()
        for t in 0..<count {
            try deadline.check(t)
            let a = ThicknessAnalyzer.point(c, t, 0), b = ThicknessAnalyzer.point(c, t, 1)
            let d = ThicknessAnalyzer.point(c, t, 2)
            let lo = smallest(smallest(a, b), d), hi = largest(largest(a, b), d)
            whole.add(lo: lo, hi: hi, centre: (lo + hi) * 0.5)
        }
        let keys = try Self.mortonOrder(c, centres: whole, deadline: deadline)
        var records: [Record] = []
        records.reserveCapacity(count)
        var codes: [UInt32] = []
        codes.reserveCapacity(count)
        for (step, key) in keys.enumerated() {
            try deadline.check(step)
            let t = Int(truncatingIfNeeded: key & 0xffff_ffff)
            let a = ThicknessAnalyzer.point(c, t, 0), b = ThicknessAnalyzer.point(c, t, 1)
            let d = ThicknessAnalyzer.point(c, t, 2)
            records.append(Record(lo: smallest(smallest(a, b), d), hi: largest(largest(a, b), d), triangle: UInt32(t)))
            codes.append(UInt32(truncatingIfNeeded: key >> 32))
        }
        var nodes: [Node] = []
        nodes.reserveCapacity(2 * count / Self.leafSize + 1)
        try records.withUnsafeMutableBufferPointer { records in
            try codes.withUnsafeBufferPointer { codes in
                try Self.build(into: &nodes, records: records, codes: codes, whole: whole, deadline: deadline)
            }
        }
        (lo, hi) = (whole.lo, whole.hi)
        let span = whole.hi - whole.lo
        diagonal = count > 0 ? (span * span).sum().squareRoot() : 0
        guard count > 0 else { return }
        try collapse(nodes, order: records.map(\.triangle), coordinates: c, deadline: deadline)
        // The packets' order: the tree's, depth first.
        original.reserveCapacity(count)
        for packet in packets {
            for lane in 0..<4 where packet.triangle[lane] >= 0 { original.append(UInt32(packet.triangle[lane])) }
        }
    }

    /// Each triangle's index in the model, below the Morton code of its box's centre (ten bits a
    /// coordinate, on the box of all centres), sorted: triangles near each other in space come out
    /// near each other in the list. A radix sort, three passes of ten bits.
    static func mortonOrder(_ c: UnsafeBufferPointer<Float>, centres whole: Bounds, deadline: WorkDeadline) throws -> [UInt64] {
        let count = c.count / 9
        let extent = whole.centreHi - whole.centreLo
        // A flat model's missing side, or one that overflowed, gets no bits.
        var scale = SIMD3<Float>(repeating: 0)
        for axis in 0..<3 where extent[axis] > 0 && extent[axis].isFinite { scale[axis] = 1023.999 / extent[axis] }
        var keys = [UInt64](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: 3 * 1024)
        for t in 0..<count {
            try deadline.check(t)
            let a = ThicknessAnalyzer.point(c, t, 0), b = ThicknessAnalyzer.point(c, t, 1)
            let d = ThicknessAnalyzer.point(c, t, 2)
            let centre = (smallest(smallest(a, b), d) + largest(largest(a, b), d)) * 0.5
            let cell = (centre - whole.centreLo) * scale
            // NaN and anything out of the box land in the nearest cell.
            let x = UInt32(max(0, min(1023, cell.x.isNaN ? 0 : cell.x)))
            let y = UInt32(max(0, min(1023, cell.y.isNaN ? 0 : cell.y)))
            let z = UInt32(max(0, min(1023, cell.z.isNaN ? 0 : cell.z)))
            let code = spread(x) << 2 | spread(y) << 1 | spread(z)
            keys[t] = UInt64(code) << 32 | UInt64(t)
            counts[Int(code & 1023)] += 1
            counts[1024 + Int(code >> 10 & 1023)] += 1
            counts[2048 + Int(code >> 20 & 1023)] += 1
        }
        var other = [UInt64](repeating: 0, count: count)
        for pass in 0..<3 {
            try deadline.check()
            var offset = 0
            for bucket in 0..<1024 {
                let n = counts[pass * 1024 + bucket]
                counts[pass * 1024 + bucket] = offset
                offset += n
            }
            let shift = UInt64(32 + 10 * pass)
            keys.withUnsafeBufferPointer { from in
                other.withUnsafeMutableBufferPointer { to in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for key in from {
                            let bucket = pass * 1024 + Int(truncatingIfNeeded: key >> shift & 1023)
                            to[counts[bucket]] = key
                            counts[bucket] += 1
                        }
                    }
                }
            }
            swap(&keys, &other)
        }
        return keys
    }

    /// Ten bits spread to every third of thirty.
    @inline(__always) static func spread(_ value: UInt32) -> UInt32 {
        var v = value & 0x3ff
        v = (v | v << 16) & 0x0300_00ff
        v = (v | v << 8) & 0x0300_f00f
        v = (v | v << 4) & 0x030c_30c3
        v = (v | v << 2) & 0x0924_9249
        return v
    }

    /// The binary tree made four-wide: each node takes its children's children in place of its
    /// largest inner children until it has four; each binary leaf becomes one packet.
    private mutating func collapse(
        _ nodes: [Node], order: [UInt32], coordinates c: UnsafeBufferPointer<Float>, deadline: WorkDeadline
    ) throws {
        wide.reserveCapacity(nodes.count / 3 + 1)
        packets.reserveCapacity(nodes.count / 2 + 1)
        func area(_ node: Node) -> Float {
            let d = largest(node.hi - node.lo, .zero)
            return d.x * d.y + d.y * d.z + d.z * d.x
        }
        packets.append(Self.packet([], coordinates: c))
        // A leaf root (four triangles or fewer) still gets one wide node above it.
        var work: [(binary: Int, wide: Int)] = [(0, 0)]
        wide.append(Self.emptyWide)
        var lanes: [Int] = []
        lanes.reserveCapacity(4)
        while let (binary, index) = work.popLast() {
            try deadline.check()
            lanes.removeAll(keepingCapacity: true)
            if nodes[binary].count > 0 {
                lanes.append(binary)
            } else {
                lanes.append(Int(nodes[binary].start))
                lanes.append(Int(nodes[binary].start) + 1)
            }
            while lanes.count < 4 {
                // Open the inner child with the largest surface: the one a ray most often enters.
                var open = -1
                for lane in lanes.indices where nodes[lanes[lane]].count == 0 {
                    if open < 0 || area(nodes[lanes[lane]]) > area(nodes[lanes[open]]) { open = lane }
                }
                guard open >= 0 else { break }
                let first = Int(nodes[lanes[open]].start)
                lanes[open] = first
                lanes.append(first + 1)
            }
            var node = Self.emptyWide
            for (lane, child) in lanes.enumerated() {
                let box = nodes[child]
                (node.loX[lane], node.loY[lane], node.loZ[lane]) = (box.lo.x, box.lo.y, box.lo.z)
                (node.hiX[lane], node.hiY[lane], node.hiZ[lane]) = (box.hi.x, box.hi.y, box.hi.z)
                if box.count > 0 {
                    node.child[lane] = -1 - Int32(packets.count)
                    packets.append(Self.packet(order[Int(box.start)..<Int(box.start + box.count)], coordinates: c))
                } else {
                    node.child[lane] = Int32(wide.count)
                    work.append((child, wide.count))
                    wide.append(Self.emptyWide)
                }
            }
            wide[index] = node
        }
    }

    /// A node with four empty lanes. An empty lane's box is a point at infinity, which a ray either
    /// never reaches or has behind it (an inside-out box would be met by every ray: the slab test
    /// orders each pair of planes); were it met all the same, it leads to the empty packet 0.
    static let emptyWide = Wide(
        loX: SIMD4(repeating: .infinity), loY: SIMD4(repeating: .infinity), loZ: SIMD4(repeating: .infinity),
        hiX: SIMD4(repeating: .infinity), hiY: SIMD4(repeating: .infinity), hiZ: SIMD4(repeating: .infinity),
        child: SIMD4(repeating: -1))

    static func packet(_ triangles: ArraySlice<UInt32>, coordinates c: UnsafeBufferPointer<Float>) -> Packet {
        var p = Packet(
            ax: .zero, ay: .zero, az: .zero, e1x: .zero, e1y: .zero, e1z: .zero, e2x: .zero, e2y: .zero, e2z: .zero,
            triangle: SIMD4(repeating: -1))
        for (lane, t) in triangles.enumerated() {
            let a = ThicknessAnalyzer.point(c, Int(t), 0)
            let e1 = ThicknessAnalyzer.point(c, Int(t), 1) - a, e2 = ThicknessAnalyzer.point(c, Int(t), 2) - a
            (p.ax[lane], p.ay[lane], p.az[lane]) = (a.x, a.y, a.z)
            (p.e1x[lane], p.e1y[lane], p.e1z[lane]) = (e1.x, e1.y, e1.z)
            (p.e2x[lane], p.e2y[lane], p.e2z[lane]) = (e2.x, e2.y, e2.z)
            p.triangle[lane] = Int32(t)
        }
        return p
    }

    /// The binary tree over the triangles in Morton order, in two parts.
    ///
    /// The top, where a ray's path is decided, by the surface-area heuristic over clusters: the
    /// triangles of one cell of a coarse grid (the codes' top ``clusterBits`` bits: 64 cells a
    /// side), which Morton order already keeps together. Below each cluster, by the code: a node
    /// splits its range where the highest bit in which its first and last codes differ turns to 1
    /// (found by a binary search: the range shares every bit above it), a few steps a node and no
    /// pass over the triangles. A range whose triangles all share one code (a cell still coarse for
    /// them: a small detail far from the rest, or crafted input) is built by the heuristic too.
    /// The boxes are then gathered bottom-up.
    private static func build(
        into nodes: inout [Node], records: UnsafeMutableBufferPointer<Record>, codes: UnsafeBufferPointer<UInt32>, whole: Bounds,
        deadline: WorkDeadline
    ) throws {
        nodes.append(Node(lo: whole.lo, hi: whole.hi, start: 0, count: 0))
        var work: [(node: Int, first: Int, end: Int)] = []
        var clusters: [Record] = []
        var ranges: [Range<Int>] = []
        var all = Bounds()
        var i = 0
        while i < records.count {
            try deadline.check(clusters.count)
            let cell = codes[i] >> (30 - Self.clusterBits)
            var j = i
            var box = Bounds()
            while j < records.count && codes[j] >> (30 - Self.clusterBits) == cell {
                box.add(records[j])
                j += 1
            }
            let cluster = Record(lo: box.lo, hi: box.hi, triangle: UInt32(ranges.count), weight: UInt32(j - i))
            clusters.append(cluster)
            all.add(cluster)
            ranges.append(i..<j)
            i = j
        }
        if clusters.count > 1 {
            try clusters.withUnsafeMutableBufferPointer { clusters in
                try surfaceAreaHeuristic(
                    into: &nodes, root: 0, records: clusters, first: 0, end: clusters.count, bounds: all, leafSize: 1, deadline: deadline)
                // Each leaf of that tree is one cluster: its triangles, in order, go on below it.
                for node in nodes.indices where nodes[node].count > 0 {
                    let range = ranges[Int(clusters[Int(nodes[node].start)].triangle)]
                    work.append((node, range.lowerBound, range.upperBound))
                }
            }
        } else {
            work.append((0, 0, records.count))
        }
        while let (node, first, end) = work.popLast() {
            try deadline.check()
            let size = end - first
            if size <= Self.leafSize {
                nodes[node].start = UInt32(first)
                nodes[node].count = UInt32(size)
                continue
            }
            let (a, b) = (codes[first], codes[end - 1])
            guard a != b else {
                var box = Bounds()
                for i in first..<end { box.add(records[i]) }
                try surfaceAreaHeuristic(
                    into: &nodes, root: node, records: records, first: first, end: end, bounds: box, leafSize: Self.leafSize,
                    deadline: deadline)
                continue
            }
            let bit = UInt32(1) << (31 - UInt32((a ^ b).leadingZeroBitCount))
            // The first triangle with that bit set.
            var (low, high) = (first + 1, end - 1)
            while low < high {
                let middle = (low + high) / 2
                if codes[middle] & bit != 0 { high = middle } else { low = middle + 1 }
            }
            let child = nodes.count
            nodes.append(Node(lo: .zero, hi: .zero, start: 0, count: 0))
            nodes.append(Node(lo: .zero, hi: .zero, start: 0, count: 0))
            nodes[node].start = UInt32(child)
            nodes[node].count = 0
            work.append((child + 1, low, end))
            work.append((child, first, low))
        }
        // Children come after their parent: from the last node back, every child's box is ready.
        for index in stride(from: nodes.count - 1, through: 0, by: -1) {
            if index & 0xffff == 0 { try deadline.check() }
            let node = nodes[index]
            var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
            if node.count > 0 {
                for i in Int(node.start)..<Int(node.start + node.count) {
                    lo = smallest(lo, records[i].lo)
                    hi = largest(hi, records[i].hi)
                }
            } else {
                let (left, right) = (nodes[Int(node.start)], nodes[Int(node.start) + 1])
                lo = smallest(left.lo, right.lo)
                hi = largest(left.hi, right.hi)
            }
            nodes[index].lo = lo
            nodes[index].hi = hi
        }
    }

    /// The subtree of `root` over `first..<end` by the surface-area heuristic, top-down: one pass
    /// over a node's triangles to bin them (which also gives both children's boxes) and one to
    /// partition them.
    private static func surfaceAreaHeuristic(
        into nodes: inout [Node], root: Int, records: UnsafeMutableBufferPointer<Record>, first: Int, end: Int, bounds whole: Bounds,
        leafSize: Int, deadline: WorkDeadline
    ) throws {
        func bounds(_ range: Range<Int>) -> Bounds {
            var b = Bounds()
            for i in range { b.add(records[i]) }
            return b
        }
        var work: [(node: Int, first: Int, end: Int, depth: Int, bounds: Bounds)] = [(root, first, end, 0, whole)]
        var bins = [Bounds](repeating: Bounds(), count: Self.bins)
        var fromRight = [Bounds](repeating: Bounds(), count: Self.bins)
        while let (node, first, end, depth, box) = work.popLast() {
            try deadline.check()
            nodes[node].lo = box.lo
            nodes[node].hi = box.hi
            let size = end - first
            if size <= leafSize {
                nodes[node].start = UInt32(first)
                nodes[node].count = UInt32(size)
                continue
            }
            let extent = box.centreHi - box.centreLo
            let axis = extent.x >= extent.y && extent.x >= extent.z ? 0 : (extent.y >= extent.z ? 1 : 2)
            var middle = first + size / 2
            var left = Bounds(), right = Bounds()
            // Coordinates near Float's limits can make a box's side overflow to infinity, and a bin
            // of it NaN: such a node is halved instead.
            if extent[axis] > 0, extent[axis].isFinite, depth < Self.maximumDepth {
                let scale = Float(Self.bins) * (1 - 1e-6) / extent[axis]
                let base = box.centreLo[axis]
                @inline(__always) func bin(_ record: Record) -> Int {
                    min(Self.bins - 1, Int(((record.lo[axis] + record.hi[axis]) * 0.5 - base) * scale))
                }
                for b in 0..<Self.bins { bins[b] = Bounds() }
                for i in first..<end {
                    let record = records[i]
                    bins[bin(record)].add(record)
                }
                // The surface-area heuristic at each of the 11 boundaries between bins.
                var running = Bounds()
                for b in stride(from: Self.bins - 1, to: 0, by: -1) {
                    running.add(bins[b])
                    fromRight[b] = running
                }
                running = Bounds()
                var best: (cost: Float, split: Int, left: Bounds)? = nil
                for b in 1..<Self.bins {
                    running.add(bins[b - 1])
                    guard running.count > 0, fromRight[b].count > 0 else { continue }
                    let cost = running.area * Float(running.count) + fromRight[b].area * Float(fromRight[b].count)
                    if best == nil || cost < best!.cost { best = (cost, b, running) }
                }
                if let best {
                    var i = first, j = end - 1
                    while i <= j {
                        if bin(records[i]) < best.split {
                            i += 1
                        } else {
                            records.swapAt(i, j)
                            j -= 1
                        }
                    }
                    middle = i
                    left = best.left
                    right = fromRight[best.split]
                }
            }
            if left.count == 0 || right.count == 0 {
                // Centres that coincide, or a tree grown deep: halve the list.
                middle = first + size / 2
                left = bounds(first..<middle)
                right = bounds(middle..<end)
            }
            let child = nodes.count
            nodes.append(Node(lo: .zero, hi: .zero, start: 0, count: 0))
            nodes.append(Node(lo: .zero, hi: .zero, start: 0, count: 0))
            nodes[node].start = UInt32(child)
            nodes[node].count = 0
            work.append((child + 1, middle, end, depth + 1, right))
            work.append((child, first, middle, depth + 1, left))
        }
    }

    /// The nearest triangle `direction` (a unit vector) meets from `origin`, past a hair's breadth
    /// and within `reach`: its distance, the cosine between its normal (as its corners turn) and
    /// the ray, and its index in the model.
    func nearest(from origin: SIMD3<Float>, along direction: SIMD3<Float>, reach: Float) -> Hit? {
        guard !wide.isEmpty else { return nil }
        let inverse = SIMD3<Float>(1, 1, 1) / direction
        let (ix, iy, iz) = (SIMD4(repeating: inverse.x), SIMD4(repeating: inverse.y), SIMD4(repeating: inverse.z))
        let ray = Ray(origin: origin, direction: direction)
        let nearLimit = SIMD4<Float>(repeating: max(diagonal * 1e-6, 1e-5))
        var best = reach
        var hitPacket = -1
        var hitLane = 0
        return wide.withUnsafeBufferPointer { wide -> Hit? in
            packets.withUnsafeBufferPointer { packets -> Hit? in
                withUnsafeTemporaryAllocation(of: (node: Int32, near: Float).self, capacity: Self.stackSize * 4) { stack -> Hit? in
                    var top = 0
                    var current: Int32 = 0
                    while true {
                        let node = wide[Int(current)]
                        // The slabs of the four boxes.
                        let x1 = (node.loX - ray.ox) * ix, x2 = (node.hiX - ray.ox) * ix
                        let y1 = (node.loY - ray.oy) * iy, y2 = (node.hiY - ray.oy) * iy
                        let z1 = (node.loZ - ray.oz) * iz, z2 = (node.hiZ - ray.oz) * iz
                        let enter = upper(upper(lower(x1, x2), lower(y1, y2)), lower(z1, z2))
                        let leave = lower(lower(upper(x1, x2), upper(y1, y2)), upper(z1, z2))
                        let met = (enter .<= leave) .& (leave .>= 0) .& (enter .< SIMD4(repeating: best))
                        if any(met) {
                            // Leaves at once; inner children onto the stack, nearest on top.
                            let base = top
                            for lane in 0..<4 where met[lane] {
                                let child = node.child[lane]
                                if child < 0 {
                                    let index = Int(-1 - child)
                                    if let (t, lane) = Self.hit(packets[index], ray, nearLimit: nearLimit, best: best) {
                                        (best, hitPacket, hitLane) = (t, index, lane)
                                    }
                                } else if top < Self.stackSize * 4 {
                                    var k = top
                                    while k > base && stack[k - 1].near < enter[lane] {
                                        stack[k] = stack[k - 1]
                                        k -= 1
                                    }
                                    stack[k] = (child, enter[lane])
                                    top += 1
                                }
                            }
                        }
                        // Next from the stack, skipping nodes now farther than the best hit.
                        var next: Int32 = -1
                        while top > 0 {
                            top -= 1
                            if stack[top].near < best {
                                next = stack[top].node
                                break
                            }
                        }
                        guard next >= 0 else { break }
                        current = next
                    }
                    guard hitPacket >= 0 else { return nil }
                    let p = packets[hitPacket]
                    let e1 = SIMD3(p.e1x[hitLane], p.e1y[hitLane], p.e1z[hitLane])
                    let e2 = SIMD3(p.e2x[hitLane], p.e2y[hitLane], p.e2z[hitLane])
                    let normal = crossProduct(e1, e2)
                    let length = (normal * normal).sum().squareRoot()
                    return (best, length > 0 ? dotProduct(normal, direction) / length : 0, Int(p.triangle[hitLane]))
                }
            }
        }
    }
}

extension TriangleBVH {
    /// What a ray met: how far, the cosine between the triangle's normal and the ray, and the
    /// triangle's index in the model.
    typealias Hit = (distance: Float, cosine: Float, triangle: Int)

    /// A ray's origin and direction, each coordinate in all four lanes.
    struct Ray {
        var ox: SIMD4<Float>, oy: SIMD4<Float>, oz: SIMD4<Float>
        var dx: SIMD4<Float>, dy: SIMD4<Float>, dz: SIMD4<Float>

        init(origin: SIMD3<Float>, direction: SIMD3<Float>) {
            (ox, oy, oz) = (SIMD4(repeating: origin.x), SIMD4(repeating: origin.y), SIMD4(repeating: origin.z))
            (dx, dy, dz) = (SIMD4(repeating: direction.x), SIMD4(repeating: direction.y), SIMD4(repeating: direction.z))
        }
    }

    /// Möller–Trumbore on a packet's four triangles at once: the nearest one `ray` meets past
    /// `nearLimit` and before `best`, its distance and lane.
    @inline(__always)
    static func hit(_ p: Packet, _ ray: Ray, nearLimit: SIMD4<Float>, best: Float) -> (Float, Int)? {
        let px = ray.dy * p.e2z - ray.dz * p.e2y, py = ray.dz * p.e2x - ray.dx * p.e2z, pz = ray.dx * p.e2y - ray.dy * p.e2x
        let determinant = p.e1x * px + p.e1y * py + p.e1z * pz
        let f = 1 / determinant
        let sx = ray.ox - p.ax, sy = ray.oy - p.ay, sz = ray.oz - p.az
        let u = f * (sx * px + sy * py + sz * pz)
        let qx = sy * p.e1z - sz * p.e1y, qy = sz * p.e1x - sx * p.e1z, qz = sx * p.e1y - sy * p.e1x
        let v = f * (ray.dx * qx + ray.dy * qy + ray.dz * qz)
        let t = f * (p.e2x * qx + p.e2y * qy + p.e2z * qz)
        let magnitude = upper(determinant, -determinant)
        let met =
            (magnitude .>= 1e-12) .& (u .>= 0) .& (v .>= 0) .& (u + v .<= 1) .& (t .> nearLimit) .& (t .< SIMD4(repeating: best))
        guard any(met) else { return nil }
        var found: (Float, Int)? = nil
        for lane in 0..<4 where met[lane] && t[lane] < (found?.0 ?? best) { found = (t[lane], lane) }
        return found
    }
}

/// Each lane's smaller value.
@inline(__always) func lower(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .< a) }

/// Each lane's larger value.
@inline(__always) func upper(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .> a) }

/// Each coordinate's smaller value (the standard library's generic form is not always inlined).
@inline(__always) func smallest(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.x < b.x ? a.x : b.x, a.y < b.y ? a.y : b.y, a.z < b.z ? a.z : b.z)
}

/// Each coordinate's larger value.
@inline(__always) func largest(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.x > b.x ? a.x : b.x, a.y > b.y ? a.y : b.y, a.z > b.z ? a.z : b.z)
}
