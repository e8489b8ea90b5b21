import Foundation
import Testing
@testable import MeanFieldTheory
import MeanFieldCore

/// SplitMix64 with Box–Muller: a small deterministic Gaussian source for tests.
struct TestGaussian {
    private var state: UInt64
    private var spare: Double?
    init(seed: UInt64) { state = seed }

    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) * 0x1p-53
    }

    mutating func next() -> Double {
        if let s = spare { spare = nil; return s }
        let r = (-2 * log(uniform())).squareRoot(), angle = 2 * Double.pi * uniform()
        spare = r * sin(angle)
        return r * cos(angle)
    }
}

/// The transforms against plain Monte Carlo: the sample mean of phi(z)^2, phi(z) phi(z'),
/// phi'(z)^2, (phi(z) - phi(z'))^2/2 over n correlated Gaussian pairs, with its standard error;
/// every z-score must be below 4.5 (about 50 comparisons: a false alarm has probability ~3e-4).
@Suite struct MonteCarloTransformTests {
    @Test func transformsAgainstMonteCarlo() throws {
        let activations: [any Activation] = [Tanh(), ReLU(), AlphaReLU(alpha: 0.75), Erf(), GELU(), SiLU()]
        let points: [(Double, Double)] = [(0.7, 0.4), (5, -0.6), (400, 0.9)]
        let n = 200_000
        var generator = TestGaussian(seed: 20171225)
        var worst = 0.0
        for activation in activations {
            let transforms = makeTransforms(for: activation)
            for (q, c) in points {
                let pair = GaussianPair(variance: q, correlation: c)
                let exact = try transforms.layerMoments(pair, needMean: true)
                var sums = [Double](repeating: 0, count: 5), squares = sums
                let sd = q.squareRoot(), orthogonal = (1 - c * c).squareRoot()
                for _ in 0..<n {
                    let u = generator.next(), v = generator.next()
                    let z = sd * u, zPrime = sd * (c * u + orthogonal * v)
                    let a = activation.value(z), b = activation.value(zPrime), d = activation.derivative(z)
                    let samples = [a * a, a * b, d * d, 0.5 * (a - b) * (a - b), a]
                    for k in 0..<5 {
                        sums[k] += samples[k]
                        squares[k] += samples[k] * samples[k]
                    }
                }
                let exactValues = [exact.meanSquare, exact.crossMoment, exact.derivativeMeanSquare,
                                   exact.halfSquaredDifference, exact.mean]
                for k in 0..<5 {
                    // alpha-ReLU's phi'^2 has infinite variance for alpha <= 3/4: no z-score there.
                    if k == 2 && activation is AlphaReLU { continue }
                    let mean = sums[k] / Double(n)
                    let variance = max(squares[k] / Double(n) - mean * mean, 0)
                    let standardError = (variance / Double(n - 1)).squareRoot()
                    let z = standardError > 0 ? (mean - exactValues[k]) / standardError : 0
                    worst = max(worst, abs(z))
                    #expect(abs(z) < 4.5, "\(activation) q = \(q) c = \(c) transform \(k): MC \(mean) vs \(exactValues[k]), z = \(z)")
                }
            }
        }
        print("Monte Carlo transforms: worst |z| = \(worst)")
    }
}
