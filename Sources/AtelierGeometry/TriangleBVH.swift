/// A bounding-volume hierarchy of a model's triangles, for the nearest hit of a ray.
///
/// Built top-down: at each node the triangles' centres are sorted into 12 bins along the longest
/// side of their box and split where the surface-area heuristic is lowest; four triangles or fewer
/// make a leaf. A node whose centres all coincide, or one deeper than 48, is split in the middle of
/// its list instead, so crafted input cannot make the tree deep or the build quadratic (at most
/// n log n, the deadline checked at every node). Triangles are kept in leaf order as one corner and
/// two edges, for the Möller–Trumbore test.
struct TriangleBVH {
    struct Node {
        var lo: SIMD3<Float>
        var hi: SIMD3<Float>
        /// A leaf's first triangle, or an inner node's first child (the second follows it).
        var start: UInt32
        /// Triangles of a leaf; 0 for an inner node.
        var count: UInt32
    }

    private(set) var nodes: [Node]
    private(set) var corner: [SIMD3<Float>] = []
    private(set) var edge1: [SIMD3<Float>] = []
    private(set) var edge2: [SIMD3<Float>] = []
    /// The model's index of each triangle in leaf order.
    private(set) var original: [UInt32] = []
    /// The diagonal of the whole model's box, mm.
    let diagonal: Float
    static let leafSize = 4
    static let bins = 12
    static let maximumDepth = 48
    /// The deepest a tree can be: 48 levels by the heuristic, then halving down to leaves.
    static let stackSize = 128

    /// A box, and the box of the triangles' centres in it.
    struct Bounds {
        var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
        var centreLo = SIMD3<Float>(repeating: .infinity), centreHi = SIMD3<Float>(repeating: -.infinity)
        var count = 0

