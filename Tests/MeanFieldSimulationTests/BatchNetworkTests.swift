import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// Whole batch networks: exact identities (rotations, zero branches, normalization), the
/// first-order noise against finite differences, determinism and mode agreement.
@Suite struct BatchNetworkTests {
    static func run(_ configuration: BatchNetworkConfiguration, width: Int, batch: Int, runs: Int,
                    mode: SimulationMode = .conditional, seed: Int = 7, threads: Int = 2,
                    keep: Bool = true) throws -> BatchSimulationResult {
        let options = SimulationOptions(width: width, runs: runs, seed: seed, mode: mode,
                                        threads: threads, batch: batch, keepRunTraces: keep)
        return try BatchSimulator(configuration: configuration, options: options).run()
    }

    /// Largest |value - reference| over every run and layer.
    static func deviation(_ result: BatchSimulationResult, _ quantity: SimulatedQuantity,
                          from reference: (RunTrace) -> Double, layers: ClosedRange<Int>) -> Double {
        var worst = 0.0
        for trace in result.runTraces! {
            let values = trace[quantity]!
            let target = reference(trace)
            for layer in layers { worst = max(worst, abs(values[layer] - target)) }
        }
        return worst
    }

    /// Looks-linear ReLU nets (Blumenfeld et al. 2020 app. B): the pre-activations are rotated
    /// [v; -v], so their length and angle stay q = p0, c = e0 at every layer.
    @Test(arguments: [SimulationMode.conditional, .dense])
    func looksLinearNetsPreserveNormsAndAngles(mode: SimulationMode) throws {
        let depth = mode == .dense ? 50 : 200
        let configuration = BatchNetworkConfiguration(
            architecture: .ff, activation: ReLU(), p0: 1.3, e0: 0.4, depth: depth, weights: .looksLinear)
        let result = try Self.run(configuration, width: 512, batch: 4, runs: 3, mode: mode)
        #expect(Self.deviation(result, .q, from: { _ in 1.3 }, layers: 1...depth) < 1e-12)
        #expect(Self.deviation(result, .c, from: { _ in 0.4 }, layers: 1...depth) < 1e-12)
        // The post-activations [relu v; relu -v] keep |v|^2/N = p0/2.
        #expect(Self.deviation(result, .p, from: { _ in 0.65 }, layers: 0...depth) < 1e-12)
        print("measured: looks-linear ReLU N = 512, batch 4, depth \(depth), \(mode): max |q - p0| \(Self.deviation(result, .q, from: { _ in 1.3 }, layers: 1...depth)), "
              + "max |c - e0| \(Self.deviation(result, .c, from: { _ in 0.4 }, layers: 1...depth))")
    }

    /// Gaussian ReLU nets do not: the contrast that makes the test above mean something.
    @Test func gaussianReluNetsDoNotPreserveAngles() throws {
        let configuration = BatchNetworkConfiguration(
            architecture: .ff, activation: ReLU(), sigmaW: 2.0.squareRoot(), e0: 0.4, depth: 20)
        let result = try Self.run(configuration, width: 512, batch: 4, runs: 3)
        #expect(Self.deviation(result, .c, from: { _ in 0.4 }, layers: 20...20) > 0.1)
    }

    /// Zero-initialized branches: every update is exactly 0, so p, e and S never change. (The
    /// issue's q, c are the signal's length and cosine: p and e here. The columns q, c measure
    /// the branches' pre-activations W x + b, which are redrawn every layer and so vary.)
    @Test func zeroBranchesKeepTheSignalExactly() throws {
        for architecture in [ArchitectureName.bnRes, .frn] {
            let configuration = BatchNetworkConfiguration(
                architecture: architecture, activation: ReLU(), sigmaW: 1.4, sigmaB: 0.2,
                sigmaA: 0.5, depth: 30, zeroBranches: true)
            let result = try Self.run(configuration, width: 64, batch: 8, runs: 2)
            for trace in result.runTraces! {
                for quantity in [SimulatedQuantity.p, .gamma, .e, .s, .mu2] {
                    let values = trace[quantity]!
                    #expect(values.allSatisfy { $0 == values[0] }, "\(architecture) \(quantity)")
                }
                // bn-res measures the rank on x^{l,1} = phi(BN(y^{l-1})), from layer 1 on.
                let rank = trace[.effRank]!
                #expect(rank[1...].allSatisfy { $0 == rank[1] }, "\(architecture) eff_rank")
                #expect(trace[.logSensitivity]!.allSatisfy { abs($0) < 1e-14 })
            }
        }
    }

