import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// The general path: Gaussian transforms of any activation by adaptive GSL quadrature in the
/// physical variable (THEORY.md section 5). Plain Gauss–Hermite in the standardized variable
/// fails once q is large (the activation's features shrink to a sliver of the Gaussian), so
/// every integral is split at the activation's kinks and feature points and at multiples of
/// the Gaussian scale, and each piece goes to QAGP. Two-dimensional expectations use the
/// independent coordinates m = (z + z')/2, w = (z - z')/2 (Var m = q - delta/2,
/// Var w = delta/2): the inner integral over w stays well resolved however close z and z'
/// are, and phi(m + w) - phi(m - w) is formed by `Activation.difference(midpoint:halfWidth:)`
/// from the exact half-width, without cancellation.
public final class QuadratureTransforms: GaussianTransforms {
    public let activation: any Activation
    /// Gaussian tails are cut at this many standard deviations (e^-72 ~ 5e-32 of the mass,
    /// far below double precision even for activations growing like |x|^2).
    static let tailCut = 12.0
    /// Relative tolerances: outer (and one-dimensional) integrals, and the inner integrals of
    /// two-dimensional ones. The inner must be well below the outer, or the outer integrand's
    /// noise stalls the outer refinement.
    public static let defaultOuterTolerance = 1e-12
    public static let defaultInnerTolerance = 5e-14

    private let outer: AdaptiveIntegrator
    private let inner: AdaptiveIntegrator
    private let featurePoints: [Double]

    public init(activation: any Activation, outerTolerance: Double = defaultOuterTolerance,
                innerTolerance: Double = defaultInnerTolerance, rule: KronrodRule = .gauss21) {
        self.activation = activation
        outer = AdaptiveIntegrator(relativeTolerance: outerTolerance, rule: rule)
        inner = AdaptiveIntegrator(relativeTolerance: innerTolerance, rule: rule)
        // The inner tolerance sits 20x below the outer one; an inner integral that roundoff
        // (kinks of x^alpha) stops within 10x of its tolerance is still well below the outer.
        inner.acceptanceFactor = 10
        let scale = activation.featureScale
        var points = activation.kinks + [0]
        for multiple in [0.5, 2, 8, 32] { points += [-multiple * scale, multiple * scale] }
        featurePoints = points
    }

    private static let inverseSqrtTwoPi = 1 / (2 * Double.pi).squareRoot()

    @inline(__always)
    static func gaussianDensity(_ x: Double, standardDeviation sd: Double) -> Double {
        let u = x / sd
        return exp(-0.5 * u * u) * inverseSqrtTwoPi / sd
    }

    /// Sorted breakpoints in [lower, upper]: the end points, activation feature points
    /// (shifted by `shift` and mirrored when `mirror`), and Gaussian scale points.
    private func breakpoints(lower: Double, upper: Double, standardDeviation sd: Double,
                             features: [Double]) -> [Double] {
        var points = [lower, upper]
        for x in features where x > lower && x < upper { points.append(x) }
        for multiple in [1.0, 3, 6] {
            for x in [-multiple * sd, multiple * sd] where x > lower && x < upper {
                points.append(x)
            }
        }
        points.sort()
        var unique: [Double] = [points[0]]
        let minimumGap = (upper - lower) * 1e-12
        for x in points.dropFirst() where x - unique.last! > minimumGap { unique.append(x) }
        if unique.last! < upper { unique[unique.count - 1] = upper }
        return unique
    }

    /// E[f(z)], z ~ N(0, q). `even`: f is even, integrate over z >= 0 only.
    private func expectation(variance q: Double, even: Bool, absoluteTolerance: Double = 0,
                             extraBreakpoints: [Double] = [],
                             _ f: (Double) -> Double) throws -> Double {
        if q == 0 { return f(0) }
        let sd = q.squareRoot()
        let cut = Self.tailCut * sd
        let points = breakpoints(lower: even ? 0 : -cut, upper: cut, standardDeviation: sd,
                                 features: featurePoints + extraBreakpoints)
        outer.absoluteTolerance = absoluteTolerance
        let result = try outer.integrate(
            breakpoints: points, context: "\(activation.name), q = \(q)"
        ) { x in f(x) * Self.gaussianDensity(x, standardDeviation: sd) }
        return even ? 2 * result.value : result.value
    }

