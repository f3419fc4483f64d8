import AtelierText
import Foundation

/// A piece built in the shop's constructor from ready elements: a ring or a pendant, its band
/// profile or shape, its size, a setting with a stone, and an engraving. ``mesh(withStone:)``
/// makes the model that is cast.
public struct JewelryDesign: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case ring, pendant }
    /// The cross-section of a ring's band.
    public enum Profile: String, Sendable, Codable, CaseIterable { case flat, comfort, court }
    /// How a ring size is given: Russian (the inner diameter in mm, GOST 9198), EU (the inner
    /// circumference in mm, ISO 8653) or US (ANSI sizes).
    public enum SizeStandard: String, Sendable, Codable, CaseIterable { case ru, eu, us }
    /// The outline of a pendant.
    public enum Shape: String, Sendable, Codable, CaseIterable { case round, oval, heart }
    public enum Setting: String, Sendable, Codable, CaseIterable { case none, bezel, prongs }

    public var kind: Kind
    public var profile: Profile
    public var sizeStandard: SizeStandard
    /// The ring size in `sizeStandard`.
    public var size: Double
    /// The band's width along the finger, mm.
    public var widthMM: Double
    public var shape: Shape
    /// The pendant's height, mm.
    public var lengthMM: Double
    public var setting: Setting
    /// The stone's diameter, mm (ignored without a setting).
    public var stoneMM: Double
    /// Text engraved inside the band or on the pendant's back; empty for none.
    public var engraving: String

    public init(
        kind: Kind = .ring, profile: Profile = .comfort, sizeStandard: SizeStandard = .eu, size: Double = 54, widthMM: Double = 4,
        shape: Shape = .round, lengthMM: Double = 18, setting: Setting = .none, stoneMM: Double = 5, engraving: String = ""
    ) {
        self.kind = kind
        self.profile = profile
        self.sizeStandard = sizeStandard
        self.size = size
        self.widthMM = widthMM
        self.shape = shape
        self.lengthMM = lengthMM
        self.setting = setting
        self.stoneMM = stoneMM
        self.engraving = engraving
    }

    public static let sizeRange: [SizeStandard: ClosedRange<Double>] = [.ru: 13...24, .eu: 41...76, .us: 1.5...16]
    public static let widthRange: ClosedRange<Double> = 1.5...12
    public static let lengthRange: ClosedRange<Double> = 8...40
    public static let stoneRange: ClosedRange<Double> = 2...10
    public static let engravingLimit = 30

    /// The design with its engraving trimmed, or an error that says which value is out of range.
    public func validated() throws -> JewelryDesign {
        var design = self
        design.engraving = engraving.trimmingCharacters(in: .whitespaces)
        func check(_ value: Double, _ range: ClosedRange<Double>, _ what: Phrase) throws {
            guard value.isFinite, range.contains(value) else {
                throw DesignError(
                    "\(what) must be between \(format(range.lowerBound)) and \(format(range.upperBound)); it is \(format(value)).")
            }
        }
        switch kind {
        case .ring:
            let range = Self.sizeRange[sizeStandard]!
            try check(size, range, "A ring size (\(sizeStandard.rawValue.uppercased()))")
            try check(widthMM, Self.widthRange, "The band width in mm")
        case .pendant:
            try check(lengthMM, Self.lengthRange, "The pendant's height in mm")
        }
        if setting != .none {
            try check(stoneMM, Self.stoneRange, "The stone's diameter in mm")
            if kind == .pendant, stoneMM > lengthMM * 0.6 {
                throw DesignError(
                    "A \(format(stoneMM)) mm stone does not fit a \(format(lengthMM)) mm pendant; choose at most \(format(lengthMM * 0.6)) mm."
                )
            }
        }
        guard design.engraving.count <= Self.engravingLimit else {
            throw DesignError("An engraving has at most \(Self.engravingLimit) characters; this one has \(design.engraving.count).")
        }
        guard design.engraving.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) }) else {
            throw DesignError("An engraving cannot contain control characters.")
        }
        return design
    }

    /// The inner diameter of a ring, mm.
    public var innerDiameterMM: Double {
        switch sizeStandard {
        case .ru: size
        case .eu: size / Double.pi
        case .us: 11.63 + 0.8128 * size
        }
    }

    /// The ring's size in `standard` (the same inner diameter), unrounded.
    public func size(in standard: SizeStandard) -> Double {
        switch standard {
        case .ru: innerDiameterMM
        case .eu: innerDiameterMM * Double.pi
        case .us: (innerDiameterMM - 11.63) / 0.8128
        }
    }

    /// The band's thickness from inside to outside, mm.
    var bandThicknessMM: Double { widthMM > 4 ? 1.8 : 1.6 }

    /// One line a person reads: what was designed (in English).
    public var summary: String { summaryPhrase.description }

    /// What was designed, in words each language can say.
    public var summaryPhrase: Phrase {
        var parts: [Phrase]
        switch kind {
        case .ring:
            let standard = sizeStandard.rawValue.uppercased()
            parts = [
                "Ring, \(standard) size \(format(size)) (inner diameter \(format(innerDiameterMM)) mm)",
                "\(profilePhrase) band \(format(widthMM)) mm wide",
            ]
        case .pendant:
            parts = ["Pendant, \(shapePhrase), \(format(lengthMM)) mm high"]
        }
        switch setting {
        case .none: break
        case .bezel: parts.append("bezel setting with a \(format(stoneMM)) mm stone")
        case .prongs: parts.append("four-prong setting with a \(format(stoneMM)) mm stone")
        }
        if !engraving.isEmpty { parts.append("engraving “\(engraving)”") }
        return parts.dropFirst().reduce(parts[0]) { "\($0), \($1)" }
    }

    private var profilePhrase: Phrase {
        switch profile {
        case .comfort: "comfort"
        case .court: "court"
        case .flat: "flat"
        }
    }

    private var shapePhrase: Phrase {
        switch shape {
        case .round: "round"
        case .oval: "oval"
        case .heart: "heart"
        }
    }

    /// A file name for the generated model.
    public var filename: String {
        switch kind {
        case .ring: "ring-\(sizeStandard.rawValue)\(format(size))-\(profile.rawValue)-\(format(widthMM))mm.stl"
        case .pendant: "pendant-\(shape.rawValue)-\(format(lengthMM))mm.stl"
        }
    }

    /// The model: the metal that is cast, and, with `withStone`, the stone where it will be set
    /// (for the preview; a stone is not cast, so the ordered model leaves it out).
    public func mesh(withStone: Bool) -> IndexedMesh {
        var parts: [IndexedMesh] = []
        // Where the setting stands, and the direction it faces.
        let seat: SIMD3<Double>
        let facing: Basis
        switch kind {
        case .ring:
            let inner = innerDiameterMM / 2, thickness = bandThicknessMM, half = widthMM / 2
            parts.append(MeshGenerator.lathe(bandProfile(inner: inner, thickness: thickness, half: half), segments: 96, closed: true))
            seat = SIMD3(0, inner + thickness - 0.4, 0)
            facing = .zToY
        case .pendant:
            let thickness = 1.6
            parts.append(MeshGenerator.prism(outline, center: outlineCenter, bottom: -thickness / 2, top: thickness / 2))
            // The top of the outline on its vertical axis (for a heart, the notch between the lobes).
            let top = outline.filter { abs($0.x) <= lengthMM * 0.05 }.map(\.y).max() ?? lengthMM / 2
            parts.append(
                MeshGenerator.transformed(
                    MeshGenerator.torus(major: 1.8, minor: 0.55, segments: 32, sides: 12), .zToX, offset: SIMD3(0, top + 1.5, 0)))
            seat = SIMD3(outlineCenter.x, outlineCenter.y, thickness / 2 - 0.4)
            facing = .identity
        }
        if setting != .none {
            parts += settingParts(withStone: withStone).map { MeshGenerator.transformed($0, facing, offset: seat) }
        }
        return MeshGenerator.merge(parts)
    }

    /// The band's cross-section in the (radius, z) plane, counter-clockwise.
    private func bandProfile(inner: Double, thickness: Double, half: Double) -> [SIMD2<Double>] {
        switch profile {
        case .flat:
            // A rectangle with its four edges softened by a small chamfer.
            let c = min(0.3, thickness / 4)
            return [
                SIMD2(inner + c, -half), SIMD2(inner + thickness - c, -half), SIMD2(inner + thickness, -half + c),
                SIMD2(inner + thickness, half - c), SIMD2(inner + thickness - c, half), SIMD2(inner + c, half),
                SIMD2(inner, half - c), SIMD2(inner, -half + c),
            ]
        case .comfort:
            // An oval: rounded outside and inside, comfortable to wear.
            return (0..<32).map { i in
                let v = 2 * Double.pi * Double(i) / 32 - Double.pi / 2
                return SIMD2(inner + thickness / 2 + thickness / 2 * cos(v), half * sin(v))
            }
        case .court:
            // Flat inside, a half ellipse outside (a "D" profile).
            return (0...24).map { i in
                let v = Double.pi * Double(i) / 24 - Double.pi / 2
                return SIMD2(inner + thickness * cos(v), half * sin(v))
            }
        }
    }

    private var outline: [SIMD2<Double>] {
        let h = lengthMM
        switch shape {
        case .round:
            return (0..<64).map { i in
                let a = 2 * Double.pi * Double(i) / 64
                return SIMD2(h / 2 * cos(a), h / 2 * sin(a))
            }
        case .oval:
            return (0..<64).map { i in
                let a = 2 * Double.pi * Double(i) / 64
                return SIMD2(h * 0.35 * cos(a), h / 2 * sin(a))
            }
        case .heart:
            // The classic heart curve, about 29 units high, scaled to the height and centred.
            let scale = h / 29
            return (0..<96).map { i in
                let t = 2 * Double.pi * Double(i) / 96
                let x = 16 * pow(sin(t), 3)
                let y = 13 * cos(t) - 5 * cos(2 * t) - 2 * cos(3 * t) - cos(4 * t)
                return SIMD2(-x * scale, (y + 2.5) * scale)
            }
        }
    }

    private var outlineCenter: SIMD2<Double> { shape == .heart ? SIMD2(0, -1.5 * lengthMM / 29) : .zero }

    /// The setting (and stone) around the z axis, its base at z = 0.
    private func settingParts(withStone: Bool) -> [IndexedMesh] {
        let radius = stoneMM / 2
        let height = 1.4 + stoneMM * 0.15
        var parts: [IndexedMesh] = []
        switch setting {
        case .none:
            return []
        case .bezel:
            parts.append(cylinder(radius: radius + 0.5, from: 0, to: height))
        case .prongs:
            parts.append(cylinder(radius: radius * 0.7, from: 0, to: 0.9))
            for i in 0..<4 {
                let a = Double.pi / 4 + Double.pi / 2 * Double(i)
                let prong = cylinder(radius: 0.45, from: 0, to: height + stoneMM * 0.12)
                parts.append(MeshGenerator.transformed(prong, .identity, offset: SIMD3(radius * cos(a), radius * sin(a), 0)))
            }
        }
        if withStone {
            // A round brilliant: pavilion below the girdle, crown and table above.
            let pavilion = stoneMM * 0.43, crown = stoneMM * 0.16, girdle = height - 0.2
            let profile: [SIMD2<Double>] = [
                SIMD2(0, girdle - pavilion), SIMD2(radius, girdle), SIMD2(radius, girdle + 0.05 * stoneMM),
                SIMD2(radius * 0.55, girdle + crown), SIMD2(0, girdle + crown),
            ]
            parts.append(MeshGenerator.lathe(profile, segments: 16, closed: false))
        }
        return parts
    }

    private func cylinder(radius: Double, from bottom: Double, to top: Double) -> IndexedMesh {
        MeshGenerator.lathe([SIMD2(0, bottom), SIMD2(radius, bottom), SIMD2(radius, top), SIMD2(0, top)], segments: 32, closed: false)
    }
}

/// Why a design cannot be made, in words a customer can act on.
public struct DesignError: Error, Sendable, Equatable, CustomStringConvertible {
    public var phrase: Phrase
    public init(_ phrase: Phrase) { self.phrase = phrase }
    public var description: String { phrase.description }
}

/// A number for people: at most two decimals, no trailing zeros.
private func format(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