    /// The standard engine's frn with V = 0, a = 0 (what `simulate --zero-branches` runs): p, e
    /// and the tied gradient are constant to the last bit.
    @Test func zeroBranchesInTheStandardEngineKeepTheGradient() throws {
        let configuration = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                                 sigmaW: 1.5, sigmaB: 0.3, sigmaV: 0, sigmaA: 0,
                                                 depth: 25)
        for mode in [SimulationMode.conditional, .dense] {
            let result = try simulate(configuration, width: 64, runs: 2, mode: mode,
                                      backward: .tied, keepRunTraces: true)
            for trace in result.runTraces! {
                for quantity in [SimulatedQuantity.p, .e] {
                    #expect(trace[quantity]!.allSatisfy { $0 == trace[quantity]![0] })
                }
                #expect(trace[.chiRatio]!.allSatisfy { $0 == 1 })
            }
        }
    }

    /// Orthogonal linear nets rotate signal and noise alike: S = 1 and the spectra of the
    /// covariances never change.
    @Test(arguments: [SimulationMode.conditional, .dense])
    func orthogonalLinearNetsKeepTheSensitivity(mode: SimulationMode) throws {
        let configuration = BatchNetworkConfiguration(architecture: .ff, activation: Linear(),
                                                      depth: 40, weights: .orthogonal)
        let result = try Self.run(configuration, width: 64, batch: 8, runs: 2, mode: mode)
        #expect(Self.deviation(result, .logSensitivity, from: { _ in 0 }, layers: 0...40) < 1e-12)
        #expect(Self.deviation(result, .effRank, from: { $0[.effRank]![0] }, layers: 0...40) < 1e-11)
        #expect(Self.deviation(result, .effRankNoise, from: { $0[.effRankNoise]![0] }, layers: 0...40) < 1e-11)
        #expect(Self.deviation(result, .p, from: { $0[.p]![0] }, layers: 0...40) < 1e-13)
    }

    /// Batch norm with epsilon = 0 and a linear activation: each channel of bn-ff's signal is
    /// standardized (mu2 = 1), and bn-chain's rows have mean square 1 (nu2 = 1, trace M = d).
    @Test func batchNormStandardizes() throws {
        let bnFF = BatchNetworkConfiguration(architecture: .bnFF, activation: Linear(), depth: 10,
                                             bnEpsilon: 0)
        let ff = try Self.run(bnFF, width: 32, batch: 8, runs: 2)
        #expect(Self.deviation(ff, .mu2, from: { _ in 1 }, layers: 1...10) < 1e-14)
        let chain = BatchNetworkConfiguration(architecture: .bnChain, activation: Linear(), depth: 10,
                                              skipGamma: 0.5)
        let bn = try Self.run(chain, width: 32, batch: 8, runs: 2)
        #expect(Self.deviation(bn, .nu2, from: { _ in 1 }, layers: 1...10) < 1e-14)
    }

    /// ReLU and linear nets are piecewise linear: the propagated noise must equal the finite
    /// difference (f(x + h dx) - f(x))/h as long as no unit changes sign (true for h = 1e-9
    /// here), to rounding; the noise is also rescaled on the way, which this checks. Dense
    /// mode: conditional sampling draws W given each input block, so two different inputs do
    /// not see the same matrix.
    @Test(arguments: [ArchitectureName.ff, .rrn, .frn, .linearChain])
    func noiseIsTheFirstOrderDifference(architecture: ArchitectureName) throws {
        let (n, m) = (48, 4)
        let configuration = BatchNetworkConfiguration(
            architecture: architecture, activation: ReLU(), sigmaW: 1.3, sigmaB: architecture.isChain ? 0 : 0.2,
            depth: 12, skipGamma: 0.7)
        let options = SimulationOptions(width: n, runs: 1, seed: 3, mode: .dense, batch: m)
        let x = BatchEngineTests.gaussian(rows: n, columns: m, seed: 21)
        let dx = BatchEngineTests.gaussian(rows: n, columns: m, seed: 22)
        let h = 1e-9
        var base = BatchNetworkRun(configuration: configuration, options: options, run: 0, progress: nil)
        base.presetInputs = (x, dx)
        let (_, signal, noise) = base.propagate()
        var moved = base
        moved.presetInputs = (zip(x, dx).map { $0 + h * $1 }, dx)
        let (_, shifted, _) = moved.propagate()
        let difference = zip(shifted, signal).map { ($0 - $1) / h }
        let scale = BatchEngineTests.maxAbs(noise)
        let error = BatchEngineTests.maxAbs(zip(difference, noise).map { $0 - $1 })
        // Rounding of f at scale |f| amplified by 1/h.
        let rounding = BatchEngineTests.maxAbs(signal) * 1e-15 / h * 50
        #expect(error < 1e-4 * scale + rounding, "error \(error), scale \(scale)")
    }

    /// Test-mode batch norm treats the batch statistics as constants (Labatie 2019 section 6):
    /// for a bn-chain fed dx^0 = x^0, dx stays equal to x (train mode would give 0: the map is
    /// scale-invariant), up to the rounding differences between the two halves of the block,
    /// which the test-mode Jacobian amplifies by about 2.5 per layer here (2e-15 after one
    /// layer, 7e-12 after five). S then follows from its definition: the noise's moment is
    /// non-central, the signal's central, so ln S = (1/2) ln(nu2/mu2) - (1/2) ln(nu2/mu2)^0.
    @Test func testModeBatchNormFreezesTheStatistics() throws {
        let (n, m) = (32, 6)
        let configuration = BatchNetworkConfiguration(architecture: .bnChain, activation: ReLU(),
                                                      depth: 5)
        let options = SimulationOptions(width: n, runs: 1, seed: 3, mode: .dense, batch: m)
        let x = BatchEngineTests.gaussian(rows: n, columns: m, seed: 23)
        var run = BatchNetworkRun(configuration: configuration, options: options, run: 0, progress: nil)
        run.presetInputs = (x, x)
        let (trace, signal, noise) = run.propagate()
        #expect(BatchEngineTests.maxAbs(zip(signal, noise).map { $0 - $1 }) < 1e-10 * BatchEngineTests.maxAbs(signal))
        let ratio = zip(trace[.nu2]!, trace[.mu2]!).map { 0.5 * log($0 / $1) }
        for layer in 0...5 {
            #expect(abs(trace[.logSensitivity]![layer] - (ratio[layer] - ratio[0])) < 1e-10)
        }
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let configuration = BatchNetworkConfiguration(architecture: .bnRes, activation: ReLU(),
                                                      sigmaW: 1.4, depth: 6, weights: .orthogonal)
        let one = try Self.run(configuration, width: 32, batch: 5, runs: 5, threads: 1, keep: false)
        let two = try Self.run(configuration, width: 32, batch: 5, runs: 5, threads: 2, keep: false)
        #expect(one.table().csv() == two.table().csv())
    }

    /// Dense and conditional products are the same law: whole bn-ff networks agree in
    /// distribution (two-sample z on the per-run values at the last layer).
    @Test func denseAndConditionalModesAgree() throws {
        for weights in [WeightDistribution.gaussian, .orthogonal] {
            let configuration = BatchNetworkConfiguration(architecture: .bnFF, activation: ReLU(),
                                                          sigmaW: 1.4, depth: 8, weights: weights)
            let runs = 150
            let conditional = try Self.run(configuration, width: 48, batch: 6, runs: runs)
            let dense = try Self.run(configuration, width: 48, batch: 6, runs: runs, mode: .dense)
            for quantity in [SimulatedQuantity.logSensitivity, .effRank, .rankProxy, .mu4, .q] {
                let a = conditional.statistics(quantity)[8]
                let b = dense.statistics(quantity)[8]
                let z = (a.mean! - b.mean!) / (a.standardError! * a.standardError! + b.standardError! * b.standardError!).squareRoot()
                #expect(abs(z) < zBound, "\(weights) \(quantity): z = \(z)")
            }
        }
    }

    @Test func badParametersAreRefused() throws {
        func refused(_ configuration: BatchNetworkConfiguration, width: Int = 16, batch: Int = 4) -> String? {
            do {
                _ = try BatchSimulator(configuration: configuration, options: SimulationOptions(
                    width: width, runs: 1, batch: batch))
                return nil
            } catch let error as InvalidParameter {
                return error.option
            } catch {
                return "other"
            }
        }
        let base = BatchNetworkConfiguration(architecture: .bnFF, activation: ReLU(), depth: 3)
        #expect(refused(base, batch: 1) == "batch")
        var c = base; c.architecture = .bnRes; c.sublayers = 0
        #expect(refused(c) == "sublayers")
        c = base; c.architecture = .bnChain; c.skipGamma = -1
        #expect(refused(c) == "skip-gamma")
        c = base; c.softRankTau = 0
        #expect(refused(c) == "soft-rank-tau")
        c = base; c.softRankTau = 1.5
        #expect(refused(c) == "soft-rank-tau")
        c = base; c.bnEpsilon = -1
        #expect(refused(c) == "bn-epsilon")
        c = base; c.weights = .looksLinear
        #expect(refused(c) == "weights")
        c = base; c.architecture = .ff; c.weights = .looksLinear
        #expect(refused(c, width: 15) == "width")
        c = base; c.architecture = .rrn; c.zeroBranches = true
        #expect(refused(c) == "zero-branches")
        c = base; c.architecture = .linearChain; c.sigmaB = 0.1
        #expect(refused(c) == "sigma-b")
        c = base; c.architecture = .bnChain; c.skipGamma = .infinity
        #expect(refused(c) == nil)
    }
}
