import AtelierGeometry
import AtelierText
import Foundation
import Testing

@Suite("Constructor and thumbnails")
struct ConstructorTests {
    static let designs: [JewelryDesign] = [
        JewelryDesign(kind: .ring, profile: .flat, size: 52, widthMM: 3),
        JewelryDesign(kind: .ring, profile: .comfort, sizeStandard: .us, size: 7, widthMM: 5, setting: .bezel, stoneMM: 6),
        JewelryDesign(kind: .ring, profile: .court, size: 60, widthMM: 2.5, setting: .prongs, stoneMM: 5, engraving: "Forever"),
        JewelryDesign(kind: .pendant, shape: .round, lengthMM: 16),
        JewelryDesign(kind: .pendant, shape: .heart, lengthMM: 20, setting: .bezel, stoneMM: 4),
        JewelryDesign(kind: .pendant, shape: .oval, lengthMM: 24, setting: .prongs, stoneMM: 6),
    ]

    @Test("every element makes a closed, outward-facing model of plausible size", arguments: designs)
    func closed(design: JewelryDesign) throws {
        let bytes = MeshWriter.binarySTL(try design.validated().mesh(withStone: false).soup)
        let model = try ModelReader.read(bytes, filename: design.filename)

        #expect(model.analysis.watertight)
        #expect(!model.analysis.inverted)
        #expect(model.analysis.volumeMM3 > 20 && model.analysis.volumeMM3 < 2_000)
        #expect(model.analysis.boundingBox.sizeMM.max()! < 45)
    }

    @Test("a ring's band follows its size: EU 54 has a 17.19 mm inner diameter, US 7 a 17.32 mm one")
    func ringSize() throws {
        for (design, diameter) in [
            (JewelryDesign(kind: .ring, profile: .flat, size: 54, widthMM: 4), 17.19),
            (JewelryDesign(kind: .ring, profile: .flat, sizeStandard: .us, size: 7, widthMM: 4), 17.32),
        ] {
            #expect(abs(design.innerDiameterMM - diameter) < 0.01)
            let model = try ModelReader.read(MeshWriter.binarySTL(design.mesh(withStone: false).soup), filename: "ring.stl")
            // Outer diameter: inner plus twice the band's thickness (1.6 mm).
            #expect(abs(model.analysis.boundingBox.sizeMM[0] - (diameter + 3.2)) < 0.05)
            #expect(abs(model.analysis.boundingBox.sizeMM[2] - 4) < 0.001)
        }
    }

    @Test("a wider band weighs more, and the stone is shown but not cast")
    func volumes() throws {
        func volume(_ design: JewelryDesign, stone: Bool = false) throws -> Double {
            try ModelReader.read(MeshWriter.binarySTL(design.mesh(withStone: stone).soup), filename: "x.stl").analysis.volumeMM3
        }
        let narrow = JewelryDesign(kind: .ring, size: 54, widthMM: 3), wide = JewelryDesign(kind: .ring, size: 54, widthMM: 6)
        #expect(try volume(wide) > 1.8 * volume(narrow))
        let set = JewelryDesign(kind: .ring, size: 54, widthMM: 3, setting: .bezel, stoneMM: 6)
        #expect(try volume(set, stone: true) > volume(set))
        #expect(try volume(set) > volume(narrow))
    }

    @Test("values out of range are refused with the range in the message")
    func refused() {
        #expect(throws: DesignError("A ring size (EU) must be between 41 and 76; it is 90.")) {
            try JewelryDesign(kind: .ring, size: 90).validated()
        }
        #expect(throws: DesignError("The band width in mm must be between 1.5 and 12; it is 0.5.")) {
            try JewelryDesign(kind: .ring, widthMM: 0.5).validated()
        }
        #expect(throws: DesignError("An engraving has at most 30 characters; this one has 31.")) {
            try JewelryDesign(engraving: String(repeating: "a", count: 31)).validated()
        }
        #expect(throws: DesignError.self) { try JewelryDesign(kind: .pendant, lengthMM: 10, setting: .bezel, stoneMM: 8).validated() }
        #expect(throws: DesignError.self) { try JewelryDesign(kind: .ring, size: .nan).validated() }
    }

    @Test("the summary names every chosen element")
    func summary() throws {
        let design = try JewelryDesign(
            kind: .ring, profile: .court, size: 56, widthMM: 4.5, setting: .prongs, stoneMM: 5, engraving: " J & M "
        )
        .validated()
        #expect(
            design.summary
                == "Ring, EU size 56 (inner diameter 17.83 mm), court band 4.5 mm wide, four-prong setting with a 5 mm stone, engraving “J & M”"
        )
    }

    @Test("a thumbnail shows the model in the middle of a transparent picture")
    func thumbnail() throws {
        let picture = try Thumbnail.render(MeshGenerator.torus(major: 8, minor: 2, segments: 48, sides: 16).soup, size: 64)

        #expect(picture.rgba.count == 64 * 64 * 4)
        #expect(picture.coveredPixels > 64 * 64 / 5)
        #expect(picture.coveredPixels < 64 * 64 * 9 / 10)
        #expect(picture.rgba[3] == 0)  // a corner is background
        let middle = (32 * 64 + 32) * 4 + 3
        #expect(picture.rgba[middle] == 0)  // the ring's hole
        #expect(try Thumbnail.render(TriangleSoup(), size: 8).coveredPixels == 0)
    }
}
