import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// The fused pair path (PairConditionalRun) draws the same random numbers at the same
/// addresses as the general conditional path, so every run's every value must agree with it to
/// rounding: the two differ only in the order of floating-point operations.
@Suite struct FusedPairPathTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let configuration: NetworkConfiguration
        let backward: BackwardWeights
        let width: Int
        let runs: Int
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "tanh frn tied", configuration: NetworkConfiguration(
            architecture: .fullResidual, activation: Tanh(), sigmaW: 1.4, sigmaB: 0.3, sigmaV: 1.2,
            sigmaA: 0.2, p0: 1, e0: 0.6, depth: 8), backward: .tied, width: 64, runs: 6),
        // Two chunks (2048 units each at most) and a partial quad of three units at the end.
        Case(name: "tanh frn tied, width 2051", configuration: NetworkConfiguration(
            architecture: .fullResidual, activation: Tanh(), sigmaW: 1.4, sigmaB: 0.3, sigmaV: 1.2,
            sigmaA: 0.2, p0: 1, e0: 0.6, depth: 6), backward: .tied, width: 2051, runs: 3),
        Case(name: "tanh frn independent", configuration: NetworkConfiguration(
            architecture: .fullResidual, activation: Tanh(), sigmaW: 1.4, sigmaB: 0.3, sigmaV: 1.2,
            sigmaA: 0.2, p0: 1, e0: 0.6, depth: 8), backward: .independent, width: 64, runs: 6),
        Case(name: "relu rrn tied, inputs with a mean", configuration: NetworkConfiguration(
            architecture: .reducedResidual, activation: ReLU(), sigmaW: 1, sigmaB: 0.1, p0: 1,
            e0: 0.3, inputMean: 0.3, depth: 8), backward: .tied, width: 48, runs: 6),
        Case(name: "alpha-relu rrn independent", configuration: NetworkConfiguration(
            architecture: .reducedResidual, activation: AlphaReLU(alpha: 0.75), sigmaW: 1,
            sigmaB: 0.2, p0: 1, e0: 0.3, depth: 8), backward: .independent, width: 48, runs: 6),
        Case(name: "erf ff tied", configuration: NetworkConfiguration(
            architecture: .feedforward, activation: Erf(), sigmaW: 1.6, sigmaB: 0.3, p0: 0.8,
            e0: 0.4, depth: 8), backward: .tied, width: 64, runs: 6),
        Case(name: "tanh ff identical inputs (rank 1)", configuration: NetworkConfiguration(
            architecture: .feedforward, activation: Tanh(), sigmaW: 1.5, p0: 1, e0: 1, depth: 6),
            backward: .tied, width: 48, runs: 6),
        Case(name: "linear frn antipodal inputs", configuration: NetworkConfiguration(
            architecture: .fullResidual, activation: Linear(), sigmaW: 0.8, sigmaV: 0.7, p0: 1,
            e0: -1, depth: 6), backward: .tied, width: 32, runs: 6),
        // Three units: whole layers of input 1 or 2 die (rank 1 from either column, rank 0).
        Case(name: "relu ff, width 3", configuration: NetworkConfiguration(
            architecture: .feedforward, activation: ReLU(), sigmaW: 1.4, sigmaB: 0.4, p0: 1,
            e0: 0.2, depth: 10), backward: .tied, width: 3, runs: 60),
        Case(name: "relu frn overflowing", configuration: NetworkConfiguration(
            architecture: .fullResidual, activation: ReLU(), sigmaW: 40, sigmaV: 1.58, p0: 1,
            e0: 0.5, depth: 100), backward: .tied, width: 8, runs: 12),
    ]

    @Test(arguments: cases)
    func agreesWithTheGeneralPathToRounding(_ testCase: Case) throws {
        var options = SimulationOptions(width: testCase.width, runs: testCase.runs, seed: 31,
                                        mode: .conditional, backward: testCase.backward,
                                        threads: 2, keepRunTraces: true)
        let fused = try Simulator(configuration: testCase.configuration, options: options).run()
        options.fusedPairPath = false
        let general = try Simulator(configuration: testCase.configuration, options: options).run()
        for (a, b) in zip(fused.runTraces!, general.runTraces!) {
            #expect(a.forwardOverflowLayer == b.forwardOverflowLayer, "run \(a.run)")
            #expect(a.backwardOverflowLayer == b.backwardOverflowLayer, "run \(a.run)")
            let lengths = b[.p]!
            for quantity in SimulatedQuantity.standard {
                for (layer, (x, y)) in zip(a[quantity]!, b[quantity]!).enumerated() {
                    if x == y { continue }   // also -inf: ln p^{l-1} of a dead layer
                    if x.isNaN || y.isNaN {
                        #expect(x.isNaN && y.isNaN, "\(quantity) run \(a.run) layer \(layer): \(x) vs \(y)")
                        continue
                    }
                    // Logs and e are O(1); p, gamma, s scale with p; ratios with themselves.
                    let size: Double
                    switch quantity {
                    case .p, .gamma, .s: size = max(lengths[layer], abs(y))
                    case .chiRatio: size = abs(y)
                    default: size = 1
                    }
                    #expect(abs(x - y) <= 1e-9 * size,
                            "\(quantity) run \(a.run) layer \(layer): \(x) vs \(y)")
                }
            }
        }
    }

    /// PairBasis gives OrthonormalBasis's R and, recomputed from the pair, its Q (rank 2, and
    /// rank 1 from the second column when the first vanishes).
    @Test func pairBasisReproducesTheGramSchmidtFactors() {
        let n = 7
        let x = Block(rows: n, columns: 2)
        let values: [Double] = [1.0, -0.5, 2.0, 0.3, 0.7, -1.2, 0.05, 0.2, 1.1, -0.4, 0.9, 0.1, -0.3, 0.6]
        x.data.update(from: values, count: 2 * n)
        let reference = OrthonormalBasis(of: x)
        let basis = PairBasis(x.column(0), x.column(1), count: n, PairSums(x.column(0), x.column(1), count: n))
        #expect(basis.rank == 2 && reference.rank == 2)
        let r = [basis.r00, 0, basis.r01, basis.r11]
        for (a, b) in zip(r, reference.r) { #expect(abs(a - b) <= 1e-14 * abs(b) + 1e-300) }
        for i in 0..<n {
            let (q0, q1) = basis.q(x.column(0)[i], x.column(1)[i])
            #expect(abs(q0 - reference.q.column(0)[i]) < 1e-15)
            #expect(abs(q1 - reference.q.column(1)[i]) < 1e-15)
        }
        // x0 = 0: q0 from x1, R = [0, |x1|].
        x.column(0).update(repeating: 0, count: n)
        let swapped = PairBasis(x.column(0), x.column(1), count: n, PairSums(x.column(0), x.column(1), count: n))
        let general = OrthonormalBasis(of: x)
        #expect(swapped.rank == 1 && general.rank == 1)
        #expect(swapped.r00 == 0 && abs(swapped.r01 - general.r[1]) <= 1e-15 * general.r[1])
        for i in 0..<n {
            #expect(abs(swapped.q(0, x.column(1)[i]).0 - general.q.column(0)[i]) < 1e-15)
        }
    }
}
