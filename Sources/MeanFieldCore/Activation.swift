import Foundation

/// A pointwise nonlinearity phi. The engine needs only `value` and `derivative` (and
/// `secondDerivative` for the FF depth scale xi_q); everything else has a sensible default.
/// Built-in activations with closed-form Gaussian transforms are recognised by the theory
/// module; any other conforming type goes through the general quadrature path.
public protocol Activation: Sendable, CustomStringConvertible {
    /// Name used on the command line and in output ("tanh", "alpha-relu", ...).
    var name: String { get }
    func value(_ x: Double) -> Double
    func derivative(_ x: Double) -> Double
    /// phi''(x) where it exists as a function; nil if the activation does not provide it.
    func secondDerivative(_ x: Double) -> Double?
    /// phi(m + w) - phi(m - w), computed without cancellation when w is small: the engine
    /// integrates (phi(z) - phi(z'))^2 for nearly identical inputs (1 - c down to 1e-12), and
    /// only the exact half-width w carries the difference (m + w and m - w are rounded).
    func difference(midpoint m: Double, halfWidth w: Double) -> Double
    /// Points where phi or phi' is not smooth; quadrature splits there.
    var kinks: [Double] { get }
    /// Length over which phi changes shape (saturation, curvature); quadrature places
    /// breakpoints at multiples of it.
    var featureScale: Double { get }
    /// True when phi(-x) = -phi(x): then E[phi(z)] = 0 and the RRN mean term vanishes.
    var isOdd: Bool { get }
    /// d when phi(t x) = t^d phi(x) for all t > 0 (ReLU: 1, alpha-ReLU: alpha), else nil.
    /// Homogeneous activations let the engine carry exponentially growing lengths exactly.
    var homogeneityDegree: Double? { get }
}

extension Activation {
    public func secondDerivative(_ x: Double) -> Double? { nil }

    /// Default: for w small against the feature scale and no kink in [m - w, m + w],
    /// Int_{-w}^{w} phi'(m + t) dt by 8-point Gauss–Legendre (error ~ (w/scale)^16, far
    /// below double precision for analytic phi); otherwise the plain difference.
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double {
        let span = abs(w)
        if span <= 0.05 * featureScale && !kinks.contains(where: { abs($0 - m) <= span }) {
            var sum = 0.0
            for (node, weight) in zip(GaussLegendre8.nodes, GaussLegendre8.weights) {
                sum += weight * (derivative(m + w * node) + derivative(m - w * node))
            }
            return w * sum
        }
        return value(m + w) - value(m - w)
    }
    public var kinks: [Double] { [] }
    public var featureScale: Double { 1 }
    public var isOdd: Bool { false }
    public var homogeneityDegree: Double? { nil }
    public var description: String { name }
}

// MARK: - Built-in activations

/// Gauss–Legendre nodes (positive half) and weights on [-1, 1], 8 points.
enum GaussLegendre8 {
    static let nodes: [Double] = [0.18343464249564978, 0.525532409916329, 0.7966664774136267, 0.9602898564975362]
    static let weights: [Double] = [0.36268378337836166, 0.3137066458778869, 0.22238103445337443, 0.10122853629037706]
}

public struct Tanh: Activation {
    public init() {}
    public var name: String { "tanh" }
    public var isOdd: Bool { true }
    @inline(__always) public func value(_ x: Double) -> Double { Foundation.tanh(x) }
    /// sech^2 x, computed without the cancellation of 1 - tanh^2 at large |x|.
    @inline(__always) public func derivative(_ x: Double) -> Double {
        let s = 1 / cosh(x)
        return s * s
    }
    public func secondDerivative(_ x: Double) -> Double? { -2 * Foundation.tanh(x) * derivative(x) }
    /// tanh a - tanh b = sinh(a - b) / (cosh a cosh b) with a - b = 2w exact.
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double {
        if abs(m) + abs(w) < 300 { return sinh(2 * w) / (cosh(m + w) * cosh(m - w)) }
        return Foundation.tanh(m + w) - Foundation.tanh(m - w)
    }
    /// tanh is within 1e-17 of +-1 beyond |x| = 20.
    public var featureScale: Double { 1 }
}

public struct Erf: Activation {
    public init() {}
    public var name: String { "erf" }
    public var isOdd: Bool { true }
    public func value(_ x: Double) -> Double { erf(x) }
    public func derivative(_ x: Double) -> Double { 2 / Double.pi.squareRoot() * exp(-x * x) }
    public func secondDerivative(_ x: Double) -> Double? { -2 * x * derivative(x) }
}

public struct Linear: Activation {
    public init() {}
    public var name: String { "linear" }
    public var isOdd: Bool { true }
    public var homogeneityDegree: Double? { 1 }
    public func value(_ x: Double) -> Double { x }
    public func derivative(_ x: Double) -> Double { 1 }
    public func secondDerivative(_ x: Double) -> Double? { 0 }
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double { 2 * w }
}

