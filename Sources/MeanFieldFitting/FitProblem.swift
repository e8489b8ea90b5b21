import Foundation
import MeanFieldCore

/// One law, one data set, one scale: residuals, starting values and the statistics of the
/// solution (Docs/fitting.md).
struct FitProblem {
    let law: GrowthLaw
    let scale: ResidualScale
    let x: [Double]
    private let points: [Abscissa]
    /// The fitted quantity y (or |y - limit|); > 0 in the log scale.
    let response: [Double]
    /// The response in the fit scale: ln y (log) or y (linear).
    let target: [Double]
    /// Weights 1/sigma^2 in the fit scale; nil for an unweighted fit.
    let weights: [Double]?
    private let rootWeights: [Double]

    /// A residual this large rejects a trial step where the model is undefined (power-corrected
    /// with f <= 0 in the log scale) or overflows; it is finite so that GSL's ratios stay defined.
    private static let penalty = 1e50

    init(_ data: FitData, law: GrowthLaw, scale: ResidualScale) throws {
        let response = data.response
        // The linear scale takes logarithms only for the start (checked by the caller);
        // bootstrap replicates start from the estimate, so a draw <= 0 is fine there.
        if scale == .log { try Self.checkPositive(response, data) }
        self.law = law
        self.scale = scale
        self.x = data.x
        self.points = data.x.map(Abscissa.init)
        self.response = response
        switch scale {
        case .log:
            target = response.map { log($0) }
            // sigma(ln y) = sigma(y) / y to first order.
            weights = data.standardErrors.map { se in zip(response, se).map { ($0 / $1) * ($0 / $1) } }
        case .linear:
            target = response
            weights = data.standardErrors.map { se in se.map { 1 / ($0 * $0) } }
        }
        rootWeights = weights?.map { $0.squareRoot() } ?? Array(repeating: 1, count: response.count)
    }

    /// Every law starts from logarithms of the fitted quantity (Docs/fitting.md).
    static func checkPositive(_ response: [Double], _ data: FitData) throws {
        guard let i = response.firstIndex(where: { !($0 > 0) }) else { return }
        let at = "\(data.xName) = \(FitData.text(data.x[i]))"
        if let limit = data.limit {
            throw InvalidParameter(
                option: "limit", value: limit,
                reason: "\(data.yName) equals the limit at \(at), so ln|\(data.yName) - limit| is undefined (the fit starts from logarithms)")
        }
        throw InvalidParameter(
            option: "y", value: data.yName,
            reason: "the fit starts from logarithms and needs \(data.yName) > 0, but it is \(FitData.text(data.y[i])) at \(at) (use --limit to fit a distance, or --from/--to to leave the row out)")
    }

    var count: Int { x.count }
    var isWeighted: Bool { weights != nil }

    // MARK: Residuals

    /// r_i = sqrt(w_i) (model_i - target_i) and, when `gradient` is given, dr_i/dtheta.
    private func residual(_ theta: UnsafePointer<Double>, _ i: Int,
                          gradient: UnsafeMutablePointer<Double>?) -> Double {
        let p = law.parameterCount
        let model: Double?
        switch scale {
        case .log: model = law.logModel(theta, at: points[i], gradient: gradient)
        case .linear: model = law.model(theta, at: points[i], gradient: gradient)
        }
        guard let model, model.isFinite else {
            if let gradient { for j in 0..<p { gradient[j] = 0 } }
            return Self.penalty
        }
        if let gradient { for j in 0..<p { gradient[j] *= rootWeights[i] } }
        return rootWeights[i] * (model - target[i])
    }

    private var leastSquaresProblem: LeastSquaresProblem {
        let n = count, p = law.parameterCount
        return LeastSquaresProblem(
            residualCount: n, parameterCount: p,
            // A few times the rounding floor: residuals that are rounding noise.
            roundingSumOfSquares: 4 * roundingFloor,
            residuals: { theta, r in
                for i in 0..<n { r[i] = residual(theta, i, gradient: nil) }
            },
            jacobian: { theta, J in
                for i in 0..<n { _ = residual(theta, i, gradient: J + i * p) }
            })
    }

