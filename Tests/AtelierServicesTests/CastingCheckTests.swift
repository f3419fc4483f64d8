import AtelierDomain
import AtelierGeometry
import AtelierServices
import Testing

@Suite("Can it be cast")
struct CastingCheckTests {
    func band(wall: Double) -> TriangleSoup {
        MeshGenerator.lathe([[8.5, -1.5], [8.5 + wall, -1.5], [8.5 + wall, 1.5], [8.5, 1.5]], segments: 256, closed: true).soup
    }

    @Test("a silver ring of 0.4 mm section breaks the wall rule, with its region; 1.2 mm passes")
    func thinRing() throws {
        let (report, verdict) = try CastingCheck.check(band(wall: 0.4), materialCode: "silver-925", rules: .standard, deadline: .none)
        let thin = try #require(verdict)
        #expect(!thin.castable)
        #expect(thin.requiredWallMM == 1.0, "0.8 mm after 0.1 mm polished off each side")
        let problem = try #require(thin.problems.first)
        #expect(problem.rule == .wall && abs(problem.thinnestMM - 0.4) < 0.01 && problem.requiredMM == 1.0)
        #expect(report.ring != nil)
        let (_, thick) = try CastingCheck.check(band(wall: 1.2), materialCode: "silver-925", rules: .standard, deadline: .none)
        #expect(thick?.castable == true, "\(String(describing: thick))")
    }

    @Test("a small prong as thin as the detail rule allows is fine; thinner, it breaks the detail rule")
    func prong() throws {
        let base = MeshGenerator.prism([[-5, -5], [5, -5], [5, 5], [-5, 5]], center: [0, 0], bottom: 0, top: 4)
        func setting(prong diameter: Double) -> TriangleSoup {
            let prong = MeshGenerator.lathe([[0, 4], [diameter / 2, 4], [diameter / 2, 5], [0, 5]], segments: 48, closed: false)
            return MeshGenerator.merge([base, prong]).soup
        }
        let (_, fine) = try CastingCheck.check(setting(prong: 0.85), materialCode: "gold-585", rules: .standard, deadline: .none)
        #expect(fine?.castable == true, "a 0.85 mm prong of about 2.7 mm² is a detail: \(String(describing: fine))")
        let (_, thin) = try CastingCheck.check(setting(prong: 0.5), materialCode: "gold-585", rules: .standard, deadline: .none)
        #expect(thin?.castable == false)
        #expect(thin?.problems.map(\.rule) == [.detail])
    }

    @Test("casting rules are checked as an admin loads them: each alloy once, figures in range")
    func rules() throws {
        #expect(throws: Never.self) { try CastingRules.standard.validated() }
        var twice = CastingRules.standard
        twice.rules.append(twice.rules[0])
        #expect(throws: DomainError.self) { try twice.validated() }
        var wild = CastingRules.standard
        wild.rules[0].minimumWallMM = .nan
        #expect(throws: DomainError.self) { try wild.validated() }
        #expect(CastingRules.standard.rule(for: "unobtainium") == nil)
    }
}
