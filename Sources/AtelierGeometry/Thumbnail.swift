/// A small picture of a model: triangles seen from above and to the front, shaded by one light,
/// with a depth buffer. Pixels are RGBA, row by row from the top; the background is transparent.
public struct Thumbnail: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgba: [UInt8]

    /// Draws `soup` to fit a `size` × `size` picture, in a metal colour.
    ///
    /// The work is the triangles plus the pixels they cover, which many large triangles can make
    /// far more than the file's size: `deadline` is checked as pixels are drawn.
    public static func render(
        _ soup: TriangleSoup, size: Int, color: SIMD3<Float> = SIMD3(212, 175, 55), deadline: WorkDeadline = .none
    ) throws -> Thumbnail {
        var picture = Thumbnail(width: size, height: size, rgba: [UInt8](repeating: 0, count: size * size * 4))
        let c = soup.coordinates
        guard !c.isEmpty else { return picture }
        var low = SIMD3<Float>(repeating: .infinity), high = SIMD3<Float>(repeating: -.infinity)
        for i in stride(from: 0, to: c.count, by: 3) {
            let p = SIMD3(c[i], c[i + 1], c[i + 2])
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        let center = (low + high) / 2
        // The farthest corner from the centre: the model fits in any direction it is seen from.
        var farthest: Float = 1e-6
        for i in stride(from: 0, to: c.count, by: 3) {
            let d = SIMD3(c[i], c[i + 1], c[i + 2]) - center
            farthest = max(farthest, (d * d).sum())
        }
        let radius = farthest.squareRoot()
        // The camera looks at the centre from the front, the right and above; z is up.
        let toCamera = normalized(SIMD3<Float>(0.55, -0.85, 0.75))
        let right = normalized(cross(SIMD3<Float>(0, 0, 1), toCamera))
        let up = cross(toCamera, right)
        let light = normalized(SIMD3<Float>(0.3, -0.5, 1))
        let scale = Float(size) * 0.48 / radius
        let half = Float(size) / 2
        var depth = [Float](repeating: -.infinity, count: size * size)
        // Triangles and pixels drawn; the clock is read every 4,096 of them.
        var steps = 0, nextCheck = 0
        func step(_ count: Int) throws {
            steps += count
            if steps >= nextCheck {
                try deadline.check()
                nextCheck = steps + 4096
            }
        }

        func project(_ i: Int) -> SIMD3<Float> {
            let p = SIMD3(c[i], c[i + 1], c[i + 2]) - center
            return SIMD3(half + (p * right).sum() * scale, half - (p * up).sum() * scale, (p * toCamera).sum())
        }
        for t in stride(from: 0, to: c.count, by: 9) {
            try step(1)
            let a = project(t), b = project(t + 3), d = project(t + 6)
            let pa = SIMD3(c[t], c[t + 1], c[t + 2]), pb = SIMD3(c[t + 3], c[t + 4], c[t + 5]), pd = SIMD3(c[t + 6], c[t + 7], c[t + 8])
            var normal = normalized(cross(pb - pa, pd - pa))
            if (normal * toCamera).sum() < 0 { normal = -normal }
            let shade = 0.3 + 0.7 * max(0, (normal * light).sum())
            let rgb = SIMD3<UInt8>(clamping: SIMD3<Int32>((color * shade).rounded(.toNearestOrEven)))
            let area = (b.x - a.x) * (d.y - a.y) - (b.y - a.y) * (d.x - a.x)
            guard area != 0, area.isFinite else { continue }
            let minX = max(0, Int(min(a.x, b.x, d.x).rounded(.down))), maxX = min(size - 1, Int(max(a.x, b.x, d.x).rounded(.up)))
            let minY = max(0, Int(min(a.y, b.y, d.y).rounded(.down))), maxY = min(size - 1, Int(max(a.y, b.y, d.y).rounded(.up)))
            guard minX <= maxX, minY <= maxY else { continue }
            for y in minY...maxY {
                try step(maxX - minX + 1)
                let py = Float(y) + 0.5
                for x in minX...maxX {
                    let px = Float(x) + 0.5
                    // Barycentric weights; a pixel is inside when all three agree in sign with the area.
                    let w0 = ((b.x - px) * (d.y - py) - (b.y - py) * (d.x - px)) / area
                    let w1 = ((d.x - px) * (a.y - py) - (d.y - py) * (a.x - px)) / area
                    let w2 = 1 - w0 - w1
                    guard w0 >= 0, w1 >= 0, w2 >= 0 else { continue }
                    let z = w0 * a.z + w1 * b.z + w2 * d.z
                    let pixel = y * size + x
                    guard z > depth[pixel] else { continue }
                    depth[pixel] = z
                    picture.rgba[pixel * 4] = rgb.x
                    picture.rgba[pixel * 4 + 1] = rgb.y
                    picture.rgba[pixel * 4 + 2] = rgb.z
                    picture.rgba[pixel * 4 + 3] = 255
                }
            }
        }
        return picture
    }

    /// How many pixels show the model.
    public var coveredPixels: Int { stride(from: 3, to: rgba.count, by: 4).reduce(0) { $0 + (rgba[$1] > 0 ? 1 : 0) } }
}

private func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

private func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> {
    let length = (v * v).sum().squareRoot()
    return length > 0 ? v / length : v
}