        @inline(__always) mutating func add(lo l: SIMD3<Float>, hi h: SIMD3<Float>, centre: SIMD3<Float>) {
            lo = smallest(lo, l)
            hi = largest(hi, h)
            centreLo = smallest(centreLo, centre)
            centreHi = largest(centreHi, centre)
            count += 1
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

    init(_ c: UnsafeBufferPointer<Float>, deadline: WorkDeadline) throws {
        let count = c.count / 9
        var centres = [SIMD3<Float>](repeating: .zero, count: count)
        var lows = [SIMD3<Float>](repeating: .zero, count: count)
        var highs = [SIMD3<Float>](repeating: .zero, count: count)
        var order = (0..<count).map { UInt32($0) }
        var nodes: [Node] = []
        nodes.reserveCapacity(2 * count / Self.leafSize + 1)
        var whole = Bounds()
        try centres.withUnsafeMutableBufferPointer { centres in
            try lows.withUnsafeMutableBufferPointer { lows in
                try highs.withUnsafeMutableBufferPointer { highs in
                    for t in 0..<count {
                        try deadline.check(t)
                        let a = ThicknessAnalyzer.point(c, t, 0), b = ThicknessAnalyzer.point(c, t, 1)
                        let d = ThicknessAnalyzer.point(c, t, 2)
                        lows[t] = smallest(smallest(a, b), d)
                        highs[t] = largest(largest(a, b), d)
                        centres[t] = (lows[t] + highs[t]) / 2
                        whole.add(lo: lows[t], hi: highs[t], centre: centres[t])
                    }
                    try order.withUnsafeMutableBufferPointer { order in
                        try Self.build(
                            into: &nodes, order: order, whole: whole, centres: UnsafeBufferPointer(centres),
                            lows: UnsafeBufferPointer(lows), highs: UnsafeBufferPointer(highs), deadline: deadline)
                    }
                }
            }
        }
        self.nodes = nodes
        let span = whole.hi - whole.lo
        diagonal = count > 0 ? (span * span).sum().squareRoot() : 0
        original = order
        corner.reserveCapacity(count)
        edge1.reserveCapacity(count)
        edge2.reserveCapacity(count)
        for (step, t) in order.enumerated() {
            try deadline.check(step)
            let a = ThicknessAnalyzer.point(c, Int(t), 0)
            corner.append(a)
            edge1.append(ThicknessAnalyzer.point(c, Int(t), 1) - a)
            edge2.append(ThicknessAnalyzer.point(c, Int(t), 2) - a)
        }
    }

    /// Top-down, one pass over a node's triangles to bin them (which also gives both children's
    /// boxes) and one to partition them.
    private static func build(
        into nodes: inout [Node], order: UnsafeMutableBufferPointer<UInt32>, whole: Bounds, centres: UnsafeBufferPointer<SIMD3<Float>>,
        lows: UnsafeBufferPointer<SIMD3<Float>>, highs: UnsafeBufferPointer<SIMD3<Float>>, deadline: WorkDeadline
    ) throws {
        func bounds(_ range: Range<Int>) -> Bounds {
            var b = Bounds()
            for i in range {
                let t = Int(order[i])
                b.add(lo: lows[t], hi: highs[t], centre: centres[t])
            }
            return b
        }
        nodes.append(Node(lo: whole.lo, hi: whole.hi, start: 0, count: 0))
        var work: [(node: Int, first: Int, end: Int, depth: Int, bounds: Bounds)] = [(0, 0, order.count, 0, whole)]
        var bins = [Bounds](repeating: Bounds(), count: Self.bins)
        var fromRight = [Bounds](repeating: Bounds(), count: Self.bins)
        while let (node, first, end, depth, box) = work.popLast() {
            try deadline.check()
            nodes[node].lo = box.lo
            nodes[node].hi = box.hi
            let size = end - first
            if size <= Self.leafSize {
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
                @inline(__always) func bin(_ t: Int) -> Int { min(Self.bins - 1, Int((centres[t][axis] - base) * scale)) }
                for b in 0..<Self.bins { bins[b] = Bounds() }
                for i in first..<end {
                    let t = Int(order[i])
                    bins[bin(t)].add(lo: lows[t], hi: highs[t], centre: centres[t])
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
                        if bin(Int(order[i])) < best.split {
                            i += 1
                        } else {
                            order.swapAt(i, j)
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
    func nearest(from origin: SIMD3<Float>, along direction: SIMD3<Float>, reach: Float) -> (
        distance: Float, cosine: Float, triangle: Int
    )? {
        let inverse = SIMD3<Float>(1, 1, 1) / direction
        let nearLimit = max(diagonal * 1e-6, 1e-5)
        var best = reach
        var bestIndex = -1
        return nodes.withUnsafeBufferPointer { nodes in
            corner.withUnsafeBufferPointer { corner in
                edge1.withUnsafeBufferPointer { edge1 in
                    edge2.withUnsafeBufferPointer { edge2 in
                        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.stackSize) { stack in
                            @inline(__always) func entry(_ node: Node) -> Float? {
                                let t1 = (node.lo - origin) * inverse, t2 = (node.hi - origin) * inverse
                                let near = smallest(t1, t2).max(), far = largest(t1, t2).min()
                                return near <= far && far >= 0 && near < best ? near : nil
                            }
                            var top = 0
                            var current = 0
                            guard entry(nodes[0]) != nil else { return nil }
                            while true {
                                let node = nodes[current]
                                if node.count > 0 {
                                    for i in Int(node.start)..<Int(node.start + node.count) {
                                        // Möller–Trumbore.
                                        let p = crossProduct(direction, edge2[i])
                                        let determinant = dotProduct(edge1[i], p)
                                        if abs(determinant) < 1e-12 { continue }
                                        let f = 1 / determinant
                                        let s = origin - corner[i]
                                        let u = f * dotProduct(s, p)
                                        if u < 0 || u > 1 { continue }
                                        let q = crossProduct(s, edge1[i])
                                        let v = f * dotProduct(direction, q)
                                        if v < 0 || u + v > 1 { continue }
                                        let t = f * dotProduct(edge2[i], q)
                                        if t > nearLimit && t < best {
                                            best = t
                                            bestIndex = i
                                        }
                                    }
                                } else {
                                    let left = Int(node.start), right = left + 1
                                    let l = entry(nodes[left]), r = entry(nodes[right])
                                    switch (l, r) {
                                    case (let l?, let r?):
                                        let (first, second) = l <= r ? (left, right) : (right, left)
                                        if top < Self.stackSize {
                                            stack[top] = UInt32(second)
                                            top += 1
                                        }
                                        current = first
                                        continue
                                    case (.some, nil):
                                        current = left
                                        continue
                                    case (nil, .some):
                                        current = right
                                        continue
                                    case (nil, nil): break
                                    }
                                }
                                // Next from the stack, skipping nodes now farther than the best hit.
                                var next: Int? = nil
                                while top > 0 {
                                    top -= 1
                                    let candidate = Int(stack[top])
                                    if entry(nodes[candidate]) != nil {
                                        next = candidate
                                        break
                                    }
                                }
                                guard let next else { break }
                                current = next
                            }
                            guard bestIndex >= 0 else { return nil }
                            let normal = crossProduct(edge1[bestIndex], edge2[bestIndex])
                            let length = (normal * normal).sum().squareRoot()
                            return (best, length > 0 ? dotProduct(normal, direction) / length : 0, Int(original[bestIndex]))
                        }
                    }
                }
            }
        }
    }
}

/// Each coordinate's smaller value (the standard library's generic form is not always inlined).
@inline(__always) func smallest(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.x < b.x ? a.x : b.x, a.y < b.y ? a.y : b.y, a.z < b.z ? a.z : b.z)
}

/// Each coordinate's larger value.
@inline(__always) func largest(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.x > b.x ? a.x : b.x, a.y > b.y ? a.y : b.y, a.z > b.z ? a.z : b.z)
}
