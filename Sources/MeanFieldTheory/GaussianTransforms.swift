import MeanFieldCore

/// A centred Gaussian pair (z, z') with Var z = Var z' = `variance` (q) and
/// Cov(z, z') = `covariance` (lambda). The `distance` q - lambda = E[(z - z')^2]/2 is passed
/// separately because the engine knows it to full relative precision (it carries p - gamma
/// as its own recurrence), while q - lambda computed by subtraction loses every digit when
/// the inputs are nearly identical (1 - c ~ 1e-12).
public struct GaussianPair: Sendable, Equatable {
    public var variance: Double
    public var covariance: Double
    public var distance: Double

    public init(variance: Double, covariance: Double, distance: Double) {
        self.variance = variance
        self.covariance = covariance
        self.distance = distance
    }

    /// A pair given by variance and correlation c (distance computed as q (1 - c)).
    public init(variance: Double, correlation: Double) {
        self.init(variance: variance, covariance: variance * correlation,
                  distance: variance * (1 - correlation))
    }

    /// c = lambda / q.
    public var correlation: Double { covariance / variance }
    /// 1 - c, to full precision.
    public var oneMinusCorrelation: Double { distance / variance }
    /// 1 + c = 2 - (1 - c); accurate unless c is near -1.
    public var onePlusCorrelation: Double { 1 + correlation }

    /// The pair of -z' with z (for odd activations): covariance -lambda, distance q + lambda.
    public var reflected: GaussianPair {
        GaussianPair(variance: variance, covariance: -covariance, distance: 2 * variance - distance)
    }
}

/// The Gaussian expectations the recurrences need for one layer (THEORY.md section 1).
public struct LayerMoments: Sendable, Equatable {
    /// V phi(q) = E[phi(z)^2].
    public var meanSquare: Double
    /// W phi(q, lambda) = E[phi(z) phi(z')].
    public var crossMoment: Double
    /// D phi(q, lambda) = E[(phi(z) - phi(z'))^2] / 2 = V phi - W phi, computed directly.
    public var halfSquaredDifference: Double
    /// V phi'(q) = E[phi'(z)^2]; +infinity where it diverges (alpha-ReLU, alpha <= 1/2).
    public var derivativeMeanSquare: Double
    /// M phi(q) = E[phi(z)] (0 for odd phi).
    public var mean: Double

    public init(meanSquare: Double, crossMoment: Double, halfSquaredDifference: Double,
                derivativeMeanSquare: Double, mean: Double) {
        self.meanSquare = meanSquare
        self.crossMoment = crossMoment
        self.halfSquaredDifference = halfSquaredDifference
        self.derivativeMeanSquare = derivativeMeanSquare
        self.mean = mean
    }
}

/// Gaussian transforms of one activation. Closed forms where they exist (erf, linear,
/// alpha-ReLU), a fast expansion for tanh at large q, and adaptive quadrature for the rest.
/// Implementations own quadrature workspaces: use one instance per thread.
public protocol GaussianTransforms: AnyObject {
    var activation: any Activation { get }
    /// V phi(q).
    func meanSquare(variance q: Double) throws -> Double
    /// V phi'(q) (+infinity where it diverges).
    func derivativeMeanSquare(variance q: Double) throws -> Double
    /// M phi(q).
    func mean(variance q: Double) throws -> Double
    /// W phi(q, lambda).
    func crossMoment(_ pair: GaussianPair) throws -> Double
    /// D phi = E[(phi(z) - phi(z'))^2]/2.
    func halfSquaredDifference(_ pair: GaussianPair) throws -> Double
    /// E[phi'(z) phi'(z')] (chi_c of the FF fixed point).
    func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double
    /// E[phi''(z) phi(z)] (the FF depth scale xi_q); nil if phi'' is not available.
    func secondDerivativeMoment(variance q: Double) throws -> Double?
    /// Everything one layer needs, in one call (implementations share work between terms).
    func layerMoments(_ pair: GaussianPair, needMean: Bool) throws -> LayerMoments
}

extension GaussianTransforms {
    public func layerMoments(_ pair: GaussianPair, needMean: Bool) throws -> LayerMoments {
        LayerMoments(
            meanSquare: try meanSquare(variance: pair.variance),
            crossMoment: try crossMoment(pair),
            halfSquaredDifference: try halfSquaredDifference(pair),
            derivativeMeanSquare: try derivativeMeanSquare(variance: pair.variance),
            mean: needMean ? try mean(variance: pair.variance) : 0)
    }
}

/// The transforms for an activation: closed forms for the built-ins that have them, the
/// general quadrature path otherwise.
public func makeTransforms(for activation: any Activation) -> any GaussianTransforms {
    switch activation {
    case is Erf: return ErfTransforms()
    case is Linear: return LinearTransforms()
    case is ReLU: return AlphaReLUTransforms(alpha: 1)
    case let alphaReLU as AlphaReLU: return AlphaReLUTransforms(alpha: alphaReLU.alpha)
    case is Tanh: return TanhTransforms()
    default: return QuadratureTransforms(activation: activation)
    }
}