    // MARK: Starting values

    /// The linearized solution: for ln f = a + k g(x), weighted linear regression of ln y on
    /// g(x); for power-corrected, a scan over k with C1, C2, C3 by linear least squares.
    func startingParameters() throws -> [Double] {
        let start = try logLinearRegression(basis: { law.logLinearBasis($0) ?? $0.log })
        guard law == .powerCorrected else { return start }
        return powerCorrectedScan(logLogSlope: start[1]) ?? [exp(start[0]), -start[1], 0, 0]
    }

    /// Weights of ln y for the linearized start: the fit's own in the log scale; in the linear
    /// scale w y^2, since sigma(ln y) = sigma(y)/y.
    private var logWeights: [Double] {
        switch scale {
        case .log: return weights ?? Array(repeating: 1, count: count)
        case .linear: return response.indices.map { (weights?[$0] ?? 1) * response[$0] * response[$0] }
        }
    }

    private func logLinearRegression(basis: (Abscissa) -> Double) throws -> [Double] {
        let solver = try WeightedLinearLeastSquares(rows: count, columns: 2)
        let g = points.map(basis)
        return try solver.solve(values: response.map { log($0) }, weights: logWeights) { j, i in
            j == 0 ? 1 : g[i]
        }.coefficients
    }

    /// Best k on a grid around the log-log slope (step 0.05, then 0.005 around the best), each
    /// with the linear least-squares C1, C2, C3 (weights of y: the fit's own in the linear
    /// scale, w / y^2 in the log scale). Variable projection: with the fixed columns
    /// a = x^{-1/2}, b = x^{-1} orthonormalized once (q1, q2; P projects them out), the
    /// residual for v = x^{-k} is ||P y||^2 - <P y, v>^2 / ||P v||^2, where
    /// ||P v||^2 = |v|^2 - <q1, v>^2 - <q2, v>^2: one pass over the points per grid value.
    /// Grid values within 0.03 of k = 1/2 and k = 1 are skipped: there x^{-k} nearly
    /// duplicates a correction term and the coefficients cancel.
    private func powerCorrectedScan(logLogSlope: Double) -> [Double]? {
        let n = count
        let rootWeights: [Double] = response.indices.map { i in
            switch scale {
            case .linear: return (weights?[i] ?? 1).squareRoot()
            case .log: return (weights?[i] ?? 1).squareRoot() / response[i]
            }
        }
        let basis = TwoColumnProjection((0..<n).map { rootWeights[$0] / x[$0].squareRoot() },
                                        (0..<n).map { rootWeights[$0] / x[$0] })
        let weightedY = (0..<n).map { rootWeights[$0] * response[$0] }
        let projectedY = basis.orthogonalComplement(weightedY)
        let yNorm2 = dot(projectedY, projectedY)
        let (yOnQ1, yOnQ2) = (dot(basis.q1, weightedY), dot(basis.q2, weightedY))
        let logX = points.map(\.log)

        var best: (sumOfSquares: Double, parameters: [Double])? = nil
        func consider(_ k: Double) {
            if abs(k - 0.5) < 0.03 || abs(k - 1) < 0.03 { return }
            var vv = 0.0, q1v = 0.0, q2v = 0.0, yv = 0.0
            for i in 0..<n {
                let v = rootWeights[i] * exp(-k * logX[i])
                vv += v * v
                q1v += basis.q1[i] * v
                q2v += basis.q2[i] * v
                yv += projectedY[i] * v
            }
            let projectedNorm2 = vv - q1v * q1v - q2v * q2v
            // Below this, cancellation leaves no digits: v lies in the span of the corrections.
            guard projectedNorm2 > 1e-8 * vv else { return }
            let sumOfSquares = yNorm2 - yv * yv / projectedNorm2
            guard sumOfSquares.isFinite, sumOfSquares < (best?.sumOfSquares ?? .infinity) else { return }
            let c1 = yv / projectedNorm2
            // C2, C3: least squares of y - C1 v on the corrections, through q1, q2.
            let (c2, c3) = basis.coefficients(onQ1: yOnQ1 - c1 * q1v, onQ2: yOnQ2 - c1 * q2v)
            if scale == .log {
                // The model must stay positive where the log is taken.
                for i in 0..<n where c1 * exp(-k * logX[i]) + c2 / x[i].squareRoot() + c3 / x[i] <= 0 { return }
            }
            best = (sumOfSquares, [c1, k, c2, c3])
        }
        let guess = -logLogSlope
        let lower = Int(((min(guess, 0) - 1) * 20).rounded(.down))
        let upper = Int(((max(guess, 1) + 1) * 20).rounded(.up))
        for step in lower...upper { consider(Double(step) / 20) }
        guard let coarse = best?.parameters[1] else { return nil }
        for step in -10...10 { consider(coarse + Double(step) / 200) }
        return best?.parameters
    }

