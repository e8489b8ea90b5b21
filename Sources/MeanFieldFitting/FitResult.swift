import Foundation

/// A fitted parameter with its standard error and 95% confidence interval (nil where the
/// Jacobian is singular and the parameter is not identifiable).
public struct FittedParameter: Sendable, Equatable {
    public let name: String
    public let value: Double
    public let standardError: Double?
    public let confidenceInterval95: ClosedRange<Double>?
}

/// One law fitted to one data set.
public struct FitResult: Sendable {
    public let law: GrowthLaw
    public let scale: ResidualScale
    /// Whether standard errors of y weighted the fit (then they are taken as exact: the
    /// covariance is not rescaled by the residual variance).
    public let isWeighted: Bool
    /// The parameters in the law's notation (`law.parameterNames`).
    public let parameters: [FittedParameter]
    /// The parameters as fitted (power and exponential: ln C instead of C), and their
    /// covariance, row-major; what `predict` and the bootstrap use.
    public let internalParameters: [Double]
    public let internalCovariance: [Double]?
    public let pointCount: Int
    public var degreesOfFreedom: Int { pointCount - law.parameterCount }
    /// Sum of squared (weighted) residuals in the fit scale; chi^2 for a weighted fit.
    public let residualSumOfSquares: Double
    /// Unweighted fits only: the residuals are at the rounding level of the data, and the
    /// residual variance (standard errors, AIC) uses that level instead.
    public let isAtRoundingFloor: Bool
    /// sqrt(residualSumOfSquares / n): of ln y - ln f (log scale), y - f (linear), or of
    /// (y - f)/sigma for a weighted fit.
    public var residualRMS: Double { (residualSumOfSquares / Double(pointCount)).squareRoot() }
    /// 1 - RSS/TSS in the fit scale, with the same weights.
    public let rSquared: Double?
    /// -2 ln L + 2 K for the density of the fitted y values (Docs/fitting.md).
    public let aic: Double
    /// AIC + 2K(K+1)/(n-K-1); nil when n <= K + 1.
    public let aicc: Double?
    public let logLikelihood: Double
    /// The quantile behind the 95% intervals (value +- quantile * se): Student's t(0.975, n - p)
    /// for an unweighted fit, the normal 0.975 quantile (1.96) for a weighted one.
    public let intervalQuantile: Double
    public let reciprocalCondition: Double
    public let iterations: Int

    /// k: the exponent (power, power-corrected: delta*) or rate (exponential, exp-sqrt).
    public var exponent: FittedParameter { parameters[GrowthLaw.exponentIndex] }

    /// k for the laws where it is a rate (per unit x: exponential; per unit sqrt(x): exp-sqrt).
    public var rate: Double? {
        switch law {
        case .exponential, .expSqrt: return exponent.value
        case .power, .powerCorrected: return nil
        }
    }

    /// The multiplicative prefactor: C (power, exponential), e^C (exp-sqrt), C1 (power-corrected).
    public var prefactor: Double {
        switch law {
        case .power, .exponential, .expSqrt: return exp(internalParameters[0])
        case .powerCorrected: return internalParameters[0]
        }
    }

    /// For a weighted fit, P(chi^2_{n-p} >= chi^2): small values say the law does not describe
    /// the data within the standard errors.
    public var goodnessOfFitPValue: Double? {
        guard isWeighted, degreesOfFreedom > 0 else { return nil }
        return Distributions.chiSquaredUpperTail(residualSumOfSquares, dof: degreesOfFreedom)
    }

    /// The fitted law at x (the fitted quantity: y, or |y - limit|).
    public func predict(_ x: Double) -> Double {
        internalParameters.withUnsafeBufferPointer {
            law.model($0.baseAddress!, at: Abscissa(x), gradient: nil)
        }
    }
}

/// One law tried by `auto`.
public struct LawCandidate: Sendable {
    public let law: GrowthLaw
    /// nil when the fit failed numerically (`failure` says why).
    public let fit: FitResult?
    public let failure: String?
    /// AIC minus the smallest AIC among the candidates.
    public let deltaAIC: Double?
    /// Akaike weight exp(-delta/2) / sum over candidates.
    public let akaikeWeight: Double?
}

/// All laws fitted to the same points in the same scale, ranked by AIC.
public struct LawSelection: Sendable {
    /// The law with the smallest AIC.
    public let best: FitResult
    /// Every law tried, in `GrowthLaw.allCases` order.
    public let candidates: [LawCandidate]

    public func candidate(_ law: GrowthLaw) -> LawCandidate? { candidates.first { $0.law == law } }
}

/// Parametric bootstrap: percentile intervals of refits to y*_i ~ N(y_i, se_i^2).
public struct BootstrapResult: Sendable {
    public struct Interval: Sendable, Equatable {
        public let name: String
        /// 2.5% and 97.5% percentiles of the replicate values.
        public let percentile95: ClosedRange<Double>
        /// Standard deviation of the replicate values.
        public let standardDeviation: Double
    }

    public let replicates: Int
    /// Replicates whose refit failed (e.g. a draw <= 0 in the log scale); left out.
    public let failures: Int
    public let seed: UInt64
    public let parameters: [Interval]
    public var exponent: Interval { parameters[GrowthLaw.exponentIndex] }
}

/// Power against exponential on the same points: the question a short window cannot answer.
public struct PowerExponentialComparison: Sendable {
    public let powerAIC: Double
    public let exponentialAIC: Double
    /// AIC(power) - AIC(exponential): negative favours the power law.
    public var deltaAIC: Double { powerAIC - exponentialAIC }
    /// x_max / x_min of the window.
    public let spanFactor: Double
}

/// Everything `fit` reports: the chosen fit, the candidates of `auto`, the power-exponential
/// comparison, an optional bootstrap, and warnings about what the data cannot tell.
public struct FitReport: Sendable {
    public let fit: FitResult
    /// Every law tried (auto only; empty otherwise).
    public let candidates: [LawCandidate]
    public let comparison: PowerExponentialComparison?
    public let bootstrap: BootstrapResult?
    public let warnings: [String]
    /// The points fitted (after the window and the limit).
    public let data: FitData
    public var xRange: ClosedRange<Double> { data.x.min()!...data.x.max()! }
}
