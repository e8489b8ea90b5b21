import Foundation
import Testing
@testable import MeanFieldFitting

/// `auto`: every law fitted to the same points, ranked by AIC.
struct SelectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let law: GrowthLaw
        let x: [Double]
        let f: @Sendable (Double) -> Double
        let seed: UInt64
        var testDescription: String { law.rawValue }
    }

    static let trials = 100
    static let noise = 0.05

    static let cases: [Case] = [
        Case(law: .power, x: (1...100).map(Double.init), f: { 3 * pow($0, 1.2) }, seed: 11),
        Case(law: .exponential, x: (1...60).map(Double.init), f: { 0.5 * exp(0.08 * $0) }, seed: 12),
        Case(law: .expSqrt, x: stride(from: 4.0, through: 400, by: 4).map { $0 }, f: { exp(0.3 + 0.4 * $0.squareRoot()) },
             seed: 13),
    ]

    /// Exponential and exp-sqrt data: no other law nests them, and at this signal-to-noise
    /// the others are far off; the right law must win every trial.
    /// Power data: power-corrected nests the power law (C2 = C3 = 0, k -> -k), so by Wilks'
    /// theorem it wins by AIC whenever the likelihood-ratio statistic, chi^2 with 2 degrees of
    /// freedom, exceeds 4 (the penalty of its 2 extra parameters): P = e^{-2} = 0.135. The
    /// power law must then win in a share consistent with Binomial(trials, 0.865).
    @Test(arguments: cases)
    func autoPicksTheGeneratingLaw(_ testCase: Case) throws {
        var generator = SplitMix64(seed: testCase.seed)
        var wins: [GrowthLaw: Int] = [:]
        for _ in 0..<Self.trials {
            let y = testCase.x.map { testCase.f($0) * exp(Self.noise * generator.normal()) }
            let selection = try GrowthLawFit.selectLaw(FitData(x: testCase.x, y: y))
            wins[selection.best.law, default: 0] += 1
        }
        let right = wins[testCase.law] ?? 0
        print("auto on \(testCase.law.rawValue) data: \(wins.map { "\($0.key.rawValue) \($0.value)" }.sorted())")
        if testCase.law == .power {
            let band = binomialBand(trials: Self.trials, probability: 1 - exp(-2), tail: 0.0005)
            #expect(band.contains(right), "power won \(right) of \(Self.trials) (band \(band)); \(wins)")
            #expect(right + (wins[.powerCorrected] ?? 0) == Self.trials, "\(wins)")
        } else {
            #expect(right == Self.trials, "\(wins)")
        }
    }

    /// Akaike weights are exp(-delta/2) normalized, the ranking is by AIC, and every law is a
    /// candidate.
    @Test func candidatesCarryDeltasAndWeights() throws {
        let x = (1...50).map(Double.init)
        var generator = SplitMix64(seed: 21)
        let y = x.map { 2 * pow($0, 0.7) * exp(0.05 * generator.normal()) }
        let selection = try GrowthLawFit.selectLaw(FitData(x: x, y: y))
        #expect(selection.candidates.map(\.law) == GrowthLaw.allCases)
        let aics = selection.candidates.compactMap { $0.fit?.aic }
        try #require(aics.count == GrowthLaw.allCases.count)
        #expect(selection.best.aic == aics.min())
        let weights = aics.map { exp(-0.5 * ($0 - aics.min()!)) }
        let total = weights.reduce(0, +)
        for (candidate, weight) in zip(selection.candidates, weights) {
            #expect(abs(candidate.akaikeWeight! - weight / total) <= 1e-12)
            #expect(abs(candidate.deltaAIC! - (candidate.fit!.aic - aics.min()!)) <= 1e-9)
        }
    }

    /// A power law over x in [10, 14] (a factor 1.4) with 20% noise: the curvature that tells
    /// x^1.5 from e^{kx} there (rms 0.008 in ln y, against 0.2 noise on 5 points) is buried,
    /// the AIC difference is a fraction of a unit. The report must say so; over [1, 1000] with
    /// 2% noise it must not.
    @Test func warnsWhenTheWindowIsTooShort() throws {
        var generator = SplitMix64(seed: 31)
        let x = (1...1000).map(Double.init)
        let noisy = x.map { 2 * pow($0, 1.5) * exp(0.2 * generator.normal()) }
        let short = try GrowthLawFit.report(FitData(x: x, y: noisy, xName: "layer").window(from: 10, to: 14),
                                            law: .law(.power))
        #expect(short.comparison!.spanFactor == 1.4)
        #expect(short.warnings.contains { $0.contains("spans only a factor 1.4 in layer") })
        #expect(abs(short.comparison!.deltaAIC) < 2)
        #expect(short.warnings.contains { $0.contains("cannot tell them apart") })

        let y = x.map { 2 * pow($0, 1.5) * exp(0.02 * generator.normal()) }
        let long = try GrowthLawFit.report(FitData(x: x, y: y), law: .auto)
        #expect(long.fit.law == .power)
        #expect(long.comparison!.deltaAIC < -100)
        #expect(!long.warnings.contains { $0.contains("spans only") || $0.contains("cannot tell") })
    }

    /// A law matched to rounding (noiseless data) beats the laws that nest it: the residual
    /// variance is floored at the rounding level instead of reaching zero.
    @Test func noiselessPowerLawIsNotTakenForItsSuperset() throws {
        let x = (1...200).map(Double.init)
        let selection = try GrowthLawFit.selectLaw(FitData(x: x, y: x.map { 2 * pow($0, 1.5) }))
        #expect(selection.best.law == .power)
        #expect(selection.best.isAtRoundingFloor)
        #expect(selection.candidates.allSatisfy { $0.fit?.aic.isFinite == true }, "\(selection.candidates.map { $0.failure })")
    }

    /// y = x^{-1/2} (2 + ln x) is the limit of C1 x^{-k} + C2 x^{-1/2} as k -> 1/2 with
    /// C1 = -C2 -> infinity (x^{-1/2} ln x = lim (x^{-1/2} - x^{-k}) / (k - 1/2)) and no finite
    /// parameters reach it: the power-corrected fit cannot converge and must say why; `auto`
    /// reports it as failed and ranks the other laws.
    @Test func failedCandidateIsReportedAndLeftOut() throws {
        let x = ExactRecoveryTests.layers
        let data = try FitData(x: x, y: x.map { (2 + log($0)) / $0.squareRoot() })
        #expect {
            try GrowthLawFit.fit(data, law: .powerCorrected)
        } throws: { error in
            guard case let .noConvergence(law, _, _, parameters)? = error as? FittingError else { return false }
            return law == .powerCorrected && abs(parameters[1] - 0.5) < 0.05 && abs(parameters[0]) > 100
                && "\(error)".contains("coincide")
        }
        let report = try GrowthLawFit.report(data, law: .auto)
        let failed = try #require(report.candidates.first { $0.law == .powerCorrected })
        #expect(failed.fit == nil && failed.deltaAIC == nil && failed.failure != nil)
        #expect(report.fit.law != .powerCorrected)
        #expect(report.candidates.filter { $0.fit != nil }.count == 3)
        #expect(report.warnings.contains { $0.hasPrefix("the power-corrected fit failed") })
    }
}
