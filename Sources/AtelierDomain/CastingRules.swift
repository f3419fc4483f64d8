import AtelierText

/// What lost-wax casting can make in each alloy: data like the price list, versioned like it.
///
/// A wall must keep `minimumWallMM` after polishing, which takes `polishingAllowanceMM` off each of
/// its two surfaces; a fine detail (a prong, a bead, an engraved line's ridge: a thin region of at
/// most `detailAreaMM2`) may be as thin as `minimumDetailMM`, with the same allowance.
public struct CastingRules: Sendable, Hashable, Codable {
    public var version: Int
    public var rules: [CastingRule]

    public init(version: Int, rules: [CastingRule]) {
        self.version = version
        self.rules = rules
    }

    /// The rule for one alloy (the material's code in the price list).
    public func rule(for materialCode: String) -> CastingRule? { rules.first { $0.materialCode == materialCode } }

    /// The casting houses' published figures (walls of at least 0.8 mm, 1.0 mm for gold and
    /// platinum; prongs at least 0.6 mm; polishing 0.1–0.25 mm a surface), for the standard alloys.
    public static let standard = CastingRules(
        version: 1,
        rules: [
            CastingRule(materialCode: "silver-925", minimumWallMM: 0.8, minimumDetailMM: 0.6, polishingAllowanceMM: 0.1),
            CastingRule(materialCode: "gold-585", minimumWallMM: 1.0, minimumDetailMM: 0.6, polishingAllowanceMM: 0.1),
            CastingRule(materialCode: "gold-750", minimumWallMM: 1.0, minimumDetailMM: 0.6, polishingAllowanceMM: 0.1),
            CastingRule(materialCode: "platinum-950", minimumWallMM: 1.0, minimumDetailMM: 0.7, polishingAllowanceMM: 0.15),
        ])

    /// Checks rules an admin loads: each alloy once, every figure within what casting knows.
    public func validated() throws -> CastingRules {
        guard !rules.isEmpty, rules.count <= 100 else { throw DomainError.invalid("Casting rules have 1 to 100 alloys.") }
        var seen = Set<String>()
        for rule in rules {
            guard seen.insert(rule.materialCode).inserted else {
                throw DomainError.invalid("The alloy \(rule.materialCode) has two casting rules.")
            }
            try rule.check()
        }
        return self
    }
}

/// One alloy's casting limits, mm.
public struct CastingRule: Sendable, Hashable, Codable {
    public var materialCode: String
    public var minimumWallMM: Double
    public var minimumDetailMM: Double
    public var polishingAllowanceMM: Double
    /// The largest thin region that counts as a fine detail rather than a wall, mm².
    public var detailAreaMM2: Double

    /// A region of this many mm² or less is a detail when a rule does not say otherwise.
    public static let defaultDetailAreaMM2: Double = 4

    public init(
        materialCode: String, minimumWallMM: Double, minimumDetailMM: Double, polishingAllowanceMM: Double,
        detailAreaMM2: Double = CastingRule.defaultDetailAreaMM2
    ) {
        self.materialCode = materialCode
        self.minimumWallMM = minimumWallMM
        self.minimumDetailMM = minimumDetailMM
        self.polishingAllowanceMM = polishingAllowanceMM
        self.detailAreaMM2 = detailAreaMM2
    }

    /// The wall a model needs before polishing, mm.
    public var requiredWallMM: Double { minimumWallMM + 2 * polishingAllowanceMM }
    /// The detail a model needs before polishing, mm.
    public var requiredDetailMM: Double { minimumDetailMM + 2 * polishingAllowanceMM }

    func check() throws {
        let figures = [minimumWallMM, minimumDetailMM, polishingAllowanceMM, detailAreaMM2]
        guard figures.allSatisfy(\.isFinite), (0.1...5).contains(minimumWallMM), (0.1...5).contains(minimumDetailMM),
            (0...1).contains(polishingAllowanceMM), (0...100).contains(detailAreaMM2), minimumDetailMM <= minimumWallMM
        else {
            throw DomainError.invalid(
                "The casting rule for \(materialCode) is out of range: walls and details 0.1 to 5 mm, a detail no thicker than a wall, polishing 0 to 1 mm a surface, a detail's area 0 to 100 mm²."
            )
        }
    }
}

/// Whether a model can be cast in its alloy, as the pricing job found (stored with the quote).
public struct CastingReport: Sendable, Hashable, Codable {
    public var rulesVersion: Int
    public var materialCode: String
    public var castable: Bool
    /// The thinnest wall found, mm (nil: nothing could be measured).
    public var thinnestMM: Double?
    /// The wall and the detail the model needs before polishing, mm.
    public var requiredWallMM: Double
    public var requiredDetailMM: Double
    /// Every rule a region breaks, thinnest first.
    public var problems: [CastingProblem]
    /// Triangles whose opposite side was not found (an open model): their walls are unknown.
    public var unmeasuredTriangles: Int
    /// The finger hole, when the model is a ring.
    public var ring: RingMeasure?

    public init(
        rulesVersion: Int, materialCode: String, castable: Bool, thinnestMM: Double?, requiredWallMM: Double, requiredDetailMM: Double,
        problems: [CastingProblem], unmeasuredTriangles: Int, ring: RingMeasure?
    ) {
        self.rulesVersion = rulesVersion
        self.materialCode = materialCode
        self.castable = castable
        self.thinnestMM = thinnestMM
        self.requiredWallMM = requiredWallMM
        self.requiredDetailMM = requiredDetailMM
        self.problems = problems
        self.unmeasuredTriangles = unmeasuredTriangles
        self.ring = ring
    }
}

/// One thin region and the rule it breaks.
public struct CastingProblem: Sendable, Hashable, Codable {
    public enum Rule: String, Sendable, Hashable, Codable {
        /// A region larger than a detail, thinner than the alloy's wall.
        case wall
        /// A fine detail (a prong, a bead), thinner than the alloy's detail.
        case detail
    }

    public var rule: Rule
    public var thinnestMM: Double
    public var requiredMM: Double
    public var areaMM2: Double
    /// Where the region is thinnest, mm.
    public var at: [Double]

    public init(rule: Rule, thinnestMM: Double, requiredMM: Double, areaMM2: Double, at: [Double]) {
        self.rule = rule
        self.thinnestMM = thinnestMM
        self.requiredMM = requiredMM
        self.areaMM2 = areaMM2
        self.at = at
    }
}

/// A ring's finger hole and its sizes.
public struct RingMeasure: Sendable, Hashable, Codable {
    public var innerDiameterMM: Double
    public var ru: Double
    public var eu: Double
    public var us: Double

    public init(innerDiameterMM: Double, ru: Double, eu: Double, us: Double) {
        self.innerDiameterMM = innerDiameterMM
        self.ru = ru
        self.eu = eu
        self.us = us
    }
}
