import Foundation

/// The growth laws of THEORY.md section 6, as functions of x (a layer, or any column).
///
/// Internally every law has `k` as parameter 1. The three two-parameter laws share the form
/// ln f = a + k g(x) with g = ln x, x, sqrt x, and are fitted in `a` so that the prefactor
/// stays positive and the log-scale fit is linear (see Docs/fitting.md).
public enum GrowthLaw: String, CaseIterable, Sendable {
    /// y = C x^k
    case power
    /// y = C e^{k x}
    case exponential
    /// ln y = C + k sqrt(x)
    case expSqrt = "exp-sqrt"
    /// y = C1 x^{-k} + C2 x^{-1/2} + C3 x^{-1} (|e - e*| in tanh residual nets, k = delta*)
    case powerCorrected = "power-corrected"

    /// Parameter names as reported, in the law's own notation.
    public var parameterNames: [String] {
        switch self {
        case .power, .exponential, .expSqrt: return ["C", "k"]
        case .powerCorrected: return ["C1", "k", "C2", "C3"]
        }
    }

    public var parameterCount: Int { parameterNames.count }

    /// Index of k (the exponent or rate) among the parameters.
    static let exponentIndex = 1

    /// The law in the given names, e.g. "|e - 0.5| = C layer^k".
    public func formula(x: String = "x", y: String = "y") -> String {
        switch self {
        case .power: return "\(y) = C \(x)^k"
        case .exponential: return "\(y) = C exp(k \(x))"
        case .expSqrt: return "ln \(y) = C + k sqrt(\(x))"
        case .powerCorrected: return "\(y) = C1 \(x)^(-k) + C2 \(x)^(-1/2) + C3 \(x)^(-1)"
        }
    }

    /// Whether the law is defined at x: x^k and x^{-1/2} need x > 0, sqrt(x) needs x >= 0.
    public func isDefined(at x: Double) -> Bool {
        switch self {
        case .power, .powerCorrected: return x > 0
        case .expSqrt: return x >= 0
        case .exponential: return true
        }
    }

    func domainDescription(x: String) -> String {
        switch self {
        case .power, .powerCorrected: return "\(x) > 0"
        case .expSqrt: return "\(x) >= 0"
        case .exponential: return "any \(x)"
        }
    }

    /// Power and exponential are fitted in a = ln C (parameter 0), which keeps C > 0 and makes
    /// the log-scale fit linear; exp-sqrt's C already is a logarithm.
    var fitsLogPrefactor: Bool { self == .power || self == .exponential }

    /// g(x) of the log-linear laws ln f = a + k g(x); nil for power-corrected.
    func logLinearBasis(_ point: Abscissa) -> Double? {
        switch self {
        case .power: return point.log
        case .exponential: return point.x
        case .expSqrt: return point.squareRoot
        case .powerCorrected: return nil
        }
    }

    /// ln f(x) and, when `gradient` is given, d ln f / d(internal parameters).
    /// Returns nil where f <= 0 (possible only for power-corrected).
    func logModel(_ theta: UnsafePointer<Double>, at point: Abscissa,
                  gradient: UnsafeMutablePointer<Double>?) -> Double? {
        if let g = logLinearBasis(point) {
            gradient?[0] = 1
            gradient?[1] = g
            return theta[0] + theta[1] * g
        }
        let f = model(theta, at: point, gradient: gradient)
        guard f > 0 else { return nil }
        if let gradient {
            for j in 0..<parameterCount { gradient[j] /= f }
        }
        return log(f)
    }

    /// f(x) and, when `gradient` is given, df / d(internal parameters).
    func model(_ theta: UnsafePointer<Double>, at point: Abscissa,
               gradient: UnsafeMutablePointer<Double>?) -> Double {
        if let g = logLinearBasis(point) {
            let f = exp(theta[0] + theta[1] * g)
            gradient?[0] = f
            gradient?[1] = f * g
            return f
        }
        let leading = exp(-theta[1] * point.log)  // x^{-k}
        let halfPower = 1 / point.squareRoot
        let inverse = 1 / point.x
        if let gradient {
            gradient[0] = leading
            gradient[1] = -theta[0] * leading * point.log
            gradient[2] = halfPower
            gradient[3] = inverse
        }
        return theta[0] * leading + theta[2] * halfPower + theta[3] * inverse
    }
}

/// A point x with ln x and sqrt x computed once: the model is evaluated at the same points
/// many times (every iteration, every bootstrap replicate), and pow dominated the cost.
struct Abscissa: Sendable {
    let x: Double
    /// ln x (NaN for x <= 0, where no law that uses it is defined).
    let log: Double
    let squareRoot: Double

    init(_ x: Double) {
        self.x = x
        self.log = Foundation.log(x)
        self.squareRoot = x.squareRoot()
    }
}

/// `--law`: one law, or `auto` (fit all, rank by AIC).
public enum LawChoice: RawRepresentable, Sendable, Equatable, CaseIterable {
    case law(GrowthLaw)
    case auto

    public static var allCases: [LawChoice] { GrowthLaw.allCases.map(LawChoice.law) + [.auto] }

    public init?(rawValue: String) {
        if rawValue == "auto" {
            self = .auto
        } else if let law = GrowthLaw(rawValue: rawValue) {
            self = .law(law)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .law(let law): return law.rawValue
        case .auto: return "auto"
        }
    }
}

/// The space in which residuals are measured (and hence the likelihood of the AIC).
public enum ResidualScale: String, CaseIterable, Sendable {
    /// r = ln y - ln f: relative errors, the natural scale of a positive quantity that spans
    /// decades. Default without standard errors.
    case log
    /// r = y - f: absolute errors, e.g. means over runs with known standard errors. Default
    /// with standard errors.
    case linear
}