    // MARK: Solution and statistics

    /// Below this reciprocal condition number of the Jacobian a fit is rejected.
    static let identifiableReciprocalCondition = 1e-13

    func solve(start: [Double]) throws -> FitResult {
        let solution: LeastSquaresSolution
        do {
            solution = try NonlinearLeastSquares.solve(leastSquaresProblem, start: start)
        } catch let stop as SolverStopped {
            throw FittingError.noConvergence(law: law, iterations: stop.iterations, reason: stop.reason,
                                             parameters: FitProblem.reportedValues(law, stop.parameters))
        }
        // A numerically singular Jacobian at the end point means the parameters are not
        // identifiable: rounding alone (eps/rcond > 1e-3) moves them. Whether the solver
        // "converged" there is then an accident of rounding (it differs between BLAS
        // libraries), so it is reported as a failure whatever the solver said.
        if solution.reciprocalCondition < Self.identifiableReciprocalCondition {
            throw FittingError.noConvergence(
                law: law, iterations: solution.iterations,
                reason: "the Jacobian is numerically singular at the end point (reciprocal condition \(GrowthLawFit.format(solution.reciprocalCondition))), so the parameters are not identifiable",
                parameters: FitProblem.reportedValues(law, solution.parameters))
        }
        let n = count, p = law.parameterCount, dof = n - p
        let rss = solution.sumOfSquares
        // An unweighted fit cannot resolve residuals below the rounding of the data: a law that
        // matches to rounding gets the rounding floor as its residual variance, so that the
        // AIC stays finite and a superset law cannot win by rounding noise.
        let resolvedRSS = isWeighted ? rss : max(rss, roundingFloor)
        // Unweighted: sigma^2 estimated by RSS/(n - p). Weighted: the given errors are the scale.
        let varianceScale = isWeighted ? 1 : resolvedRSS / Double(dof)
        let covariance = solution.unscaledCovariance.map { $0.map { $0 * varianceScale } }
        // Unweighted: sigma is estimated, so (theta - truth)/se follows Student's t with n - p
        // degrees of freedom. Weighted: sigma is given, so the normal quantile is exact (t would
        // over-cover: 0.957 instead of 0.95 at n - p = 40, measured in CoverageTests).
        let t = isWeighted ? Distributions.normal975 : Distributions.studentT975(dof: dof)

        let parameters = (0..<p).map { j -> FittedParameter in
            let value = solution.parameters[j]
            let se = covariance.map { max($0[j * p + j], 0).squareRoot() }
            return reportedParameter(j, value: value, standardError: se, t: t)
        }

        let w = weights ?? Array(repeating: 1, count: n)
        let weightSum = w.reduce(0, +)
        let mean = zip(w, target).reduce(0) { $0 + $1.0 * $1.1 } / weightSum
        let totalSumOfSquares = zip(w, target).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }

