import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// Growth-law fits: nonlinear least squares (GSL trust region, Levenberg-Marquardt with
/// geodesic acceleration) started from the linearized solution, with Jacobian standard errors
/// and 95% intervals, AIC ranking and a parametric bootstrap. Docs/fitting.md states the
/// estimator.
public enum GrowthLawFit {
    /// Below this x_max/x_min a window cannot tell power from exponential growth.
    public static let minimumSpanFactor = 3.0
    /// AIC differences below this are not evidence for either law (Burnham & Anderson).
    public static let indistinguishableDeltaAIC = 2.0
    /// Fewest bootstrap replicates: a 95% percentile interval needs points beyond each tail.
    public static let minimumBootstrapReplicates = 40
    /// A weighted fit with P(chi^2 >= observed) below this gets a warning.
    public static let goodnessOfFitThreshold = 1e-3

    /// The log scale without standard errors, the linear scale with them (Docs/fitting.md).
    public static func defaultScale(for data: FitData) -> ResidualScale {
        data.standardErrors == nil ? .log : .linear
    }

    /// Fits one law to (x, y), or to (x, |y - limit|), weighted by the standard errors of y
    /// when given. E.g. `fit(x: layers, y: e, law: .powerCorrected, limit: eStar)`.
    public static func fit(x: [Double], y: [Double], law: GrowthLaw, standardErrors: [Double]? = nil,
                           limit: Double? = nil, scale: ResidualScale? = nil) throws -> FitResult {
        try fit(FitData(x: x, y: y, standardErrors: standardErrors, limit: limit), law: law, scale: scale)
    }

    public static func fit(_ data: FitData, law: GrowthLaw, scale: ResidualScale? = nil) throws -> FitResult {
        try checkApplicable(law, to: data)
        let problem = try FitProblem(data, law: law, scale: scale ?? defaultScale(for: data))
        return try problem.solve(start: problem.startingParameters())
    }

    /// Fits every law in `laws` to the same points in the same scale and ranks them by AIC.
    /// Bad input for any law is an error (all candidates must see the same data); a law whose
    /// fit fails numerically is reported as failed and left out of the ranking.
    public static func selectLaw(_ data: FitData, among laws: [GrowthLaw] = GrowthLaw.allCases,
                                 scale: ResidualScale? = nil) throws -> LawSelection {
        precondition(!laws.isEmpty)
        for law in laws { try checkApplicable(law, to: data) }
        let scale = scale ?? defaultScale(for: data)
        var fits: [(GrowthLaw, Result<FitResult, any Error>)] = []
        for law in laws {
            do {
                fits.append((law, .success(try fit(data, law: law, scale: scale))))
            } catch let error where error is GSLError || error is FittingError {
                fits.append((law, .failure(error)))
            }
        }
        let succeeded = fits.compactMap { try? $0.1.get() }
        guard let best = succeeded.min(by: { $0.aic < $1.aic }) else {
            throw fits.compactMap { if case .failure(let e) = $0.1 { return e } else { return nil } }[0]
        }
        let relative = succeeded.map { exp(-0.5 * ($0.aic - best.aic)) }
        let total = relative.reduce(0, +)
        let candidates = fits.map { law, result -> LawCandidate in
            switch result {
            case .success(let fit):
                let delta = fit.aic - best.aic
                return LawCandidate(law: law, fit: fit, failure: nil, deltaAIC: delta,
                                    akaikeWeight: exp(-0.5 * delta) / total)
            case .failure(let error):
                return LawCandidate(law: law, fit: nil, failure: "\(error)", deltaAIC: nil,
                                    akaikeWeight: nil)
            }
        }
        return LawSelection(best: best, candidates: candidates)
    }

    /// Parametric bootstrap over the per-point spread: `replicates` data sets
    /// y*_i ~ N(y_i, se_i^2) (then |y*_i - limit| when a limit is set), each refitted with the
    /// same law and scale from the original estimate; percentile intervals of the parameters.
    public static func bootstrap(_ fit: FitResult, data: FitData, replicates: Int,
                                 seed: UInt64) throws -> BootstrapResult {
        let standardErrors = try checkBootstrapArguments(data: data, replicates: replicates)
        let generator = try SeededNormalGenerator(seed: seed)
        var samples = [[Double]](repeating: [], count: fit.law.parameterCount)
        var failures = 0
        var lastFailure = ""
        for _ in 0..<replicates {
            let values = zip(data.y, standardErrors).map { $0 + generator.normal(standardDeviation: $1) }
            do {
                let problem = try FitProblem(data.replacingValues(values), law: fit.law, scale: fit.scale)
                let refit = try problem.solve(start: fit.internalParameters)
                for (j, value) in FitProblem.reportedValues(fit.law, refit.internalParameters).enumerated() {
                    samples[j].append(value)
                }
            } catch {
                failures += 1
                lastFailure = "\(error)"
            }
        }
        guard replicates - failures >= minimumBootstrapReplicates else {
            throw FittingError.bootstrapFailed(replicates: replicates, failures: failures, lastFailure: lastFailure)
        }
        let intervals = zip(fit.law.parameterNames, samples).map { name, values in
            BootstrapResult.Interval(name: name, percentile95: percentile(values, 0.025)...percentile(values, 0.975),
                                     standardDeviation: standardDeviation(values))
        }
        return BootstrapResult(replicates: replicates, failures: failures, seed: seed, parameters: intervals)
    }

