import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// tanh transforms. Residual nets drive q up linearly with depth (q ~ 1e4 at l ~ 1e4), and a
/// 1e5-layer curve needs ~1e5 two-dimensional integrals, so tanh has a fast path for large q:
///
/// Write tanh = sgn + r with r(x) = tanh x - sgn x = -sgn(x) 2/(1 + e^{2|x|}), localized
/// (|r| < 1e-17 beyond |x| = 20). Then, for c >= 0 and s^2 = q (1 - c^2):
///   V = 1 - E[sech^2 z],  V' = E[sech^4 z],
///   W = (2/pi) asin c + 2 E[sgn(z) r(z')] + E[r(z) r(z')],
///   D = V - W = (2/pi) acos c - E[sech^2 z] - 2 E[sgn(z) r(z')] - E[r(z) r(z')],
/// with E[sgn(z) r(z')] = E[r(z') erf(c z'/(sqrt(2) s))] (one-dimensional), and the bivariate
/// density factorized as e^{-(x^2+y^2)/(2 s^2)} sum_k (c x y / s^2)^k / k!, so that
///   E[r(z) r(z')] = (2 pi q sqrt(1-c^2))^{-1} sum_{k odd} (c/s^2)^k/k! T_k^2,
///   T_k = Int r(x) x^k e^{-x^2/(2 s^2)} dx.
/// Three regimes, chosen per call:
/// - moments (q, s^2 >= 400): on [0, 20] the Gaussian factors e^{-x^2/(2q)}, e^{-x^2/(2 s^2)}
///   have exponents <= 1/2, so each integral is a short power series in 1/q and 1/s^2 over
///   the moments Int_0^20 f(x) x^j dx of f = r, sech^2, sech^4, tabulated once by adaptive
///   quadrature; erf(a y) is expanded in its Taylor series (a y <= 0.71). About a microsecond.
/// - nodes (q >= 2, s^2 >= 12 c): the same integrals on fixed composite Gauss–Legendre nodes
///   over [0, 20] (r, sech^2, sech^4 tabulated at the nodes), the series summed until its
///   terms fall below 1e-18 of the sum.
/// - general: the adaptive nested quadrature of `QuadratureTransforms` (small q, or c so
///   close to 1 that the series would not converge).
/// Both fast regimes are tested against the adaptive path over a grid of (q, c).
public final class TanhTransforms: GaussianTransforms {
    public let activation: any Activation = Tanh()
    private let general = QuadratureTransforms(activation: Tanh())

    /// Node regime: q at least this (Gaussian factors smooth on the fixed panels)...
    public static let nodeMinimumVariance = 2.0
    /// ...and s^2 = q (1 - c^2) at least this times c (the series for E[r r'] converges).
    public static let nodeMinimumConditionalVariance = 12.0
    /// Moment regime: q and s^2 at least this (exponents x^2/(2q) <= 1/2 on [0, 20]).
    public static let momentMinimumVariance = 400.0
    static let cutoff = 20.0
    static let maximumTerms = 200
    /// Moments x^0 ... x^maximumMomentOrder are tabulated.
    static let maximumMomentOrder = 160

    private struct Nodes {
        var x: [Double] = []
        var x2: [Double] = []
        var weight: [Double] = []
        var r: [Double] = []          // tanh x - 1 for x > 0
        var sech2: [Double] = []
        var sech4: [Double] = []
    }

    private let nodes: Nodes
    /// Int_0^20 f(x) x^j dx for f = r, sech^2, sech^4 (index j).
    private let remainderMoments: [Double]
    private let sech2Moments: [Double]
    private let sech4Moments: [Double]
    /// 1/n! for the series.
    private let inverseFactorials: [Double]
    /// Scratch for the node regime: weight * r * e^{-x^2/(2 s^2)} and the running power x^k.
    private var scratchA: [Double]
    private var scratchPower: [Double]

