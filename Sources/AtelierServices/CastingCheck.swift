import AtelierDomain
import AtelierGeometry

/// Whether a model can be cast in an alloy: its thin regions held against the alloy's rule.
public struct CastingVerdict: Sendable, Hashable, Codable {
    public var rulesVersion: Int
    public var materialCode: String
    /// The wall and the detail the model needs before polishing, mm.
    public var requiredWallMM: Double
    public var requiredDetailMM: Double
    public var castable: Bool
    /// Every rule a region breaks, thinnest first.
    public var problems: [CastingProblem]
    /// Triangles whose opposite side was not found (an open model): their walls are unknown.
    public var unmeasuredTriangles: Int
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
}

public enum CastingCheck {
    /// Measures `soup` against the rule for `materialCode`; nil when the rules have none for it.
    public static func check(
        _ soup: TriangleSoup, materialCode: String, rules: CastingRules, deadline: WorkDeadline
    ) throws -> (ThicknessReport, CastingVerdict?) {
        let rule = rules.rule(for: materialCode)
        let threshold = rule?.requiredWallMM ?? (CastingRules.standard.rules.map(\.requiredWallMM).max() ?? 1)
        let report = try ThicknessAnalyzer.analyze(soup, thresholdMM: threshold, deadline: deadline).report
        return (report, rule.map { verdict(report, rule: $0, version: rules.version) })
    }

    /// A region no larger than a detail may be as thin as the detail rule allows; any other region
    /// below the wall breaks the wall rule.
    public static func verdict(_ report: ThicknessReport, rule: CastingRule, version: Int) -> CastingVerdict {
        var problems: [CastingProblem] = []
        for region in report.thinRegions where region.thinnestMM < rule.requiredWallMM {
            let detail = region.areaMM2 <= rule.detailAreaMM2
            if detail && region.thinnestMM >= rule.requiredDetailMM { continue }
            problems.append(
                CastingProblem(
                    rule: detail ? .detail : .wall, thinnestMM: region.thinnestMM,
                    requiredMM: detail ? rule.requiredDetailMM : rule.requiredWallMM, areaMM2: region.areaMM2, at: region.at))
        }
        // Regions past the listed ones are thicker than every listed one: judged by the last listed.
        let unlisted = report.thinRegionCount - report.thinRegions.count
        return CastingVerdict(
            rulesVersion: version, materialCode: rule.materialCode, requiredWallMM: rule.requiredWallMM,
            requiredDetailMM: rule.requiredDetailMM, castable: problems.isEmpty && unlisted == 0 && report.measuredTriangles > 0,
            problems: problems, unmeasuredTriangles: report.unmeasuredTriangles)
    }
}
