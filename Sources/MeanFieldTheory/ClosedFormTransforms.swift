import Foundation
import MeanFieldCore

/// erf: closed forms (THEORY.md section 5). With x = 2q/(1+2q), y = 2 lambda/(1+2q):
/// V = (2/pi) asin x, W = (2/pi) asin y, V' = (4/pi)/sqrt(1+4q).
public final class ErfTransforms: GaussianTransforms {
    public let activation: any Activation = Erf()
    public init() {}

    public func meanSquare(variance q: Double) throws -> Double {
        2 / .pi * asin(2 * q / (1 + 2 * q))
    }

    public func derivativeMeanSquare(variance q: Double) throws -> Double {
        4 / .pi / (1 + 4 * q).squareRoot()
    }

    public func mean(variance q: Double) throws -> Double { 0 }

    public func crossMoment(_ pair: GaussianPair) throws -> Double {
        2 / .pi * asin(2 * pair.covariance / (1 + 2 * pair.variance))
    }

    /// (2/pi)(asin x - asin y) as the angle atan2(sin(ax - ay), cos(ax - ay)), with
    /// x - y = 2 delta/(1+2q) and 1 - y^2 = (1 + 2 delta)(1 + 2q + 2 lambda)/(1+2q)^2 in
    /// factored form, so nothing cancels when lambda is close to q.
    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double {
        let q = pair.variance, lambda = pair.covariance, delta = pair.distance
        if delta == 0 { return 0 }
        let n = 1 + 2 * q
        let x = 2 * q / n, y = 2 * lambda / n
        let cosX = (1 + 4 * q).squareRoot() / n                      // sqrt(1 - x^2)
        let cosY = ((1 + 2 * delta) * (1 + 2 * q + 2 * lambda)).squareRoot() / n
        let sine: Double                                              // sin(asin x - asin y)
        if y > 0 {
            sine = (2 * delta / n) * (x + y) / (x * cosY + y * cosX)
        } else {
            sine = x * cosY - y * cosX
        }
        let cosine = cosX * cosY + x * y
        return 2 / .pi * atan2(sine, cosine)
    }

    /// E[erf'(z) erf'(z')] = (4/pi) / sqrt((1+2q)^2 - 4 lambda^2).
    public func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double {
        let q = pair.variance, lambda = pair.covariance
        return 4 / .pi / ((1 + 2 * pair.distance) * (1 + 2 * q + 2 * lambda)).squareRoot()
    }

    /// Stein's lemma with phi'' = -2 z phi': E[phi'' phi] = -2q V'(q) / (1 + 2q).
    public func secondDerivativeMoment(variance q: Double) throws -> Double? {
        -2 * q * (try derivativeMeanSquare(variance: q)) / (1 + 2 * q)
    }
}

/// The identity: V = q, W = lambda, D = delta, V' = 1.
public final class LinearTransforms: GaussianTransforms {
    public let activation: any Activation = Linear()
    public init() {}
    public func meanSquare(variance q: Double) throws -> Double { q }
    public func derivativeMeanSquare(variance q: Double) throws -> Double { 1 }
    public func mean(variance q: Double) throws -> Double { 0 }
    public func crossMoment(_ pair: GaussianPair) throws -> Double { pair.covariance }
    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double { pair.distance }
    public func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double { 1 }
    public func secondDerivativeMoment(variance q: Double) throws -> Double? { 0 }
}