    /// E[g(m, w)] over independent m ~ N(0, q - delta/2), w ~ N(0, delta/2), for g even in w
    /// (and in m when `evenInM`). Nested QAGP: outer over m, inner over w >= 0.
    private func pairExpectation(_ pair: GaussianPair, evenInM: Bool, absoluteTolerance: Double,
                                 _ g: @escaping (Double, Double) -> Double) throws -> Double {
        let sdM = max(pair.variance - 0.5 * pair.distance, 0).squareRoot()
        let sdW = (0.5 * pair.distance).squareRoot()
        if sdW == 0 {
            return try expectation(variance: sdM * sdM, even: evenInM,
                                   absoluteTolerance: absoluteTolerance) { m in g(m, 0) }
        }
        let cutW = Self.tailCut * sdW
        var innerError: Error? = nil
        let innerExpectation: (Double) -> Double = { [inner, featurePoints] m in
            // Where m + w or m - w crosses a feature point of phi.
            let shifted = featurePoints.map { abs($0 - m) }
            let points = self.breakpoints(lower: 0, upper: cutW, standardDeviation: sdW,
                                          features: shifted)
            inner.absoluteTolerance = absoluteTolerance * 1e-2
            do {
                let result = try inner.integrate(
                    breakpoints: points, context: "\(self.activation.name), inner at m = \(m)"
                ) { w in g(m, w) * Self.gaussianDensity(w, standardDeviation: sdW) }
                return 2 * result.value
            } catch {
                innerError = innerError ?? error
                return 0
            }
        }
        // Around a kink the outer integrand changes on the scale sdW (e.g. (psi(m+w) -
        // psi(m-w))^2 ~ w^2/m for sqrt), so the outer integral also splits there, on a
        // geometric grid from sdW up to the feature scale.
        var kinkPoints: [Double] = []
        for kink in activation.kinks {
            var offset = sdW
            while offset < activation.featureScale {
                kinkPoints += [kink - offset, kink + offset]
                offset *= 8
            }
        }
        let value: Double
        if sdM == 0 {
            value = innerExpectation(0)
        } else {
            value = try expectation(variance: sdM * sdM, even: evenInM,
                                    absoluteTolerance: absoluteTolerance,
                                    extraBreakpoints: kinkPoints, innerExpectation)
        }
        if let innerError { throw innerError }
        return value
    }

    public func meanSquare(variance q: Double) throws -> Double {
        let phi = activation
        return try expectation(variance: q, even: phi.isOdd) { x in
            let y = phi.value(x)
            return y * y
        }
    }

    public func derivativeMeanSquare(variance q: Double) throws -> Double {
        let phi = activation
        return try expectation(variance: q, even: phi.isOdd) { x in
            let y = phi.derivative(x)
            return y * y
        }
    }

    public func mean(variance q: Double) throws -> Double {
        if activation.isOdd { return 0 }
        let phi = activation
        let scale = try meanSquare(variance: q).squareRoot()
        return try expectation(variance: q, even: false, absoluteTolerance: 1e-16 * scale) {
            phi.value($0)
        }
    }

    public func crossMoment(_ pair: GaussianPair) throws -> Double {
        try crossMoment(pair, meanSquare: try meanSquare(variance: pair.variance))
    }

    private func crossMoment(_ pair: GaussianPair, meanSquare: Double) throws -> Double {
        let phi = activation
        if phi.isOdd && pair.covariance < 0 {
            // W(q, lambda) = -W(q, -lambda) for odd phi: keep the nested integral at c >= 0.
            return -(try crossMoment(pair.reflected, meanSquare: meanSquare))
        }
        return try pairExpectation(pair, evenInM: phi.isOdd,
                                   absoluteTolerance: 1e-16 * meanSquare) { m, w in
            phi.value(m + w) * phi.value(m - w)
        }
    }

    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double {
        try halfSquaredDifference(pair, meanSquare: try meanSquare(variance: pair.variance))
    }

    private func halfSquaredDifference(_ pair: GaussianPair, meanSquare: Double) throws -> Double {
        if pair.distance == 0 { return 0 }
        let phi = activation
        if phi.isOdd && pair.covariance < 0 {
            // D = V - W = V + W(q, -lambda) = 2V - D(reflected), no cancellation for c < 0.
            return 2 * meanSquare - (try halfSquaredDifference(pair.reflected, meanSquare: meanSquare))
        }
        return try pairExpectation(pair, evenInM: phi.isOdd,
                                   absoluteTolerance: 1e-17 * meanSquare * pair.oneMinusCorrelation) { m, w in
            let d = phi.difference(midpoint: m, halfWidth: w)
            return 0.5 * d * d
        }
    }

    public func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double {
        let phi = activation
        let scale = try derivativeMeanSquare(variance: pair.variance)
        if phi.isOdd && pair.covariance < 0 {
            // phi' is even for odd phi, so E[phi'(z) phi'(z')] is even in lambda.
            return try derivativeCrossMoment(pair.reflected)
        }
        return try pairExpectation(pair, evenInM: phi.isOdd,
                                   absoluteTolerance: 1e-16 * scale) { m, w in
            phi.derivative(m + w) * phi.derivative(m - w)
        }
    }

    public func secondDerivativeMoment(variance q: Double) throws -> Double? {
        let phi = activation
        guard phi.secondDerivative(0) != nil else { return nil }
        let scale = try meanSquare(variance: q)
        return try expectation(variance: q, even: phi.isOdd, absoluteTolerance: 1e-16 * scale) {
            (phi.secondDerivative($0) ?? 0) * phi.value($0)
        }
    }

    public func layerMoments(_ pair: GaussianPair, needMean: Bool) throws -> LayerMoments {
        let v = try meanSquare(variance: pair.variance)
        return LayerMoments(
            meanSquare: v,
            crossMoment: try crossMoment(pair, meanSquare: v),
            halfSquaredDifference: try halfSquaredDifference(pair, meanSquare: v),
            derivativeMeanSquare: try derivativeMeanSquare(variance: pair.variance),
            mean: needMean ? try mean(variance: pair.variance) : 0)
    }
}