    /// The whole `fit` subcommand: the chosen law (or the AIC winner for `auto`), the
    /// power-exponential comparison, an optional bootstrap, and warnings.
    public static func report(_ data: FitData, law choice: LawChoice, scale: ResidualScale? = nil,
                              bootstrapReplicates: Int? = nil, seed: UInt64 = 1) throws -> FitReport {
        if let bootstrapReplicates {
            _ = try checkBootstrapArguments(data: data, replicates: bootstrapReplicates)
        }
        let scale = scale ?? defaultScale(for: data)
        var warnings: [String] = []
        let fit: FitResult
        var candidates: [LawCandidate] = []
        var powerFit: FitResult?, exponentialFit: FitResult?
        switch choice {
        case .auto:
            let selection = try selectLaw(data, scale: scale)
            fit = selection.best
            candidates = selection.candidates
            powerFit = selection.candidate(.power)?.fit
            exponentialFit = selection.candidate(.exponential)?.fit
            for candidate in candidates {
                if let failure = candidate.failure {
                    warnings.append("the \(candidate.law.rawValue) fit failed (\(failure)); it is left out of the ranking")
                }
            }
        case .law(let law):
            fit = try self.fit(data, law: law, scale: scale)
            // The other of power/exponential, only to say whether the window can tell them apart.
            if law == .power {
                powerFit = fit
                exponentialFit = try? self.fit(data, law: .exponential, scale: scale)
            } else if law == .exponential {
                exponentialFit = fit
                powerFit = try? self.fit(data, law: .power, scale: scale)
            }
        }

        let xRange = data.x.min()!...data.x.max()!  // FitData is never empty
        let span = xRange.lowerBound > 0 ? xRange.upperBound / xRange.lowerBound : .infinity
        var comparison: PowerExponentialComparison? = nil
        if let powerFit, let exponentialFit {
            comparison = PowerExponentialComparison(powerAIC: powerFit.aic, exponentialAIC: exponentialFit.aic,
                                                    spanFactor: span)
        }
        warnings += windowWarnings(comparison: comparison, span: span, xName: data.xName)
        if case .auto = choice {
            warnings += closeCandidateWarnings(candidates, best: fit.law)
        }
        warnings += qualityWarnings(fit)

        var bootstrapResult: BootstrapResult? = nil
        if let bootstrapReplicates {
            let result = try bootstrap(fit, data: data, replicates: bootstrapReplicates, seed: seed)
            if result.failures > 0 {
                warnings.append("\(result.failures) of \(result.replicates) bootstrap replicates could not be fitted (a draw <= 0 has no logarithm: try --scale linear) and are left out")
            }
            bootstrapResult = result
        }
        return FitReport(fit: fit, candidates: candidates, comparison: comparison, bootstrap: bootstrapResult,
                         warnings: warnings, data: data)
    }

    // MARK: - Checks and warnings

    /// Bad input for `law`: a fitted value <= 0, x outside its domain, or too few points (the
    /// fit needs n > p for a residual variance and an interval).
    static func checkApplicable(_ law: GrowthLaw, to data: FitData) throws {
        try FitProblem.checkPositive(data.response, data)
        if let i = data.x.indices.filter({ !law.isDefined(at: data.x[$0]) }).min(by: { data.x[$0] < data.x[$1] }) {
            throw InvalidParameter(
                option: "from", value: data.x[i],
                reason: "the \(law.rawValue) law needs \(law.domainDescription(x: data.xName)), but the window includes \(data.xName) = \(FitData.text(data.x[i])) (start it later with --from)")
        }
        let needed = law.parameterCount + 1
        if data.count < needed {
            throw InvalidParameter(
                option: "law", value: law.rawValue,
                reason: "has \(law.parameterCount) parameters and needs at least \(needed) points; the window holds \(data.count)")
        }
    }

