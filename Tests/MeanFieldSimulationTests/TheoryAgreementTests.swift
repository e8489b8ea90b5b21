import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// Simulation means against the infinite-width closed forms, with independent backward
/// weights (the mean-field assumption), as z-scores over runs.
///
/// Finite-width bias: for ReLU (FF and FRN) and linear networks p and chi are linear in the
/// previous layer's values, so their expectations follow the recurrences exactly at any width;
/// e, gamma (ReLU) and everything for erf carry a bias of order 1/N per layer (Jensen on a
/// smooth transform of fluctuations of relative size sqrt(2/N)). With N = 2048 and 10 layers
/// it is below about 2e-3 relative, against standard errors of about 5e-3 to 1e-2 relative
/// with 200 runs; the means of chi_ratio (not of log_chi, which has its own Jensen bias) are
/// compared for the gradients.
@Suite struct TheoryAgreementTests {
    static let width = 2048
    static let runs = 200
    static let erfFullResidual = NetworkConfiguration(architecture: .fullResidual, activation: Erf(),
                                                            sigmaW: 1.2, sigmaB: 0.2, sigmaV: 1.1, sigmaA: 0.3,
                                                            p0: 1, e0: 0.5, depth: 10)

    /// erf: closed-form V, W and V' (THEORY.md section 5).
    static func erfReference(_ config: NetworkConfiguration) -> ClosedForm.Trajectory {
        ClosedForm.trajectory(config, transforms: { q, lambda in
            (ClosedForm.vErf(q), ClosedForm.wErf(q, lambda))
        }, slope: ClosedForm.vErfPrime)
    }

    /// ReLU: V = q/2, W = (q/2) J_1(lambda/q), V' = 1/2 (THEORY.md section 4, alpha = 1).
    static func reluReference(_ config: NetworkConfiguration) -> ClosedForm.Trajectory {
        ClosedForm.trajectory(config, transforms: { q, lambda in
            (q / 2, q / 2 * ClosedForm.j1(lambda / q))
        }, slope: { _ in 0.5 })
    }

