import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// The conditional mode's derivation checked directly: for fixed X and g, the pair
/// (Y = W X + b 1^T, t = W^T g) is jointly Gaussian with
/// Cov(Y_ik, Y_i'k') = d_ii' (s^2 (X^T X)_kk' + sigma_b^2), Cov(t_j, Y_ik) = s^2 g_i X_jk and
/// Cov(t_j, t_j') = s^2 |g|^2 d_jj'. Both modes must reproduce these second moments (zero
/// means, so they fix the law); with a bias, conditional mode samples it as one more column
/// of W (an extra input row), which this checks.
@Suite struct ConditionalSamplingTests {
    static let n = 4
    static let draws = 40_000
    static let scale = 0.7

    private func inputs(identical: Bool) -> Block {
        let x = Block(rows: Self.n, columns: 2)
        let values: [[Double]] = [[1.0, -0.5, 2.0, 0.3], [0.2, 1.1, -0.4, 0.9]]
        for k in 0..<2 {
            for i in 0..<Self.n { x.column(k)[i] = values[identical ? 0 : k][i] }
        }
        return x
    }

    @Test(arguments: [(SimulationMode.dense, false, 0.0), (.conditional, false, 0.0),
                      (.dense, true, 0.0), (.conditional, true, 0.0), (.dense, false, 0.6),
                      (.conditional, false, 0.6), (.conditional, true, 0.6)])
    func jointMomentsOfForwardAndTransposedProducts(mode: SimulationMode, identical: Bool,
                                                    biasSigma: Double) {
        let n = Self.n
        let x = inputs(identical: identical)
        let g: [Double] = [0.5, -1.0, 0.25, 2.0]
        let gNorm2 = g.reduce(0) { $0 + $1 * $1 }
        let s2 = Self.scale * Self.scale
        // Sums of products over draws: Y_ik t_j, Y_ik Y_ik', t_j t_j'.
        var yt = [Double](repeating: 0, count: n * 2 * n)
        var yt2 = yt
        var yy = [Double](repeating: 0, count: n * 4)
        var yy2 = yy
        var tt = [Double](repeating: 0, count: n * n)
        var tt2 = tt
        let y = Block(rows: n, columns: 2)
        var t = [Double](repeating: 0, count: n)
        for draw in 0..<Self.draws {
            let sampling: WeightSampling = mode == .dense
                ? DenseWeightSampling(width: n, seed: 3, run: draw)
                : ConditionalWeightSampling(width: n, batch: 2, seed: 3, run: draw,
                                            storesNormals: draw % 2 == 0, arena: BlockArena())
            let record = sampling.forward(.w, layer: 1, input: x, output: y, scale: Self.scale,
                                          accumulate: false,
                                          bias: Bias(sigma: biasSigma, role: .biasB),
                                          keepRecord: true)
            g.withUnsafeBufferPointer { gp in
                t.withUnsafeMutableBufferPointer { tp in
                    sampling.tiedTranspose(.w, layer: 1, record: record, gradient: gp.baseAddress!,
                                           output: tp.baseAddress!, scale: Self.scale)
                }
            }
            for i in 0..<n {
                for k in 0..<2 {
                    for j in 0..<n {
                        let v = y.column(k)[i] * t[j]
                        yt[(i * 2 + k) * n + j] += v
                        yt2[(i * 2 + k) * n + j] += v * v
                    }
                    for k2 in 0..<2 {
                        let v = y.column(k)[i] * y.column(k2)[i]
                        yy[i * 4 + k * 2 + k2] += v
                        yy2[i * 4 + k * 2 + k2] += v * v
                    }
                }
                for j in 0..<n {
                    tt[i * n + j] += t[i] * t[j]
                    tt2[i * n + j] += t[i] * t[j] * t[i] * t[j]
                }
            }
        }
        let m = Double(Self.draws)
        func z(_ sum: Double, _ sumSquares: Double, _ expected: Double) -> Double {
            let mean = sum / m
            let variance = sumSquares / m - mean * mean
            return (mean - expected) / (variance / m).squareRoot()
        }
        for i in 0..<n {
            for k in 0..<2 {
                for j in 0..<n {
                    let expected = s2 * g[i] * x.column(k)[j]
                    #expect(abs(z(yt[(i * 2 + k) * n + j], yt2[(i * 2 + k) * n + j], expected)) < zBound)
                }
                for k2 in 0..<2 {
                    let gram = (0..<n).reduce(0) { $0 + x.column(k)[$1] * x.column(k2)[$1] }
                    let expected = s2 * gram + biasSigma * biasSigma
                    #expect(abs(z(yy[i * 4 + k * 2 + k2], yy2[i * 4 + k * 2 + k2], expected)) < zBound)
                }
            }
            for j in 0..<n {
                let expected = i == j ? s2 * gNorm2 : 0
                #expect(abs(z(tt[i * n + j], tt2[i * n + j], expected)) < zBound)
            }
        }
    }

    /// Keeping Z or regenerating it gives the same numbers (general path; the fused pair path
    /// always regenerates).
    @Test func storedAndRegeneratedNormalsAgreeExactly() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                          sigmaW: 1.3, sigmaB: 0.2, sigmaV: 0.9, sigmaA: 0.1, depth: 6)
        var options = SimulationOptions(width: 50, runs: 3, seed: 4, mode: .conditional,
                                        backward: .tied, threads: 1)
        options.fusedPairPath = false
        var simulator = try Simulator(configuration: config, options: options)
        simulator.storesNormals = true
        let kept = simulator.run()
        simulator.storesNormals = false
        let regenerated = simulator.run()
        #expect(kept.table().csv() == regenerated.table().csv())
    }
}
