import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldComparison
@testable import MeanFieldSimulation

/// What gets a z-score and what does not, independent of any statistical outcome.
@Suite struct ComparisonRowTests {
    static let tanhFRN = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                              sigmaW: 1.5, sigmaB: 0.5, sigmaV: 1.5, sigmaA: 0.5,
                                              depth: 5)

    func compare(_ config: NetworkConfiguration, width: Int = 64, runs: Int = 10,
                 backward: BackwardWeights = .independent) throws -> Comparison {
        try Comparison.run(configuration: config,
                           options: SimulationOptions(width: width, runs: runs, seed: 5,
                                                      backward: backward, threads: 2))
    }

    @Test func layoutAndMissingZ() throws {
        let comparison = try compare(Self.tanhFRN)
        let rows = comparison.rows
        // Layer 0: forward quantities only, fixed by construction (no spread, no z).
        let first = rows.filter { $0.layer == 0 }
        #expect(first.map(\.quantity) == [.p, .gamma, .e, .s, .chiRatio])
        for row in first where !row.quantity.isGradient {
            #expect(row.z == nil && row.missingZ == .noSpread)
            #expect(abs(row.relativeError!) < 1e-12)
        }
        // chi^L/chi^L = 1 in every run, and chi_a^L = chi^L.
        for quantity in [ComparedQuantity.chiRatio, .chiARatio] {
            let top = try #require(rows.first { $0.layer == 5 && $0.quantity == quantity })
            #expect(top.theory == 1 && top.mean == 1 && top.z == nil && top.missingZ == .noSpread)
        }
        // Every other row of a tanh FRN has a z-score, chi^0/chi^L included.
        #expect(rows.first { $0.layer == 0 && $0.quantity == .chiRatio }?.z != nil)
        let inner = rows.filter {
            $0.layer > 0 && !($0.layer == 5 && ($0.quantity == .chiRatio || $0.quantity == .chiARatio))
        }
        #expect(inner.count == 5 * 9 - 2)
        #expect(inner.allSatisfy { $0.z != nil && $0.runs == 10 })
        for row in inner where row.z != nil {
            #expect(abs(row.z! - (row.mean! - row.theory!) / row.standardError!) < 1e-9 * max(1, abs(row.z!)))
        }
        #expect(comparison.table().columnNames == ["layer", "quantity", "theory", "mc_mean", "mc_sem", "z"])
        #expect(comparison.table().rowCount == rows.count)
    }

    /// FF and RRN have no chi_V, chi_a rows; a layer selection restricts rows and summary.
    @Test func quantitiesAndSelection() throws {
        var config = Self.tanhFRN
        config.architecture = .reducedResidual
        let comparison = try compare(config)
        #expect(!comparison.rows.contains { $0.quantity == .chiVRatio || $0.quantity == .chiARatio })
        let summary = comparison.summary(keepLayer: { $0 == 3 })
        #expect(summary.quantities.allSatisfy { $0.layersCompared == 1 && $0.maxAbsZLayer == 3 })
        #expect(comparison.table(keepLayer: { $0 == 3 }).rowCount == 7)
    }

    /// Identical inputs: e = 1 and s = 0 in every run, so no z for them.
    @Test func identicalInputsHaveNoSpreadInE() throws {
        var config = Self.tanhFRN
        config.e0 = 1
        let comparison = try compare(config)
        for row in comparison.rows where row.quantity == .e || row.quantity == .s {
            #expect(row.z == nil && row.missingZ == .noSpread, "\(row.quantity) at \(row.layer)")
        }
        let summary = comparison.summary()
        #expect(summary.quantities.first { $0.quantity == .e }?.layersCompared == 0)
    }

    /// Runs that overflow leave a biased sample: no z where they are missing, counted in the
    /// summary.
    @Test func overflowedRunsGiveNoZ() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(),
                                          sigmaW: 40, sigmaV: 1.58, p0: 1, e0: 0.5, depth: 100)
        let comparison = try compare(config, width: 8, runs: 30)
        let summary = comparison.summary()
        #expect(summary.overflowedRuns > 0)
        #expect(summary.notes.contains { $0.contains("overflowed") })
        for row in comparison.rows where row.runs < 30 {
            #expect(row.z == nil)
        }
        #expect(comparison.rows.contains { $0.missingZ == .incompleteRuns })
    }

    /// alpha <= 3/4: the summary flags the gradients' infinite variance.
    @Test func heavyTailsAreFlagged() throws {
        var config = Self.tanhFRN
        config.activation = AlphaReLU(alpha: 0.6)
        #expect(try compare(config).summary().heavyTailedGradients)
        config.activation = AlphaReLU(alpha: 0.9)
        #expect(try !compare(config).summary().heavyTailedGradients)
    }
}
