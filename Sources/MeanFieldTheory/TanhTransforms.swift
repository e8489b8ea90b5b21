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
/// Every integral is over [0, 20] with fixed composite Gauss–Legendre nodes (the same nodes
/// for every layer, so r, sech^2, sech^4 are tabulated once). The series converges fast when
/// s^2 is large against 20^2 c; below the thresholds (small q, or c close to 1) the adaptive
/// nested quadrature of `QuadratureTransforms` takes over. Accuracy of the fast path against
/// the adaptive path is tested over a grid of (q, c).
public final class TanhTransforms: GaussianTransforms {
    public let activation: any Activation = Tanh()
    private let general = QuadratureTransforms(activation: Tanh())

    /// Fast path needs q at least this (Gaussian factors smooth on the fixed panels)...
    public static let fastPathMinimumVariance = 30.0
    /// ...and s^2 = q (1 - c^2) at least this times c (the series for E[r r'] converges).
    public static let fastPathMinimumConditionalVariance = 12.0
    static let cutoff = 20.0
    static let maximumTerms = 120

    private struct Nodes {
        var x: [Double] = []
        var x2: [Double] = []
        var weight: [Double] = []
        var r: [Double] = []          // tanh x - 1 for x > 0
        var sech2: [Double] = []
        var sech4: [Double] = []
    }

    private let nodes: Nodes
    /// Scratch: per-node weight * r * e^{-x^2/(2 s^2)} and the running power x^k.
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
    }

    private static let inverseSqrtTwoPi = 1 / (2 * Double.pi).squareRoot()

    // MARK: One-dimensional transforms

    public func meanSquare(variance q: Double) throws -> Double {
        guard q >= Self.fastPathMinimumVariance else { return try general.meanSquare(variance: q) }
        return 1 - gaussianMoments(variance: q).sech2
    }

    public func derivativeMeanSquare(variance q: Double) throws -> Double {
        guard q >= Self.fastPathMinimumVariance else {
            return try general.derivativeMeanSquare(variance: q)
        }
        return gaussianMoments(variance: q).sech4
    }

    public func mean(variance q: Double) throws -> Double { 0 }

    /// E[sech^2 z], E[sech^4 z] on the fixed nodes (even integrands: twice the half line).
    private func gaussianMoments(variance q: Double) -> (sech2: Double, sech4: Double) {
        let scale = 2 * Self.inverseSqrtTwoPi / q.squareRoot()
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

    private func fastPathApplies(_ pair: GaussianPair) -> Bool {
        let q = pair.variance
        guard q >= Self.fastPathMinimumVariance else { return false }
        let c = abs(pair.correlation)
        let conditional = conditionalVariance(pair)
        return conditional >= Self.fastPathMinimumConditionalVariance * max(c, 1e-300)
            && conditional >= 1
    }

    /// s^2 = q (1 - c^2) = delta (2 - delta/q), for c >= 0 from the accurate distance.
    private func conditionalVariance(_ pair: GaussianPair) -> Double {
        let oneMinusC = pair.oneMinusCorrelation
        return pair.variance * oneMinusC * (2 - oneMinusC)
    }

    /// (W, D, E[sech^2], E[sech^4]) on the fast path, for c >= 0.
    private func fastPair(_ pair: GaussianPair) -> (cross: Double, difference: Double,
                                                    sech2: Double, sech4: Double) {
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
        for i in 0..<count {
            let x = nodes.x[i], w = nodes.weight[i]
            let g = w * exp(decayQ * nodes.x2[i])
            sech2 += g * nodes.sech2[i]
            sech4 += g * nodes.sech4[i]
            signRemainder += g * nodes.r[i] * erf(erfScale * x)
            scratchA[i] = w * nodes.r[i] * exp(decayS * nodes.x2[i])
            scratchPower[i] = x
        }
        sech2 *= gaussianScale
        sech4 *= gaussianScale
        signRemainder *= gaussianScale

        // E[r r'] = (2 pi q sqrt(1 - c^2))^{-1} sum_{k odd} (c/s^2)^k/k! T_k^2, T_k = 2 sum a_i x_i^k.
        var remainderProduct = 0.0
        if c > 0 {
            let ratio = c / s2
            var coefficient = ratio          // (c/s^2)^k / k!, k = 1
            var k = 1
            while k <= Self.maximumTerms {
                var tk = 0.0
                for i in 0..<count { tk += scratchA[i] * scratchPower[i] }
                tk *= 2
                let term = coefficient * tk * tk
                remainderProduct += term
                if term <= 1e-18 * remainderProduct { break }
                // Advance to k + 2.
                for i in 0..<count { scratchPower[i] *= nodes.x2[i] }
                coefficient *= ratio * ratio / Double((k + 1) * (k + 2))
                k += 2
            }
            let sqrtOneMinusC2 = s / q.squareRoot()
            remainderProduct /= 2 * .pi * q * sqrtOneMinusC2
        }
        let arccos = 2 * asin((0.5 * oneMinusC).squareRoot())
        let arcsin = 0.5 * .pi - arccos
        let cross = (c < 0.5 ? 2 / .pi * asin(c) : 2 / .pi * arcsin) + 2 * signRemainder + remainderProduct
        let difference = 2 / .pi * arccos - sech2 - 2 * signRemainder - remainderProduct
        return (cross, difference, sech2, sech4)
    }

    public func crossMoment(_ pair: GaussianPair) throws -> Double {
        if pair.covariance < 0 { return -(try crossMoment(pair.reflected)) }
        guard fastPathApplies(pair) else { return try general.crossMoment(pair) }
        return fastPair(pair).cross
    }

    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double {
        if pair.distance == 0 { return 0 }
        if pair.covariance < 0 {
            return 2 * (try meanSquare(variance: pair.variance))
                - (try halfSquaredDifference(pair.reflected))
        }
        guard fastPathApplies(pair) else { return try general.halfSquaredDifference(pair) }
        return fastPair(pair).difference
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
        if fastPathApplies(working) {
            let f = fastPair(working)
            let v = 1 - f.sech2
            return LayerMoments(
                meanSquare: v,
                crossMoment: reflect ? -f.cross : f.cross,
                halfSquaredDifference: reflect ? 2 * v - f.difference : f.difference,
                derivativeMeanSquare: f.sech4, mean: 0)
        }
        return try general.layerMoments(pair, needMean: false)
    }
}
