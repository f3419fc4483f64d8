import AtelierGeometry
import Foundation
import Testing

@Suite("Mesh analysis")
struct AnalysisTests {
    @Test("a 10 mm cube measures exactly 1000 mm³ and 600 mm²", arguments: Encoding.allCases)
    func cube(encoding: Encoding) throws {
        let model = try encoding.read(MeshGenerator.cube(size: 10))

        #expect(model.analysis.volumeMM3 == 1000)
        #expect(model.analysis.surfaceAreaMM2 == 600)
        #expect(model.analysis.triangles == 12)
        #expect(model.analysis.vertices == 8)
        #expect(model.analysis.boundingBox.sizeMM == [10, 10, 10])
        #expect(model.analysis.shells == 1)
        #expect(model.analysis.watertight)
        #expect(!model.analysis.inverted)
    }

    @Test("a finely tessellated sphere is within 0.1 % of the analytic solid", arguments: Encoding.allCases)
    func sphere(encoding: Encoding) throws {
        let radius = 9.0
        let model = try encoding.read(MeshGenerator.sphere(radius: radius, segments: 256, rings: 128))

        #expect(relativeError(model.analysis.volumeMM3, 4.0 / 3.0 * .pi * pow(radius, 3)) < 0.001)
        #expect(relativeError(model.analysis.surfaceAreaMM2, 4 * .pi * radius * radius) < 0.001)
        #expect(model.analysis.watertight)
        #expect(model.analysis.shells == 1)
    }

    @Test("a finely tessellated torus is within 0.1 % of the analytic solid", arguments: Encoding.allCases)
    func torus(encoding: Encoding) throws {
        let (major, minor) = (10.0, 1.5)
        let model = try encoding.read(MeshGenerator.torus(major: major, minor: minor, segments: 256, sides: 128))

        #expect(relativeError(model.analysis.volumeMM3, 2 * .pi * .pi * major * minor * minor) < 0.001)
        #expect(relativeError(model.analysis.surfaceAreaMM2, 4 * .pi * .pi * major * minor) < 0.001)
        #expect(model.analysis.watertight)
        #expect(model.analysis.boundingBox.sizeMM[0] > 22.9 && model.analysis.boundingBox.sizeMM[0] < 23.01)
    }

    @Test("a mesh with a hole is not watertight and its holes are counted", arguments: Encoding.allCases)
    func openMesh(encoding: Encoding) throws {
        var cube = MeshGenerator.cube(size: 10)
        cube.triangles.removeLast(2)  // one face missing

        let model = try encoding.read(cube)

        #expect(!model.analysis.watertight)
        #expect(model.analysis.boundaryEdges == 4)
        #expect(model.analysis.nonManifoldEdges == 0)
    }

    @Test("the irregular benchmark piece is closed, has four shells, and is the same for the same seed")
    func irregular() throws {
        let mesh = MeshGenerator.irregular(triangles: 20_000)
        let model = try Encoding.binarySTL.read(mesh)
        #expect(model.analysis.shells == 4)
        #expect(model.analysis.watertight)
        #expect(!model.analysis.inverted)
        #expect(abs(model.analysis.triangles - 20_000) < 2_000)
        #expect(MeshGenerator.irregular(triangles: 20_000).positions == mesh.positions)
        #expect(MeshGenerator.irregular(triangles: 20_000, seed: 7).positions != mesh.positions)
        // Lumpy: the body is not the sphere it started from.
        let sphere = 4.0 / 3.0 * Double.pi * 8 * 8 * 8
        #expect(abs(model.analysis.volumeMM3 - sphere) > 0.001 * sphere)
    }

    @Test("an OBJ without a file name is recognised by its content, comments first or not")
    func objWithoutName() throws {
        let obj = MeshWriter.obj(MeshGenerator.cube(size: 10))
        for bytes in [obj, Array("# exported\n".utf8) + obj, Array("mtllib cube.mtl\n".utf8) + obj] {
            let model = try ModelReader.read(bytes, filename: "model", limits: MeshLimits())
            #expect(model.format == .obj)
            #expect(model.analysis.volumeMM3 == 1000)
        }
    }

    @Test("separate parts are counted as shells")
    func shells() throws {
        let earring = MeshGenerator.merge([
            MeshGenerator.sphere(radius: 3, segments: 32, rings: 16),
            MeshGenerator.sphere(radius: 2, segments: 32, rings: 16, center: SIMD3(10, 0, 0)),
            MeshGenerator.torus(major: 4, minor: 0.5, segments: 32, sides: 12, center: SIMD3(0, 0, 8)),
        ])

        let model = try Encoding.binarySTL.read(earring)

        #expect(model.analysis.shells == 3)
        #expect(model.analysis.watertight)
    }

    @Test("triangles facing inwards still give the volume, flagged as inverted")
    func inverted() throws {
        var cube = MeshGenerator.cube(size: 10)
        cube.triangles = cube.triangles.map { SIMD3($0.x, $0.z, $0.y) }

        let model = try Encoding.binarySTL.read(cube)

        #expect(model.analysis.volumeMM3 == 1000)
        #expect(model.analysis.inverted)
        #expect(model.analysis.watertight)
    }

    @Test("a model of implausible size for jewelry is refused with its measurements")
    func implausibleSize() {
        let message = messageOf { _ = try Encoding.binarySTL.read(MeshGenerator.cube(size: 1000)) }
        #expect(message?.contains("1000.000 × 1000.000 × 1000.000 mm") == true)
        #expect(message?.contains("millimetres") == true)

        let limits = MeshLimits(maxTriangles: 10)
        let tooDetailed = messageOf { _ = try Encoding.asciiSTL.read(MeshGenerator.cube(size: 10), limits: limits) }
        #expect(tooDetailed?.contains("limit is 10") == true)
    }
}
