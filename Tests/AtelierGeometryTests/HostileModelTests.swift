import Foundation
import Testing

@testable import AtelierGeometry

/// Files made to hurt: every step of reading and analysis stays near linear, whatever the input,
/// and a time budget ends what is still too slow with a clear reason.
@Suite("Hostile model files")
struct HostileModelTests {
    /// Three vertices, and `faces` triangles on them, wound both ways.
    func fan(faces: Int) -> String {
        var text = "v 0 0 0\nv 10 0 0\nv 0 10 0\n"
        for k in 0..<faces { text += k % 2 == 0 ? "f 1 2 3\n" : "f 1 3 2\n" }
        return text
    }

    @Test("three vertices shared by 32,000 faces are analysed at once, not in minutes")
    func highDegreeVertices() throws {
        let mesh = try Array(fan(faces: 32_000).utf8).withUnsafeBytes { try OBJReader.read($0) }
        // Each of the 6 directed edges appears 16,000 times: every copy is non-manifold. The old
        // check compared each copy with every other (d² per vertex: 163 s of a core for this).
        let analysis = try MeshAnalyzer.analyze(mesh.soup, deadline: WorkDeadline(after: .seconds(5)))
        #expect(analysis.triangles == 32_000)
        #expect(analysis.vertices == 3)
        #expect(analysis.nonManifoldEdges == 96_000)
        #expect(analysis.boundaryEdges == 0)
        #expect(!analysis.watertight)
    }

    @Test("such a fan is refused at upload, for enclosing no volume")
    func fanRefused() {
        let message = messageOf { _ = try ModelReader.read(Array(fan(faces: 2_000).utf8), filename: "fan.obj") }
        #expect(message?.hasPrefix("The model encloses 0.0000 mm³ of volume; a piece to cast must enclose at least 1.0 mm³.") == true)
    }

    @Test("a flat, closed surface (zero volume) is refused with the reason")
    func zeroVolume() {
        let square = IndexedMesh(
            positions: [SIMD3(0, 0, 0), SIMD3(10, 0, 0), SIMD3(10, 10, 0), SIMD3(0, 10, 0)],
            triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3), SIMD3(0, 2, 1), SIMD3(0, 3, 2)])
        for encoding in Encoding.allCases {
            let message = messageOf { _ = try encoding.read(square) }
            #expect(message?.contains("A flat or open surface has no volume") == true, "\(encoding)")
        }
    }

    @Test("one polygon line with a huge number of corners stops at the triangle cap while it is read")
    func longPolygon() {
        var text = "v 0 0 0\nv 10 0 0\nv 0 10 0\nf"
        for k in 0..<200_000 { text += " \(k % 3 + 1)" }
        text += "\n"
        let limits = MeshLimits(maxTriangles: 1_000)
        let message = messageOf { _ = try ModelReader.read(Array(text.utf8), filename: "long.obj", limits: limits) }
        // The cap applies at the 1,003rd corner, not after all 200,000 are held.
        #expect(message == "The model has 1001 triangles; the limit is 1000.")
    }

    @Test("a model that takes longer than its time budget is refused with a clear reason")
    func timeBudget() {
        let sphere = MeshWriter.binarySTL(MeshGenerator.sphere(radius: 9, segments: 256, rings: 128).soup)
        let limits = MeshLimits(timeBudget: .nanoseconds(1))
        let message = messageOf { _ = try ModelReader.read(sphere, filename: "sphere.stl", limits: limits) }
        #expect(message?.hasPrefix("The model could not be read and analysed within the 1e-09 s allowed for one model") == true)
        // The same file within an ordinary budget is fine.
        #expect(messageOf { _ = try ModelReader.read(sphere, filename: "sphere.stl") } == nil)
    }

    @Test("drawing a thumbnail of many large triangles keeps to its deadline")
    func thumbnailBudget() {
        var coordinates: [Float] = []
        for k in 0..<20_000 {
            let z = Float(k) / 1000
            coordinates += [-50, -50, z, 50, -50, z, 0, 50, z]
        }
        let soup = TriangleSoup(coordinates: coordinates)
        let message = messageOf { _ = try Thumbnail.render(soup, size: 160, deadline: WorkDeadline(after: .nanoseconds(1))) }
        #expect(message?.hasPrefix("The model could not be read and analysed within") == true)
    }

    @Test("welding by sorting gives the same vertices as the hash table, in the same order")
    func weldFallback() throws {
        var generator = SystemRandomNumberGenerator()
        // Corners drawn from a small set of points, so many repeat, -0.0 among them.
        let points: [Float] = [0, -0, 1, 2.5, -3, 7, 1e-30, 42]
        let coordinates = (0..<9 * 3_000).map { _ in points.randomElement(using: &generator)! }
        let (hashed, hashedCount) = try coordinates.withUnsafeBufferPointer { try MeshAnalyzer.weld($0) }
        let (sorted, sortedCount) = try coordinates.withUnsafeBufferPointer { try MeshAnalyzer.weldBySorting($0, deadline: .none) }
        #expect(hashedCount == sortedCount)
        #expect(hashed == sorted)
        #expect(hashedCount <= points.count * points.count * points.count)
    }
}
