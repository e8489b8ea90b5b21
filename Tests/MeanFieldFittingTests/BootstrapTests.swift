import Foundation
import Testing
@testable import MeanFieldFitting

/// Parametric bootstrap over known standard errors, against the Fisher-information standard
/// error of the exponential law computed here in closed form.
struct BootstrapTests {
    static let x = (0..<40).map(Double.init)
    static let (trueC, trueK) = (1.0, 0.08)
    static let truth = x.map { trueC * exp(trueK * $0) }
    /// 3% of the true value: the spread of a mean over runs.
    static let errors = truth.map { 0.03 * $0 }

    /// sqrt((F^{-1})_kk) with F = sum_i grad f grad f^T / se_i^2, grad f = (e^{kx}, C x e^{kx}).
    static var fisherStandardErrorOfK: Double {
        var a = 0.0, b = 0.0, d = 0.0
        for (xi, se) in zip(x, errors) {
            let dC = exp(trueK * xi), dk = trueC * xi * exp(trueK * xi)
            a += dC * dC / (se * se)
            b += dC * dk / (se * se)
            d += dk * dk / (se * se)
        }
        return (a / (a * d - b * b)).squareRoot()
    }

    static func noisyData(seed: UInt64) throws -> FitData {
        var generator = SplitMix64(seed: seed)
        let y = zip(truth, errors).map { $0 + $1 * generator.normal() }
        return try FitData(x: x, y: y, standardErrors: errors)
    }

    @Test func spreadMatchesFisherInformation() throws {
        let data = try Self.noisyData(seed: 41)
        let fit = try GrowthLawFit.fit(data, law: .exponential)
        let reference = Self.fisherStandardErrorOfK
        // The Jacobian error at the estimate, not the truth: a few percent apart at 3% noise.
        #expect(abs(fit.exponent.standardError! / reference - 1) < 0.05)

        let replicates = 1000
        let bootstrap = try GrowthLawFit.bootstrap(fit, data: data, replicates: replicates, seed: 7)
        #expect(bootstrap.failures == 0)
        // The sample sd of 1000 replicates scatters by 1/sqrt(2 * 999) = 2.2%.
        #expect(abs(bootstrap.exponent.standardDeviation / reference - 1) < 0.1,
                "bootstrap sd \(bootstrap.exponent.standardDeviation), Fisher \(reference)")
        // Percentile interval: about the estimate +- 1.96 sd for this nearly linear problem.
        let interval = bootstrap.exponent.percentile95
        let k = fit.exponent.value
        #expect(abs((interval.upperBound - k) / (1.96 * reference) - 1) < 0.15)
        #expect(abs((k - interval.lowerBound) / (1.96 * reference) - 1) < 0.15)
    }

    @Test func fixedSeedIsDeterministic() throws {
        let data = try Self.noisyData(seed: 42)
        let fit = try GrowthLawFit.fit(data, law: .exponential)
        let first = try GrowthLawFit.bootstrap(fit, data: data, replicates: 100, seed: 3)
        let again = try GrowthLawFit.bootstrap(fit, data: data, replicates: 100, seed: 3)
        let other = try GrowthLawFit.bootstrap(fit, data: data, replicates: 100, seed: 4)
        #expect(first.parameters == again.parameters)
        #expect(first.parameters != other.parameters)
    }

    /// With a limit the replicates are drawn for y and then |y* - limit| is fitted.
    @Test func resamplesBeforeTheLimit() throws {
        let x = (1...60).map(Double.init)
        let limit = 0.8
        let truth = x.map { limit - 0.3 * pow($0, -0.45) }
        let errors = truth.map { _ in 1e-3 }
        var generator = SplitMix64(seed: 43)
        let y = zip(truth, errors).map { $0 + $1 * generator.normal() }
        let data = try FitData(x: x, y: y, standardErrors: errors, limit: limit)
        let report = try GrowthLawFit.report(data, law: .law(.power), bootstrapReplicates: 400, seed: 1)
        let bootstrap = try #require(report.bootstrap)
        #expect(bootstrap.failures == 0)
        #expect(bootstrap.exponent.percentile95.contains(-0.45))
        // Jacobian and bootstrap agree on the spread of k within the scatter of 400 replicates.
        #expect(abs(bootstrap.exponent.standardDeviation / report.fit.exponent.standardError! - 1) < 0.15)
    }

    /// In the log scale a draw <= 0 cannot be fitted: such replicates are counted and left out,
    /// and a bootstrap that loses most replicates fails. The linear scale fits them.
    @Test func countsReplicatesThatCannotBeFitted() throws {
        let x = (1...40).map(Double.init)
        let y = x.map { pow($0, 0.01) }
        let loose = try FitData(x: x, y: y, standardErrors: y.map { 0.4 * $0 })
        let report = try GrowthLawFit.report(loose, law: .law(.power), scale: .log, bootstrapReplicates: 200, seed: 1)
        let failures = try #require(report.bootstrap).failures
        // P(some draw <= 0) = 1 - Phi(2.5)^40 = 0.22 per replicate.
        #expect(failures > 20 && failures < 80)
        #expect(report.warnings.contains { $0.contains("\(failures) of 200 bootstrap replicates") })
        // The linear scale needs no logarithm of the draws: every replicate is fitted.
        let linear = try GrowthLawFit.report(loose, law: .law(.power), scale: .linear, bootstrapReplicates: 200, seed: 1)
        #expect(linear.bootstrap?.failures == 0)

        let hopeless = try FitData(x: x, y: y, standardErrors: y.map { 1.0 * $0 })
        #expect(throws: FittingError.self) {
            try GrowthLawFit.report(hopeless, law: .law(.power), scale: .log, bootstrapReplicates: 100, seed: 1)
        }
    }

    /// Percentile intervals cover the truth in 95% of experiments (200 experiments of 200
    /// replicates each, about 30 s in a debug build).
    @Test(.enabled(if: TestSettings.slow))
    func percentileIntervalsCoverTheTruth() throws {
        var covered = 0
        let trials = 200
        for trial in 0..<trials {
            let data = try Self.noisyData(seed: 1000 + UInt64(trial))
            let fit = try GrowthLawFit.fit(data, law: .exponential)
            let bootstrap = try GrowthLawFit.bootstrap(fit, data: data, replicates: 200, seed: UInt64(trial))
            if bootstrap.exponent.percentile95.contains(Self.trueK) { covered += 1 }
        }
        let band = binomialBand(trials: trials, probability: 0.95, tail: 0.0005)
        print("bootstrap coverage: \(covered) of \(trials), band \(band)")
        #expect(band.contains(covered))
    }
}
