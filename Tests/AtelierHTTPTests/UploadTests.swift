import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierStorage
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Model uploads")
struct UploadTests {
    static let broken: [(String, [UInt8], String)] = [
        ("ring.stl", Array(MeshWriter.binarySTL(MeshGenerator.cube(size: 10).soup).dropLast(7)), "Binary STL is truncated"),
        (
            "ring.stl", Array("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 nan 0\n".utf8),
            "Line 5: triangle 1, vertex 2: the y coordinate is not a finite number."
        ),
        ("ring.obj", Array("v 0 0 0\nv 1 0 0\nf 1 2 3\n".utf8), "OBJ line 3: face refers to vertex 3, but the file defines 2 vertices."),
        ("notes.txt", Array("just some words".utf8), "Not a binary STL, ASCII STL or OBJ file"),
        ("ring.stl", [], "The file is empty."),
        ("huge.stl", MeshWriter.binarySTL(MeshGenerator.cube(size: 900).soup), "a piece of jewelry must measure between"),
    ]

    @Test("a broken file is refused with the precise reason, and nothing is stored", arguments: broken)
    func refused(filename: String, bytes: [UInt8], reason: String) async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).string("id"))

            let reply = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=\(filename)", token: customer, body: bytes)

            #expect(reply.status == .unprocessableContent)
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(reply.string("detail")?.contains(reason) == true, "\(reply.text)")
            #expect(try await harness.store.reader.order(id: id)?.status == .initiated)
            #expect(try await harness.store.reader.model(hash: sha256Hex(bytes)) == nil)
            #expect(try await harness.store.reader.history(orderID: id).count == 1)
        }
    }

    @Test("a file over the size limit is a 413 with the limit")
    func tooLarge() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            let id = try #require(
                try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "gold-585"]).string("id"))

            let reply = try await api.call(
                .put, "/api/shop/orders/\(id)/model", token: customer, body: [UInt8](repeating: 1, count: 3 * 1024 * 1024))

            #expect(reply.status == .contentTooLarge)
            #expect(reply.string("detail") == "The model file is larger than the limit of 2 MB.")
        }
    }

    @Test("ASCII STL and OBJ are accepted; the same file is stored once")
    func formatsAndDeduplication() async throws {
        let harness = try await Harness.make()
        try await harness.test { api in
            let customer = try await api.signIn("customer@atelier.test")
            var hashes: [String] = []
            for (name, bytes) in [("cube.stl", Models.cube), ("pendant.obj", Models.pendantOBJ), ("again.stl", Models.cube)] {
                let id = try #require(
                    try await api.call(.post, "/api/shop/orders", token: customer, json: ["material": "silver-925"]).string("id"))
                let reply = try await api.call(.put, "/api/shop/orders/\(id)/model?filename=\(name)", token: customer, body: bytes)
                #expect(reply.status == .ok, "\(reply.text)")
                let model = try reply.decode(UploadView.self).model
                hashes.append(model.hash)
                if name == "cube.stl" {
                    #expect(model.volumeMM3 == 1000)
                    #expect(model.format == "stl-ascii")
                }
                if name == "pendant.obj" { #expect(model.format == "obj") }
            }
            #expect(hashes[0] == hashes[2])
            #expect(hashes[0] == sha256Hex(Models.cube))
            // The file is in the model store, under its hash; the database keeps only its analysis.
            #expect(try await harness.useCases.context.models.bytes(hash: hashes[0]) == Models.cube)
            #expect(try await harness.store.reader.modelBytes(hash: hashes[0]) == nil)
        }
    }
}