public struct ReLU: Activation {
    public init() {}
    public var name: String { "relu" }
    public var kinks: [Double] { [0] }
    public var homogeneityDegree: Double? { 1 }
    public func value(_ x: Double) -> Double { x > 0 ? x : 0 }
    public func derivative(_ x: Double) -> Double { x > 0 ? 1 : 0 }
    /// Zero away from the kink (the delta at 0 contributes phi(0) = 0 to E[phi'' phi]).
    public func secondDerivative(_ x: Double) -> Double? { 0 }
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double {
        if w < 0 { return -difference(midpoint: m, halfWidth: -w) }
        if m - w >= 0 { return 2 * w }
        return m + w > 0 ? m + w : 0
    }
}

/// psi_alpha(x) = x^alpha for x > 0, else 0 (Yang & Schoenholz 2017); alpha in (0, 2].
public struct AlphaReLU: Activation {
    public let alpha: Double
    public init(alpha: Double) { self.alpha = alpha }
    public var name: String { "alpha-relu" }
    public var description: String { "alpha-relu(alpha=\(alpha))" }
    public var kinks: [Double] { [0] }
    public var homogeneityDegree: Double? { alpha }
    public func value(_ x: Double) -> Double { x > 0 ? pow(x, alpha) : 0 }
    public func derivative(_ x: Double) -> Double { x > 0 ? alpha * pow(x, alpha - 1) : 0 }
    public func secondDerivative(_ x: Double) -> Double? {
        x > 0 ? alpha * (alpha - 1) * pow(x, alpha - 2) : 0
    }
    /// With b = m - w > 0: (b + 2w)^alpha - b^alpha = b^alpha expm1(alpha log1p(2w/b)).
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double {
        if w < 0 { return -difference(midpoint: m, halfWidth: -w) }
        let lower = m - w
        if lower > 0 { return pow(lower, alpha) * expm1(alpha * log1p(2 * w / lower)) }
        return value(m + w)
    }
}

/// GELU, phi(x) = x Phi(x) with Phi the standard normal CDF.
public struct GELU: Activation {
    public init() {}
    public var name: String { "gelu" }
    private static let invSqrt2 = 1 / 2.0.squareRoot()
    private static let invSqrt2Pi = 1 / (2 * Double.pi).squareRoot()
    public func value(_ x: Double) -> Double { 0.5 * x * erfc(-x * Self.invSqrt2) }
    public func derivative(_ x: Double) -> Double {
        0.5 * erfc(-x * Self.invSqrt2) + x * Self.invSqrt2Pi * exp(-0.5 * x * x)
    }
    public func secondDerivative(_ x: Double) -> Double? {
        Self.invSqrt2Pi * exp(-0.5 * x * x) * (2 - x * x)
    }
}

/// SiLU (swish), phi(x) = x / (1 + e^-x).
public struct SiLU: Activation {
    public init() {}
    public var name: String { "silu" }
    private func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
    public func value(_ x: Double) -> Double { x * sigmoid(x) }
    public func derivative(_ x: Double) -> Double {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }
    public func secondDerivative(_ x: Double) -> Double? {
        let s = sigmoid(x)
        return s * (1 - s) * (2 + x * (1 - 2 * s))
    }
}

public struct Sine: Activation {
    public init() {}
    public var name: String { "sin" }
    public var isOdd: Bool { true }
    public func value(_ x: Double) -> Double { sin(x) }
    public func derivative(_ x: Double) -> Double { cos(x) }
    public func secondDerivative(_ x: Double) -> Double? { -sin(x) }
    /// sin(m + w) - sin(m - w) = 2 cos m sin w.
    public func difference(midpoint m: Double, halfWidth w: Double) -> Double {
        2 * cos(m) * sin(w)
    }
}

/// The activations selectable by name on the command line.
public enum ActivationName: String, CaseIterable, Sendable {
    case tanh, erf, linear, relu, alphaReLU = "alpha-relu", gelu, silu, sin

    /// Builds the activation; `alpha` is used (and required) by alpha-relu only.
    public func make(alpha: Double?) throws -> any Activation {
        switch self {
        case .tanh: return Tanh()
        case .erf: return Erf()
        case .linear: return Linear()
        case .relu: return ReLU()
        case .gelu: return GELU()
        case .silu: return SiLU()
        case .sin: return Sine()
        case .alphaReLU:
            guard let alpha else {
                throw InvalidParameter(option: "alpha", value: "(missing)",
                                       reason: "--activation alpha-relu needs --alpha A with 0 < A <= 2")
            }
            guard alpha.isFinite, alpha > 0, alpha <= 2 else {
                throw InvalidParameter(option: "alpha", value: alpha,
                                       reason: "must lie in (0, 2]")
            }
            return AlphaReLU(alpha: alpha)
        }
    }
}
