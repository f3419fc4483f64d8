import AtelierGeometry
import Foundation
import Testing

@Suite("Malformed model files")
struct MalformedFileTests {
    let cube = MeshGenerator.cube(size: 10)

    func read(_ bytes: [UInt8], _ filename: String) throws {
        _ = try ModelReader.read(bytes, filename: filename)
    }

    func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: binary STL

    @Test("a truncated binary STL names the triangle where it ends")
    func binaryTruncated() {
        let bytes = Array(MeshWriter.binarySTL(cube.soup).dropLast(30))
        let message = messageOf { try read(bytes, "ring.stl") }
        #expect(
            message
                == "Binary STL is truncated: its header declares 12 triangles (684 bytes) but the file has 654 bytes, so it ends inside triangle 12."
        )
    }

    @Test("a binary STL whose header count is wrong says so")
    func binaryWrongCount() {
        var bytes = MeshWriter.binarySTL(cube.soup)
        bytes[80] = 11
        let message = messageOf { try read(bytes, "ring.stl") }
        #expect(
            message
                == "Binary STL has the wrong triangle count: its header declares 11 triangles (634 bytes) but the file has 684 bytes (50 bytes more)."
        )
    }

    @Test("a NaN in a binary STL names the triangle, vertex and axis")
    func binaryNaN() {
        var bytes = MeshWriter.binarySTL(cube.soup)
        // triangle 3 (index 2), vertex 2, y: 84 + 2*50 + 12 (normal) + 1*12 + 4
        let offset = 84 + 2 * 50 + 12 + 12 + 4
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for k in 0..<4 { bytes[offset + k] = $0[k] } }
        let message = messageOf { try read(bytes, "ring.stl") }
        #expect(message == "triangle 3, vertex 2: the y coordinate is not a finite number.")
    }

    @Test("garbage is not taken for a model")
    func garbage() {
        let message = messageOf { try read(Array("hello, this is not a model".utf8), "notes.txt") }
        #expect(message?.hasPrefix("Not a binary STL, ASCII STL or OBJ file") == true)
        let binaryGarbage = messageOf { try read([UInt8](repeating: 0xAB, count: 500), "ring.stl") }
        #expect(binaryGarbage?.contains("Binary STL") == true)
    }

    @Test("an empty file is refused")
    func empty() {
        #expect(messageOf { try read([], "ring.stl") } == "The file is empty.")
    }

    @Test("a binary STL with zero triangles is refused")
    func zeroTriangles() {
        let bytes = [UInt8](repeating: 0, count: 84)
        #expect(messageOf { try read(bytes, "ring.stl") } == "The binary STL file contains no triangles.")
    }

    // MARK: ASCII STL

    @Test("a truncated ASCII STL says where it ends")
    func asciiTruncated() {
        var text = String(decoding: MeshWriter.asciiSTL(cube.soup), as: UTF8.self)
        text = String(text.prefix(text.count / 2))
        let cut = text.lastIndex(of: "\n")!
        text = String(text[..<cut]) + "\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        let message = messageOf { try read(ascii(text), "ring.stl") }
        #expect(message?.hasPrefix("ASCII STL line ") == true)
        #expect(message?.contains("\(lines)") == true)
    }

    @Test("a NaN in an ASCII STL names the line, triangle and axis")
    func asciiNaN() {
        let text = """
            solid broken
              facet normal 0 0 1
                outer loop
                  vertex 0 0 0
                  vertex 1 0 0
                  vertex 0 nan 0
                endloop
              endfacet
            endsolid broken
            """
        #expect(messageOf { try read(ascii(text), "ring.stl") } == "Line 6: triangle 1, vertex 3: the y coordinate is not a finite number.")
    }

    @Test("a bad number in an ASCII STL is shown with its line")
    func asciiBadNumber() {
        let text = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 1 2 abc\n"
        #expect(
            messageOf { try read(ascii(text), "ring.stl") }
                == "ASCII STL line 4: expected 3 numbers after 'vertex', found 'abc' in place of the z value.")
    }

    @Test("a facet with four vertices is refused")
    func asciiQuad() {
        let text =
            "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 1 1 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n"
        #expect(
            messageOf { try read(ascii(text), "ring.stl") }
                == "ASCII STL line 7: facet 1 has more than 3 vertices; only triangles are allowed.")
    }

    @Test("an ASCII STL with a misspelt keyword names it")
    func asciiGarbage() {
        let text = "solid x\nfacet normal 0 0 1\nouter lop\n"
        #expect(messageOf { try read(ascii(text), "ring.stl") } == "ASCII STL line 3: expected 'loop', found 'lop'.")
    }

    // MARK: OBJ

    @Test("an OBJ face pointing past the vertices names the line")
    func objIndexOutOfRange() {
        let text = "v 0 0 0\nv 10 0 0\nv 0 10 0\nf 1 2 3\nf 1 2 9\n"
        #expect(messageOf { try read(ascii(text), "ring.obj") } == "OBJ line 5: face refers to vertex 9, but the file defines 3 vertices.")
    }

    @Test("a truncated OBJ (face cut short) is refused with its line")
    func objTruncated() {
        let text = "v 0 0 0\nv 10 0 0\nv 0 10 0\nf 1 2"
        #expect(messageOf { try read(ascii(text), "ring.obj") } == "OBJ line 4: a face needs at least 3 vertices, found 2.")
    }

    @Test("a NaN in an OBJ names the line and vertex")
    func objNaN() {
        let text = "v 0 0 0\nv 10 NaN 0\nv 0 10 0\nf 1 2 3\n"
        #expect(messageOf { try read(ascii(text), "ring.obj") } == "OBJ line 2: vertex 2: the y coordinate is not a finite number.")
    }

    @Test("garbage in an OBJ face is refused with its line")
    func objGarbage() {
        let text = "v 0 0 0\nv 10 0 0\nv 0 10 0\nf 1 two 3\n"
        #expect(messageOf { try read(ascii(text), "ring.obj") } == "OBJ line 4: expected a vertex index in the face, found 'two 3'.")
    }

    @Test("OBJ faces with texture and normal references and negative indices are read")
    func objForms() throws {
        let text = "v 0 0 0\nv 10 0 0\nv 0 10 0\nv 0 0 10\nvn 0 0 1\nf 1/1/1 3/1/1 2/1/1\nf 1//1 2//1 4//1\nf -3 -2 -1\nf 1 4 3\n"
        let model = try ModelReader.read(ascii(text), filename: "t.obj")
        #expect(model.analysis.triangles == 4)
        #expect(abs(model.analysis.volumeMM3 - 1000.0 / 6) < 1e-9)
        #expect(model.analysis.watertight)
    }
}