        // Gaussian likelihood of the fitted values in the fit scale (sigma estimated by maximum
        // likelihood when unweighted), carried over to the density of y in the log scale by
        // the Jacobian d ln y / dy = 1/y. Same points, same scale -> comparable across laws.
        var logLikelihood: Double
        let parameterCountK: Int
        if let weights {
            logLikelihood = -0.5 * (rss + weights.reduce(0) { $0 + log(2 * Double.pi / $1) })
            parameterCountK = p
        } else {
            logLikelihood = -0.5 * Double(n) * (log(2 * Double.pi * resolvedRSS / Double(n)) + 1)
            parameterCountK = p + 1
        }
        if scale == .log { logLikelihood -= response.reduce(0) { $0 + log($1) } }
        let K = Double(parameterCountK)
        let aic = -2 * logLikelihood + 2 * K
        let aicc = n - parameterCountK - 1 > 0 ? aic + 2 * K * (K + 1) / Double(n - parameterCountK - 1) : nil

        return FitResult(
            law: law, scale: scale, isWeighted: isWeighted, parameters: parameters,
            internalParameters: solution.parameters, internalCovariance: covariance,
            pointCount: n, residualSumOfSquares: rss, isAtRoundingFloor: !isWeighted && rss <= roundingFloor,
            rSquared: totalSumOfSquares > 0 ? 1 - rss / totalSumOfSquares : nil,
            aic: aic, aicc: aicc, logLikelihood: logLikelihood, intervalQuantile: t,
            reciprocalCondition: solution.reciprocalCondition, iterations: solution.iterations)
    }

    /// Sum over points of the squared rounding error of the target: eps |y| in the linear
    /// scale; eps (1 + |ln y|) in the log scale (the rounding of y, then of the logarithm);
    /// times the weights when weighted, like the residuals.
    private var roundingFloor: Double {
        let eps = Double.ulpOfOne
        return target.indices.reduce(0) { sum, i in
            let z = target[i]
            let rounding = rootWeights[i] * (scale == .log ? eps * (1 + abs(z)) : eps * abs(z))
            return sum + rounding * rounding
        }
    }

    /// Parameter j in the law's notation. Power and exponential are fitted in a = ln C: C = e^a,
    /// se(C) = C se(a) (delta method), and the interval maps through exp (stays positive).
    private func reportedParameter(_ j: Int, value: Double, standardError se: Double?,
                                   t: Double) -> FittedParameter {
        let name = law.parameterNames[j]
        let interval = se.map { (value - t * $0)...(value + t * $0) }
        if j == 0 && law.fitsLogPrefactor {
            let c = exp(value)
            return FittedParameter(name: name, value: c, standardError: se.map { c * $0 },
                                   confidenceInterval95: interval.map { exp($0.lowerBound)...exp($0.upperBound) })
        }
        return FittedParameter(name: name, value: value, standardError: se, confidenceInterval95: interval)
    }

    /// Internal parameters in the law's notation (for bootstrap replicates).
    static func reportedValues(_ law: GrowthLaw, _ theta: [Double]) -> [Double] {
        theta.enumerated().map { j, value in
            j == 0 && law.fitsLogPrefactor ? exp(value) : value
        }
    }
}

/// Gram-Schmidt on two columns a, b: projections onto their orthogonal complement and the
/// least-squares coefficients of a vector in their span.
private struct TwoColumnProjection {
    let q1: [Double], q2: [Double]
    let r11: Double, r12: Double, r22: Double

    init(_ a: [Double], _ b: [Double]) {
        let r11 = dot(a, a).squareRoot()
        let q1 = a.map { $0 / r11 }
        let r12 = dot(q1, b)
        let rest = zip(b, q1).map { $0 - r12 * $1 }
        let r22 = dot(rest, rest).squareRoot()
        (self.q1, self.q2) = (q1, rest.map { $0 / r22 })
        (self.r11, self.r12, self.r22) = (r11, r12, r22)
    }

    func orthogonalComplement(_ v: [Double]) -> [Double] {
        let c1 = dot(q1, v), c2 = dot(q2, v)
        return v.indices.map { v[$0] - c1 * q1[$0] - c2 * q2[$0] }
    }

    /// (c_a, c_b) minimizing ||v - c_a a - c_b b||, from <q1, v> and <q2, v> (back substitution
    /// in R = [[r11, r12], [0, r22]]).
    func coefficients(onQ1 t1: Double, onQ2 t2: Double) -> (Double, Double) {
        let cb = t2 / r22
        return ((t1 - r12 * cb) / r11, cb)
    }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}