    private func expectAgreement(_ result: SimulationResult, _ reference: ClosedForm.Trajectory,
                                 checkGamma: Bool = true, label: String) {
        for layer in 0...result.depth {
            let pStat = result.statistics(.p)[layer]
            let eStat = result.statistics(.e)[layer]
            let chiStat = result.statistics(.chiRatio)[layer]
            #expect(pStat.count == result.options.runs)
            if layer > 0 {
                #expect(abs(zScore(pStat, reference.p[layer])) < zBound,
                        "\(label) p at layer \(layer): \(pStat.mean!) vs \(reference.p[layer])")
                if checkGamma {
                    #expect(abs(zScore(eStat, reference.e[layer])) < zBound,
                            "\(label) e at layer \(layer): \(eStat.mean!) vs \(reference.e[layer])")
                    let gammaStat = result.statistics(.gamma)[layer]
                    #expect(abs(zScore(gammaStat, reference.gamma[layer])) < zBound,
                            "\(label) gamma at layer \(layer): \(gammaStat.mean!) vs \(reference.gamma[layer])")
                }
            }
            if layer < result.depth {
                #expect(abs(zScore(chiStat, reference.chiRatio[layer])) < zBound,
                        "\(label) chi ratio at layer \(layer): \(chiStat.mean!) vs \(reference.chiRatio[layer])")
            }
        }
    }

    /// ReLU FF at He initialization: p is preserved, e^l = J_1(e^{l-1}), chi is preserved.
    @Test(arguments: [SimulationMode.conditional])
    func reluFeedforwardAtHeInitialization(mode: SimulationMode) throws {
        let config = NetworkConfiguration(architecture: .feedforward, activation: ReLU(),
                                          sigmaW: 2.0.squareRoot(), sigmaB: 0, p0: 1.5, e0: 0.2,
                                          depth: 10)
        let reference = Self.reluReference(config)
        #expect(reference.p.allSatisfy { abs($0 - 1.5) < 1e-12 })
        let result = try simulate(config, width: Self.width, runs: Self.runs, mode: mode)
        expectAgreement(result, reference, label: "relu ff")
    }

    @Test func erfFeedforward() throws {
        let config = NetworkConfiguration(architecture: .feedforward, activation: Erf(),
                                          sigmaW: 1.6, sigmaB: 0.3, p0: 0.8, e0: 0.4, depth: 10)
        let reference = Self.erfReference(config)
        let result = try simulate(config, width: Self.width, runs: Self.runs)
        expectAgreement(result, reference, label: "erf ff")
    }

    @Test func erfFullResidual() throws {
        let config = Self.erfFullResidual
        let reference = Self.erfReference(config)
        let result = try simulate(config, width: Self.width, runs: Self.runs)
        expectAgreement(result, reference, label: "erf frn")
    }

    @Test func linearFullResidual() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Linear(),
                                          sigmaW: 0.8, sigmaB: 0.5, sigmaV: 0.7, sigmaA: 0.4,
                                          p0: 1, e0: -0.3, depth: 10)
        let reference = ClosedForm.trajectory(config, transforms: { q, lambda in (q, lambda) },
                                              slope: { _ in 1 })
        let result = try simulate(config, width: Self.width, runs: Self.runs)
        expectAgreement(result, reference, label: "linear frn")
    }

    /// ReLU FRN (THEORY.md section 6): p^l = (1 + r)^l (p^0 + beta/r) - beta/r and
    /// chi^{l-1}/chi^l = 1 + r exactly, r = sigma_v^2 sigma_w^2/2,
    /// beta = sigma_v^2 sigma_b^2/2 + sigma_a^2.
    @Test(arguments: [SimulationMode.conditional])
    func reluFullResidual(mode: SimulationMode) throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(),
                                          sigmaW: 1.1, sigmaB: 0.4, sigmaV: 0.9, sigmaA: 0.3,
                                          p0: 1, e0: 0.5, depth: 10)
        let r = config.sigmaV * config.sigmaV * config.sigmaW * config.sigmaW / 2
        let beta = config.sigmaV * config.sigmaV * config.sigmaB * config.sigmaB / 2
            + config.sigmaA * config.sigmaA
        let result = try simulate(config, width: Self.width, runs: Self.runs, mode: mode)
        for layer in 0...config.depth {
            let p = pow(1 + r, Double(layer)) * (config.p0 + beta / r) - beta / r
            let chi = pow(1 + r, Double(config.depth - layer))
            if layer > 0 {
                #expect(abs(zScore(result.statistics(.p)[layer], p)) < zBound, "p at \(layer)")
            }
            if layer < config.depth {
                #expect(abs(zScore(result.statistics(.chiRatio)[layer], chi)) < zBound, "chi at \(layer)")
            }
        }
        // The same trajectory from the general recurrence with W relu = (q/2) J_1.
        let reference = Self.reluReference(config)
        expectAgreement(result, reference, label: "relu frn")
    }

    /// Dense mode against the same closed forms, at a width where O(N^2) per layer is cheap.
    @Test(.enabled(if: TestSettings.slow))
    func denseModeAgainstClosedForms() throws {
        var config = Self.erfFullResidual
        config.depth = 8
        let reference = Self.erfReference(config)
        let result = try simulate(config, width: 1024, runs: 400, mode: .dense)
        expectAgreement(result, reference, label: "erf frn dense")
        let relu = NetworkConfiguration(architecture: .feedforward, activation: ReLU(),
                                        sigmaW: 2.0.squareRoot(), p0: 1, e0: 0.3, depth: 8)
        expectAgreement(try simulate(relu, width: 1024, runs: 400, mode: .dense), Self.reluReference(relu),
                        label: "relu ff dense")
    }

    /// With tied weights (true backprop) FRN and odd-phi networks keep the mean-field chi
    /// (THEORY.md section 3).
    @Test func tiedWeightsKeepMeanFieldChiForFullResidualErf() throws {
        let config = Self.erfFullResidual
        let reference = Self.erfReference(config)
        let result = try simulate(config, width: Self.width, runs: Self.runs, backward: .tied)
        expectAgreement(result, reference, label: "erf frn tied")
    }
}
