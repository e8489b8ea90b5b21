import Foundation
import Testing
@testable import MeanFieldFitting

/// The 95% intervals must cover the truth in 95% of repeated noisy experiments: seeded
/// trials per case, coverage inside the central 99.9% band of Binomial(trials, 0.95).
struct CoverageTests {
    /// 200 by default (about 2 s); 2000 with MEANFIELD_SLOW_TESTS=1, which resolves a
    /// coverage error of 1.5 points (the band is then 0.934...0.966).
    static let trials = TestSettings.slow ? 2000 : 200

    enum Noise: Sendable {
        /// y = f e^{sigma z}: relative errors, fitted unweighted in the log scale.
        case multiplicative(Double)
        /// y = f + sigma z with constant sigma, fitted unweighted in the linear scale.
        case additive(Double)
        /// y = f + se_i z with known se_i = fraction * f_i, fitted weighted in the linear scale.
        case knownRelative(Double)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let law: GrowthLaw
        let truth: [Double]
        let x: [Double]
        let noise: Noise
        let f: @Sendable (Double) -> Double
        let seed: UInt64
        var testDescription: String { "\(law.rawValue) \(noise)" }
    }

    static let cases: [Case] = [
        Case(law: .power, truth: [2, 1.3], x: (1...50).map(Double.init), noise: .multiplicative(0.05),
             f: { 2 * pow($0, 1.3) }, seed: 1),
        Case(law: .exponential, truth: [0.5, 0.12], x: (0..<40).map(Double.init), noise: .multiplicative(0.05),
             f: { 0.5 * exp(0.12 * $0) }, seed: 2),
        Case(law: .power, truth: [1, 0.5], x: (1...50).map(Double.init), noise: .additive(0.05),
             f: { pow($0, 0.5) }, seed: 3),
        Case(law: .exponential, truth: [3, -0.05], x: (0..<60).map(Double.init), noise: .additive(0.02),
             f: { 3 * exp(-0.05 * $0) }, seed: 4),
        Case(law: .power, truth: [0.7, -0.4], x: (1...80).map(Double.init), noise: .knownRelative(0.03),
             f: { 0.7 * pow($0, -0.4) }, seed: 5),
        Case(law: .exponential, truth: [1, 0.08], x: (1...40).map(Double.init), noise: .knownRelative(0.03),
             f: { exp(0.08 * $0) }, seed: 6),
        Case(law: .expSqrt, truth: [0.2, 0.6], x: (0...200).map(Double.init), noise: .multiplicative(0.05),
             f: { exp(0.2 + 0.6 * $0.squareRoot()) }, seed: 7),
        Case(law: .powerCorrected, truth: [0.8, 0.42, -0.3, 0.5], x: ExactRecoveryTests.layers,
             noise: .knownRelative(0.002),
             f: { 0.8 * pow($0, -0.42) - 0.3 / $0.squareRoot() + 0.5 / $0 }, seed: 8),
    ]

    @Test(arguments: cases)
    func intervalsCoverTheTruth(_ testCase: Case) throws {
        var generator = SplitMix64(seed: testCase.seed)
        let p = testCase.law.parameterCount
        var covered = [Int](repeating: 0, count: p)
        for _ in 0..<Self.trials {
            let f = testCase.x.map(testCase.f)
            let fit: FitResult
            switch testCase.noise {
            case .multiplicative(let sigma):
                let y = f.map { $0 * exp(sigma * generator.normal()) }
                fit = try GrowthLawFit.fit(x: testCase.x, y: y, law: testCase.law, scale: .log)
            case .additive(let sigma):
                let y = f.map { $0 + sigma * generator.normal() }
                fit = try GrowthLawFit.fit(x: testCase.x, y: y, law: testCase.law, scale: .linear)
            case .knownRelative(let fraction):
                let errors = f.map { fraction * $0 }
                let y = zip(f, errors).map { $0 + $1 * generator.normal() }
                fit = try GrowthLawFit.fit(x: testCase.x, y: y, law: testCase.law, standardErrors: errors)
            }
            for j in 0..<p where fit.parameters[j].confidenceInterval95!.contains(testCase.truth[j]) {
                covered[j] += 1
            }
        }
        let band = binomialBand(trials: Self.trials, probability: 0.95, tail: 0.0005)
        print("coverage \(testCase.testDescription): \(covered) of \(Self.trials), band \(band)")
        for j in 0..<p {
            #expect(band.contains(covered[j]),
                    "\(testCase.law.parameterNames[j]): covered \(covered[j]) of \(Self.trials), band \(band)")
        }
    }

    /// The band itself: for Binomial(200, 0.95) it is 179...198 (scipy.stats.binom.ppf/isf).
    @Test func bandMatchesScipy() {
        #expect(binomialBand(trials: 200, probability: 0.95, tail: 0.0005) == 179...198)
    }
}

/// Central band of Binomial(n, p): the smallest lo with P(X < lo) <= tail and the largest hi
/// with P(X > hi) <= tail.
func binomialBand(trials n: Int, probability p: Double, tail: Double) -> ClosedRange<Int> {
    let pmf = (0...n).map { k -> Double in
        let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
        return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
    }
    var lo = 0, below = 0.0
    while below + pmf[lo] <= tail { below += pmf[lo]; lo += 1 }
    var hi = n, above = 0.0
    while above + pmf[hi] <= tail { above += pmf[hi]; hi -= 1 }
    return lo...hi
}
