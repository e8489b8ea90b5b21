import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// The gradient-independence assumption fails for RRN with ReLU-like (non-odd) activations
/// (THEORY.md section 3): with tied weights the gradient picks up a mode along the all-ones
/// direction (phi(h) has a nonzero mean, so W^T feeds the residual stream's mean back), and
/// chi^0/chi^L comes out far above the mean-field value, while independent weights reproduce
/// it. Docs/simulator.md records the numbers.
@Suite struct TiedBackwardTests {
    @Test func reducedResidualReLUTiedGradientDeviatesStrongly() throws {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: ReLU(),
                                          sigmaW: 1, depth: 20)
        let width = 256
        let runs = 100
        let independent = try simulate(config, width: width, runs: runs, backward: .independent)
        let tied = try simulate(config, width: width, runs: runs, backward: .tied)
        // Mean field: chi^{l-1} = chi^l (1 + sigma_w^2/2), so chi^0/chi^L = 1.5^20.
        let meanField = pow(1.5, 20.0)
        #expect(abs(zScore(independent.statistics(.chiRatio)[0], meanField)) < zBound)
        let tiedLog = tied.statistics(.logChi)[0]
        let independentLog = independent.statistics(.logChi)[0]
        let difference = tiedLog.mean! - independentLog.mean!
        let error = (pow(tiedLog.standardError!, 2) + pow(independentLog.standardError!, 2)).squareRoot()
        // Strong: many standard errors, and more than a factor e in chi itself.
        #expect(difference / error > 8)
        #expect(difference > 1)
        // The forward pass is the same network in both (same seed): identical p.
        #expect(tied.statistics(.p).map(\.mean) == independent.statistics(.p).map(\.mean))
    }

    /// For an odd activation the two agree (same distribution of chi^0/chi^L).
    @Test func reducedResidualTanhTiedAgreesWithIndependent() throws {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: Tanh(),
                                          sigmaW: 1.5, depth: 12)
        let independent = try simulate(config, width: 1024, runs: 200, backward: .independent)
        let tied = try simulate(config, width: 1024, runs: 200, seed: 8, backward: .tied)
        for layer in [0, 6] {
            let a = tied.statistics(.chiRatio)[layer]
            let b = independent.statistics(.chiRatio)[layer]
            let z = (a.mean! - b.mean!) / (pow(a.standardError!, 2) + pow(b.standardError!, 2)).squareRoot()
            #expect(abs(z) < zBound, "layer \(layer): tied \(a.mean!) independent \(b.mean!)")
        }
    }
}