    /// The standard errors the bootstrap resamples within; bad arguments are bad input.
    static func checkBootstrapArguments(data: FitData, replicates: Int) throws -> [Double] {
        guard let standardErrors = data.standardErrors else {
            throw InvalidParameter(option: "bootstrap", value: replicates,
                                   reason: "resamples within the standard errors of y; give them with --stderr COLUMN")
        }
        guard replicates >= minimumBootstrapReplicates else {
            throw InvalidParameter(option: "bootstrap", value: replicates,
                                   reason: "needs at least \(minimumBootstrapReplicates) replicates for a 95% percentile interval")
        }
        return standardErrors
    }

    static func windowWarnings(comparison: PowerExponentialComparison?, span: Double, xName: String) -> [String] {
        var warnings: [String] = []
        if span < minimumSpanFactor {
            warnings.append("the window spans only a factor \(format(span)) in \(xName) (less than \(format(minimumSpanFactor))): over so short a range power and exponential growth look alike; widen the window with --from/--to")
        }
        if let comparison, abs(comparison.deltaAIC) < indistinguishableDeltaAIC {
            warnings.append("power and exponential fit about equally well (AIC difference \(format(comparison.deltaAIC)), less than \(format(indistinguishableDeltaAIC))): this window cannot tell them apart")
        }
        return warnings
    }

    /// Other candidates within the indistinguishable AIC difference of the winner (the
    /// power-exponential pair has its own warning).
    static func closeCandidateWarnings(_ candidates: [LawCandidate], best: GrowthLaw) -> [String] {
        candidates.compactMap { candidate in
            guard candidate.law != best, let delta = candidate.deltaAIC, delta < indistinguishableDeltaAIC,
                  Set([candidate.law, best]) != Set([.power, .exponential]) else { return nil }
            return "\(candidate.law.rawValue) is within AIC \(format(delta)) of \(best.rawValue): the data do not single out one law"
        }
    }

    static func qualityWarnings(_ fit: FitResult) -> [String] {
        var warnings: [String] = []
        if fit.internalCovariance == nil {
            warnings.append("the Jacobian is singular at the solution (reciprocal condition \(format(fit.reciprocalCondition))): the parameters are not all identifiable from this window, so no standard errors")
        }
        if fit.isAtRoundingFloor {
            warnings.append("the \(fit.law.rawValue) law matches every point to rounding error: the residual variance is taken at the rounding level of the data (standard errors and AIC reflect only that)")
        }
        if let p = fit.goodnessOfFitPValue, p < goodnessOfFitThreshold {
            warnings.append("chi^2/dof = \(format(fit.residualSumOfSquares / Double(fit.degreesOfFreedom))) (p = \(format(p))): the \(fit.law.rawValue) law does not describe the data within the given standard errors, so its intervals are too narrow")
        }
        return warnings
    }

    static func format(_ x: Double) -> String { String(format: "%.3g", x) }
}

/// Linear-interpolated quantile of unsorted values (the definition of numpy's default).
func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
}

func standardDeviation(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
}

/// Numerical failures of the fitting module (exit status 4).
public enum FittingError: Error, CustomStringConvertible, Sendable {
    /// The solver stopped without converging, at `parameters` (the law's notation).
    case noConvergence(law: GrowthLaw, iterations: Int, reason: String, parameters: [Double])
    case bootstrapFailed(replicates: Int, failures: Int, lastFailure: String)

    public var description: String {
        switch self {
        case let .noConvergence(law, iterations, reason, parameters):
            let at = zip(law.parameterNames, parameters).map { "\($0) = \(GrowthLawFit.format($1))" }
                .joined(separator: ", ")
            var text = "the \(law.rawValue) fit did not converge in \(iterations) iterations (\(reason)); it stopped at \(at)"
            if law == .powerCorrected {
                let (c1, k, c2, c3) = (parameters[0], parameters[1], parameters[2], parameters[3])
                if abs(k - 0.5) < 0.05 || abs(k - 1) < 0.05 {
                    // C1 x^{-k} + C2 x^{-1/2} tends to a multiple of x^{-1/2} ln x as k -> 1/2
                    // with C1 = -C2 -> infinity: a limit outside the law.
                    text += ": x^(-k) and a correction term coincide there, so C1 and C2 run off; this window cannot separate them"
                } else if abs(c1) < 1e-8 * (abs(c2) + abs(c3)) {
                    text += ": C1 goes to 0, the data need no x^(-k) term beside the corrections"
                }
            }
            return text
        case let .bootstrapFailed(replicates, failures, lastFailure):
            return "bootstrap: \(failures) of \(replicates) replicates could not be fitted, too few remain for an interval (last: \(lastFailure))"
        }
    }
}
