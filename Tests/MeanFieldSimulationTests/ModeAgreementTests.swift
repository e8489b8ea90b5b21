import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// Dense and conditional sampling must give the same distribution of per-run values (not the
/// same numbers: they use the random streams differently). Two-sample tests per quantity and
/// layer: z on the means, z on the log of the variance ratio (with the samples' kurtosis), and
/// Kolmogorov-Smirnov at alpha = 1e-4.
@Suite struct ModeAgreementTests {
    /// `checks`: quantities and the layers where they vary between runs (p at layer 0 and
    /// log_chi at layer L are constants, parameter gradients start at layer 1).
    private func compareModes(_ config: NetworkConfiguration, width: Int, runs: Int,
                              _ checks: [(SimulatedQuantity, [Int])]) throws {
        let dense = try simulate(config, width: width, runs: runs, seed: 21, mode: .dense,
                                 backward: .tied, keepRunTraces: true)
        let conditional = try simulate(config, width: width, runs: runs, seed: 22,
                                       mode: .conditional, backward: .tied, keepRunTraces: true)
        for (quantity, layers) in checks {
            for layer in layers {
                let a = dense.runTraces!.map { $0[quantity]![layer] }
                let b = conditional.runTraces!.map { $0[quantity]![layer] }
                #expect(a.allSatisfy(\.isFinite) && b.allSatisfy(\.isFinite))
                let n = Double(runs)
                let meanZ = (sampleMean(a) - sampleMean(b))
                    / ((sampleVariance(a) + sampleVariance(b)) / n).squareRoot()
                #expect(abs(meanZ) < zBound, "\(quantity) layer \(layer): mean z = \(meanZ)")
                // Var(log s^2) ~ (kurtosis - 1)/n (2/n for normal samples); the tied
                // gradients have heavy tails, so each sample's own kurtosis enters.
                let varianceZ = log(sampleVariance(a) / sampleVariance(b))
                    / ((sampleKurtosis(a) - 1) / n + (sampleKurtosis(b) - 1) / n).squareRoot()
                #expect(abs(varianceZ) < zBound, "\(quantity) layer \(layer): variance z = \(varianceZ)")
                let d = kolmogorovSmirnov(a, b)
                #expect(d < kolmogorovSmirnovCritical(runs, runs, alpha: 1e-4),
                        "\(quantity) layer \(layer): KS D = \(d)")
            }
        }
    }

    @Test func tanhFullResidual() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                          sigmaW: 1.4, sigmaB: 0.3, sigmaV: 1.2, sigmaA: 0.2,
                                          p0: 1, e0: 0.6, depth: 6)
        try compareModes(config, width: 48, runs: 300, [
            (.p, [3, 6]), (.e, [3, 6]), (.s, [3, 6]), (.logChi, [0, 3]), (.logChiW, [1, 4]),
            (.logChiV, [1, 4]),
        ])
    }

    /// The case where tied weights matter: the conditional transpose must carry the coupling.
    @Test func reluReducedResidualTied() throws {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: ReLU(),
                                          sigmaW: 1, sigmaB: 0.1, p0: 1, e0: 0.3, depth: 6)
        try compareModes(config, width: 48, runs: 300, [
            (.p, [3, 6]), (.gamma, [3, 6]), (.logChi, [0, 3]), (.logChiB, [1, 4]),
        ])
    }

    /// Identical inputs (rank-deficient batch) in both modes.
    @Test func identicalInputs() throws {
        let config = NetworkConfiguration(architecture: .feedforward, activation: Tanh(),
                                          sigmaW: 1.5, p0: 1, e0: 1, depth: 5)
        try compareModes(config, width: 48, runs: 300, [(.p, [2, 5]), (.logChi, [0, 3])])
        let result = try simulate(config, width: 48, runs: 20)
        #expect(result.statistics(.e).allSatisfy { abs($0.mean! - 1) < 1e-12 })
        #expect(result.statistics(.s).allSatisfy { $0.mean! < 1e-25 })
    }

    @Test(.enabled(if: TestSettings.slow))
    func largerNetworks() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                          sigmaW: 1.4, sigmaB: 0.3, sigmaV: 1.2, sigmaA: 0.2,
                                          p0: 1, e0: 0.6, depth: 30)
        try compareModes(config, width: 256, runs: 1000, [
            (.p, [10, 30]), (.e, [10, 30]), (.s, [10, 30]), (.logChi, [0, 10, 20]),
            (.logChiW, [1, 10, 30]), (.logChiB, [1, 10, 30]), (.logChiV, [1, 10, 30]),
        ])
        let relu = NetworkConfiguration(architecture: .reducedResidual, activation: AlphaReLU(alpha: 0.75),
                                        sigmaW: 1, p0: 1, e0: 0.3, inputMean: 0.4, depth: 20)
        try compareModes(relu, width: 256, runs: 1000, [
            (.p, [10, 20]), (.gamma, [10, 20]), (.logChi, [0, 10]),
        ])
    }
}