    public init() {
        // Panels narrow where r varies fast and the poles of tanh (at +-i pi/2) are near the
        // panel relative to its width; wider where r is already exponentially small.
        let breakpoints: [Double] = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7,
                                     8, 10, 12, 14, 17, 20]
        let rule = CompositeGaussLegendre(breakpoints: breakpoints, order: 12)
        var nodes = Nodes()
        for (x, w) in zip(rule.nodes, rule.weights) {
            nodes.x.append(x)
            nodes.x2.append(x * x)
            nodes.weight.append(w)
            let e = exp(-2 * x)
            nodes.r.append(-2 * e / (1 + e))
            let sech = 2 * exp(-x) / (1 + e)
            nodes.sech2.append(sech * sech)
            nodes.sech4.append(sech * sech * sech * sech)
        }
        self.nodes = nodes
        scratchA = Array(repeating: 0, count: nodes.x.count)
        scratchPower = Array(repeating: 0, count: nodes.x.count)
        (remainderMoments, sech2Moments, sech4Moments) = Self.tabulateMoments()
        var factorials = [1.0]
        for n in 1...Self.maximumTerms { factorials.append(factorials[n - 1] / Double(n)) }
        inverseFactorials = factorials
    }

    /// Int_0^20 f(x) x^j dx for every j at once, on 30-point Gauss–Legendre panels of width
    /// 1/2: on such a panel x^160 varies like e^{2t} and r has its poles 12 widths away, so
    /// the rule is exact to double precision for every moment (tested against adaptive QAG).
    static func tabulateMoments() -> ([Double], [Double], [Double]) {
        let breakpoints = stride(from: 0.0, through: cutoff, by: 0.5).map { $0 }
        let rule = CompositeGaussLegendre(breakpoints: breakpoints, order: 30)
        let orders = maximumMomentOrder + 1
        var remainder = [Double](repeating: 0, count: orders)
        var sech2 = remainder, sech4 = remainder
        for (x, w) in zip(rule.nodes, rule.weights) {
            let e = exp(-2 * x)
            let r = -2 * e / (1 + e), s2 = 4 * e / ((1 + e) * (1 + e))
            var power = w
            for j in 0..<orders {
                remainder[j] += r * power
                sech2[j] += s2 * power
                sech4[j] += s2 * s2 * power
                power *= x
            }
        }
        return (remainder, sech2, sech4)
    }

    private static let inverseSqrtTwoPi = 1 / (2 * Double.pi).squareRoot()

    // MARK: One-dimensional transforms

    public func meanSquare(variance q: Double) throws -> Double {
        guard q >= Self.nodeMinimumVariance else { return try general.meanSquare(variance: q) }
        return 1 - gaussianMoments(variance: q).sech2
    }

    public func derivativeMeanSquare(variance q: Double) throws -> Double {
        guard q >= Self.nodeMinimumVariance else {
            return try general.derivativeMeanSquare(variance: q)
        }
        return gaussianMoments(variance: q).sech4
    }

    public func mean(variance q: Double) throws -> Double { 0 }

    /// E[sech^2 z], E[sech^4 z] (even integrands: twice the half line).
    private func gaussianMoments(variance q: Double) -> (sech2: Double, sech4: Double) {
        let scale = 2 * Self.inverseSqrtTwoPi / q.squareRoot()
        if q >= Self.momentMinimumVariance {
            return (scale * gaussianSeries(sech2Moments, order: 0, variance: q),
                    scale * gaussianSeries(sech4Moments, order: 0, variance: q))
        }
        let decay = -0.5 / q
        var sech2 = 0.0, sech4 = 0.0
        for i in 0..<nodes.x.count {
            let g = nodes.weight[i] * exp(decay * nodes.x2[i])
            sech2 += g * nodes.sech2[i]
            sech4 += g * nodes.sech4[i]
        }
        return (sech2 * scale, sech4 * scale)
    }

    // MARK: Two-dimensional transforms

    private enum Regime { case moments, nodes, hermite(HalfGaussHermite), general }

    private func regime(_ pair: GaussianPair) -> Regime {
        let q = pair.variance
        guard q >= Self.nodeMinimumVariance else { return hermiteRegime(q) }
        let conditional = conditionalVariance(pair)
        if q >= Self.momentMinimumVariance && conditional >= Self.momentMinimumVariance {
            return .moments
        }
        let c = abs(pair.correlation)
        if conditional >= Self.nodeMinimumConditionalVariance * max(c, 1e-300) && conditional >= 1 {
            return .nodes
        }
        return hermiteRegime(q)
    }


    /// Int_0^20 f(x) x^order e^{-x^2/(2v)} dx = sum_n (-1/(2v))^n/n! M_(order+2n), for
    /// x^2/(2v) <= 1/2 (terms fall like 2^-n/n!).
    @inline(__always)
    private func gaussianSeries(_ moments: [Double], order: Int, variance v: Double) -> Double {
        let step = -0.5 / v
        var power = 1.0, sum = 0.0
        var n = 0
        while order + 2 * n <= Self.maximumMomentOrder {
            let term = power * inverseFactorials[n] * moments[order + 2 * n]
            sum += term
            if abs(term) <= 1e-18 * abs(sum) { break }
            power *= step
            n += 1
        }
        return sum
    }

    /// The moment regime's (W, D, E[sech^2], E[sech^4]), for c >= 0.
    private func momentPair(_ pair: GaussianPair) -> (cross: Double, difference: Double,
                                                      sech2: Double, sech4: Double) {
        let q = pair.variance
        let oneMinusC = pair.oneMinusCorrelation
        let c = 1 - oneMinusC
        let s2 = conditionalVariance(pair)
        let gaussianScale = 2 * Self.inverseSqrtTwoPi / q.squareRoot()
        let sech2 = gaussianScale * gaussianSeries(sech2Moments, order: 0, variance: q)
        let sech4 = gaussianScale * gaussianSeries(sech4Moments, order: 0, variance: q)
        // E[sgn(z) r(z')] = E[r(z') erf(a z')], a = c/(sqrt 2 s), with
        // erf(a y) = (2/sqrt pi) sum_m (-1)^m (a y)^(2m+1) / (m! (2m+1)).
        let a = c / (2 * s2).squareRoot()
        var signRemainder = 0.0
        if c > 0 {
            var coefficient = 2 / Double.pi.squareRoot() * a
            var m = 0
            while 2 * m + 1 <= Self.maximumMomentOrder {
                let term = coefficient / Double(2 * m + 1)
                    * gaussianSeries(remainderMoments, order: 2 * m + 1, variance: q)
                signRemainder += term
                if abs(term) <= 1e-18 * abs(signRemainder) { break }
                m += 1
                coefficient *= -a * a / Double(m)
            }
            signRemainder *= gaussianScale
        }
        // E[r r'] = (2 pi q sqrt(1 - c^2))^{-1} sum_{k odd} (c/s^2)^k/k! T_k^2,
        // T_k = 2 Int_0^20 r x^k e^{-x^2/(2 s^2)} dx.
        var remainderProduct = 0.0
        if c > 0 {
            let ratio = c / s2
            var coefficient = ratio
            var k = 1
            while k <= Self.maximumMomentOrder {
                let tk = 2 * gaussianSeries(remainderMoments, order: k, variance: s2)
                let term = coefficient * tk * tk
                remainderProduct += term
                if term <= 1e-18 * remainderProduct { break }
                coefficient *= ratio * ratio / Double((k + 1) * (k + 2))
                k += 2
            }
            remainderProduct /= 2 * .pi * q * (s2 / q).squareRoot()
        }
        return combine(c: c, oneMinusC: oneMinusC, sech2: sech2, sech4: sech4,
                       signRemainder: signRemainder, remainderProduct: remainderProduct)
    }

    /// W = (2/pi) asin c + 2 E[sgn r'] + E[r r'], D = (2/pi) acos c - E[sech^2] - 2 E[sgn r'] - E[r r'].
    @inline(__always)
    private func combine(c: Double, oneMinusC: Double, sech2: Double, sech4: Double,
                         signRemainder: Double, remainderProduct: Double)
        -> (cross: Double, difference: Double, sech2: Double, sech4: Double)
    {
        let arccos = 2 * asin((0.5 * oneMinusC).squareRoot())
        let arcsin = c < 0.5 ? asin(c) : 0.5 * .pi - arccos
        let cross = 2 / .pi * arcsin + 2 * signRemainder + remainderProduct
        let difference = 2 / .pi * arccos - sech2 - 2 * signRemainder - remainderProduct
        return (cross, difference, sech2, sech4)
    }

    /// s^2 = q (1 - c^2) = delta (2 - delta/q), for c >= 0 from the accurate distance.
    private func conditionalVariance(_ pair: GaussianPair) -> Double {
        let oneMinusC = pair.oneMinusCorrelation
        return pair.variance * oneMinusC * (2 - oneMinusC)
    }

    /// The node regime's (W, D, E[sech^2], E[sech^4]), for c >= 0; nil if the series for
    /// E[r r'] has not converged within `maximumTerms`.
    private func nodePair(_ pair: GaussianPair) -> (cross: Double, difference: Double,
                                                    sech2: Double, sech4: Double)? {
        let q = pair.variance
        let oneMinusC = pair.oneMinusCorrelation
        let c = 1 - oneMinusC
        let s2 = conditionalVariance(pair)
        let s = s2.squareRoot()
        let count = nodes.x.count
        let gaussianScale = 2 * Self.inverseSqrtTwoPi / q.squareRoot()
        let decayQ = -0.5 / q, decayS = -0.5 / s2
        let erfScale = c / (2.0.squareRoot() * s)
        var sech2 = 0.0, sech4 = 0.0, signRemainder = 0.0
        var remainderProduct = 0.0
        var converged = true
        scratchA.withUnsafeMutableBufferPointer { a in
            scratchPower.withUnsafeMutableBufferPointer { power in
                for i in 0..<count {
                    let x = nodes.x[i], w = nodes.weight[i]
                    let g = w * exp(decayQ * nodes.x2[i])
                    sech2 += g * nodes.sech2[i]
                    sech4 += g * nodes.sech4[i]
                    if c > 0 { signRemainder += g * nodes.r[i] * erf(erfScale * x) }
                    a[i] = w * nodes.r[i] * exp(decayS * nodes.x2[i])
                    power[i] = x
                }
                guard c > 0 else { return }
                // E[r r'] = (2 pi q sqrt(1 - c^2))^{-1} sum_{k odd} (c/s^2)^k/k! T_k^2.
                let ratio = c / s2
                var coefficient = ratio
                var k = 1
                converged = false
                while k <= Self.maximumTerms {
                    var tk = 0.0
                    for i in 0..<count { tk += a[i] * power[i] }
                    tk *= 2
                    let term = coefficient * tk * tk
                    remainderProduct += term
                    if term <= 1e-18 * remainderProduct { converged = true; break }
                    for i in 0..<count { power[i] *= nodes.x2[i] }
                    coefficient *= ratio * ratio / Double((k + 1) * (k + 2))
                    k += 2
                }
                remainderProduct /= 2 * .pi * q * (s / q.squareRoot())
            }
        }
        guard converged else { return nil }
        return combine(c: c, oneMinusC: oneMinusC, sech2: sech2 * gaussianScale,
                       sech4: sech4 * gaussianScale, signRemainder: signRemainder * gaussianScale,
                       remainderProduct: remainderProduct)
    }

    /// The fast regimes' results for c >= 0, or nil where the general path must be used.
    private func fastPair(_ pair: GaussianPair) -> FastMoments? {
        func fromSeries(_ f: (cross: Double, difference: Double, sech2: Double, sech4: Double)?) -> FastMoments? {
            guard let f else { return nil }
            // q >= 2 here, so V = 1 - E[sech^2] >= 0.4 keeps its digits.
            return FastMoments(meanSquare: 1 - f.sech2, cross: f.cross, difference: f.difference, sech4: f.sech4)
        }
        switch regime(pair) {
        case .moments: return fromSeries(momentPair(pair))
        case .nodes: return fromSeries(nodePair(pair))
        case .hermite(let rule): return hermitePair(pair, rule: rule)
        case .general: return nil
        }
    }

    /// V, W, D and V' of one layer, for c >= 0.
    private struct FastMoments {
        var meanSquare: Double
        var cross: Double
        var difference: Double
        var sech4: Double
    }

    /// Gauss–Hermite rules for the small-q regime. The integrands below are analytic in a strip
    /// of half-width d = pi/(2 sqrt q) in the standard normal variables (the poles of tanh at
    /// +-i pi/2); the n-point rule then errs by about exp(-d sqrt(2n)) (measured: 9e-9 for
    /// E[sech^4] at q = 1.99, n = 160). n = 320 q_max gives d sqrt(2n) >= 39.7 on every band,
    /// errors below 1e-16. Each rule is built on first use (HalfGaussHermite: Newton on the
    /// recurrence) and shared by every engine in the process.
    private static let hermiteBand1 = HalfGaussHermite(order: 80)     // q <= 1/4
    private static let hermiteBand2 = HalfGaussHermite(order: 160)    // q <= 1/2
    private static let hermiteBand3 = HalfGaussHermite(order: 320)    // q <= 1
    private static let hermiteBand4 = HalfGaussHermite(order: 640)    // q <= 2
    private static let hermiteBand5 = HalfGaussHermite(order: 1280)   // q <= 4
    private static let hermiteBand6 = HalfGaussHermite(order: 2560)   // q <= 8

    private func hermiteRegime(_ q: Double) -> Regime {
        switch q {
        case ...0: return .general
        case ...0.25: return .hermite(Self.hermiteBand1)
        case ...0.5: return .hermite(Self.hermiteBand2)
        case ...1: return .hermite(Self.hermiteBand3)
        case ...2: return .hermite(Self.hermiteBand4)
        case ...4: return .hermite(Self.hermiteBand5)
        case ...8: return .hermite(Self.hermiteBand6)
        default: return .general
        }
    }

    /// The small-q regime, tensor Gauss–Hermite in coordinates that avoid cancellation:
    /// - V = E[tanh^2], V' = E[sech^4] over z ~ N(0, q);
    /// - W = E[tanh(z) g(z)], g(z) = E[tanh(c z + s w)] with s^2 = q (1 - c^2), the symmetric
    ///   pair of w nodes summed as tanh(a + b) + tanh(a - b) = 2 sinh 2a/(cosh 2a + cosh 2b):
    ///   proportional to c, so W keeps its relative accuracy as c -> 0;
    /// - D = E[(tanh(m + h) - tanh(m - h))^2]/2 over the independent m ~ N(0, q - delta/2),
    ///   h ~ N(0, delta/2), with tanh(m + h) - tanh(m - h) = 2 sinh 2h/(cosh 2m + cosh 2h):
    ///   a sum of positive terms, accurate as c -> 1 (delta -> 0).
    /// Every integrand is even in each variable, so the rules run over positive nodes only.
    private func hermitePair(_ pair: GaussianPair, rule: HalfGaussHermite) -> FastMoments {
        let q = pair.variance, delta = pair.distance
        let c = 1 - pair.oneMinusCorrelation
        let sigma = q.squareRoot()
        let s = conditionalVariance(pair).squareRoot()
        let sigmaM = max(q - 0.5 * delta, 0).squareRoot(), sigmaH = (0.5 * delta).squareRoot()
        let count = rule.count
        var meanSquare = 0.0, sech4 = 0.0, cross = 0.0, difference = 0.0
        rule.nodes.withUnsafeBufferPointer { x in
            rule.weights.withUnsafeBufferPointer { w in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * count) { scratch in
                    let coshB = scratch.baseAddress!, coshH = coshB + count, sinhH = coshH + count
                    for j in 0..<count {
                        coshB[j] = cosh(2 * s * x[j])
                        coshH[j] = cosh(2 * sigmaH * x[j])
                        sinhH[j] = sinh(2 * sigmaH * x[j])
                    }
                    for i in 0..<count {
                        let z = sigma * x[i]
                        let t = Foundation.tanh(z), sech = 1 / cosh(z)
                        meanSquare += w[i] * t * t
                        sech4 += w[i] * sech * sech * sech * sech
                        // g(z) = sum_j w_j sinh 2a/(cosh 2a + cosh 2b_j), a = c z.
                        let sinhA = sinh(2 * c * z), coshA = cosh(2 * c * z)
                        var g = 0.0
                        for j in 0..<count { g += w[j] / (coshA + coshB[j]) }
                        cross += w[i] * t * sinhA * g
                        // sum_j w_j (2 sinh 2h_j/(cosh 2m + cosh 2h_j))^2 / 2.
                        let coshM = cosh(2 * sigmaM * x[i])
                        var d = 0.0
                        for j in 0..<count {
                            let ratio = sinhH[j] / (coshM + coshH[j])
                            d += w[j] * ratio * ratio
                        }
                        difference += w[i] * 2 * d
                    }
                }
            }
        }
        return FastMoments(meanSquare: meanSquare, cross: cross, difference: difference, sech4: sech4)
    }

    public func crossMoment(_ pair: GaussianPair) throws -> Double {
        if pair.covariance < 0 { return -(try crossMoment(pair.reflected)) }
        guard let fast = fastPair(pair) else { return try general.crossMoment(pair) }
        return fast.cross
    }

    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double {
        if pair.distance == 0 { return 0 }
        if pair.covariance < 0 {
            return 2 * (try meanSquare(variance: pair.variance))
                - (try halfSquaredDifference(pair.reflected))
        }
        guard let fast = fastPair(pair) else { return try general.halfSquaredDifference(pair) }
        return fast.difference
    }

    public func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double {
        try general.derivativeCrossMoment(pair)
    }

    public func secondDerivativeMoment(variance q: Double) throws -> Double? {
        try general.secondDerivativeMoment(variance: q)
    }

    public func layerMoments(_ pair: GaussianPair, needMean: Bool) throws -> LayerMoments {
        let reflect = pair.covariance < 0
        let working = reflect ? pair.reflected : pair
        if let f = fastPair(working) {
            let v = f.meanSquare
            return LayerMoments(
                meanSquare: v,
                crossMoment: reflect ? -f.cross : f.cross,
                halfSquaredDifference: reflect ? 2 * v - f.difference : f.difference,
                derivativeMeanSquare: f.sech4, mean: 0)
        }
        return try general.layerMoments(pair, needMean: false)
    }
}
