import AtelierDomain
import AtelierGeometry

public enum CastingCheck {
    /// Measures `soup` against the rule for `materialCode`; no report when the rules have none for it.
    public static func check(
        _ soup: TriangleSoup, materialCode: String, rules: CastingRules, deadline: WorkDeadline
    ) throws -> (ThicknessReport, CastingReport?) {
        let rule = rules.rule(for: materialCode)
        let threshold = rule?.requiredWallMM ?? (CastingRules.standard.rules.map(\.requiredWallMM).max() ?? 1)
        let report = try ThicknessAnalyzer.analyze(soup, thresholdMM: threshold, deadline: deadline).report
        return (report, rule.map { verdict(report, rule: $0, version: rules.version) })
    }

    /// A region no larger than a detail may be as thin as the detail rule allows; any other region
    /// below the wall breaks the wall rule.
    public static func verdict(_ report: ThicknessReport, rule: CastingRule, version: Int) -> CastingReport {
        var problems: [CastingProblem] = []
        for region in report.thinRegions where region.thinnestMM < rule.requiredWallMM {
            let detail = region.areaMM2 <= rule.detailAreaMM2
            if detail && region.thinnestMM >= rule.requiredDetailMM { continue }
            problems.append(
                CastingProblem(
                    rule: detail ? .detail : .wall, thinnestMM: region.thinnestMM,
                    requiredMM: detail ? rule.requiredDetailMM : rule.requiredWallMM, areaMM2: region.areaMM2, at: region.at))
        }
        // Regions past the listed ones are thicker than every listed one, but not judged: not castable.
        let unlisted = report.thinRegionCount - report.thinRegions.count
        return CastingReport(
            rulesVersion: version, materialCode: rule.materialCode,
            castable: problems.isEmpty && unlisted == 0 && report.measuredTriangles > 0, thinnestMM: report.minimumMM,
            requiredWallMM: rule.requiredWallMM, requiredDetailMM: rule.requiredDetailMM, problems: problems,
            unmeasuredTriangles: report.unmeasuredTriangles,
            ring: report.ring.map { RingMeasure(innerDiameterMM: $0.innerDiameterMM, ru: $0.ru, eu: $0.eu, us: $0.us) })
    }
}
