import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// alpha-ReLU, psi(x) = x^alpha for x > 0 (THEORY.md section 4), ReLU for alpha = 1:
///   V = c_alpha q^alpha,  W = c_alpha q^alpha J_alpha(c),  D = c_alpha q^alpha (1 - J_alpha(c)),
///   M = q^(alpha/2) 2^(alpha/2 - 1) Gamma((alpha+1)/2)/sqrt(pi),
///   V' = alpha^2 c_(alpha-1) q^(alpha-1) (infinite for alpha <= 1/2),
///   E[phi' phi'] = alpha^2 c_(alpha-1) q^(alpha-1) J_(alpha-1)(c),
///   E[phi'' phi] = alpha (alpha-1) c_(alpha-1) q^(alpha-1).
public final class AlphaReLUTransforms: GaussianTransforms {
    public let alpha: Double
    public let activation: any Activation
    private let kernel: ArcCosineKernel
    private let derivativeKernel: ArcCosineKernel?
    private let meanConstant: Double

    public init(alpha: Double) {
        self.alpha = alpha
        activation = alpha == 1 ? ReLU() as any Activation : AlphaReLU(alpha: alpha)
        // Gamma of arguments > 0 cannot fail for alpha in (0, 2].
        kernel = try! ArcCosineKernel(order: alpha)
        derivativeKernel = alpha > 0.5 ? try! ArcCosineKernel(order: alpha - 1) : nil
        meanConstant = exp((0.5 * alpha - 1) * M_LN2
            + (try! SpecialFunctions.logGamma(0.5 * (alpha + 1)))) / Double.pi.squareRoot()
    }

    /// c_alpha.
    public var meanSquareConstant: Double { kernel.meanSquareConstant }

    /// The correlation kernel J_alpha and its complement at c = 1 - oneMinusCorrelation.
    public func correlationKernel(oneMinusCorrelation: Double) throws -> (value: Double, complement: Double) {
        try kernel.evaluate(oneMinusCorrelation: oneMinusCorrelation)
    }

    @inline(__always) private func power(_ q: Double, _ exponent: Double) -> Double {
        exponent == 1 ? q : exp(exponent * log(q))
    }

    public func meanSquare(variance q: Double) throws -> Double {
        q == 0 ? 0 : kernel.meanSquareConstant * power(q, alpha)
    }

    public func derivativeMeanSquare(variance q: Double) throws -> Double {
        guard let derivativeKernel else { return .infinity }
        if q == 0 { return alpha == 1 ? 0.5 : (alpha < 1 ? .infinity : 0) }
        return alpha * alpha * derivativeKernel.meanSquareConstant * power(q, alpha - 1)
    }

    public func mean(variance q: Double) throws -> Double {
        q == 0 ? 0 : meanConstant * power(q, 0.5 * alpha)
    }

    public func crossMoment(_ pair: GaussianPair) throws -> Double {
        let q = pair.variance
        if q == 0 { return 0 }
        let j = try kernel.evaluate(oneMinusCorrelation: pair.oneMinusCorrelation)
        return kernel.meanSquareConstant * power(q, alpha) * j.value
    }

    public func halfSquaredDifference(_ pair: GaussianPair) throws -> Double {
        let q = pair.variance
        if q == 0 || pair.distance == 0 { return 0 }
        let j = try kernel.evaluate(oneMinusCorrelation: pair.oneMinusCorrelation)
        return try halfSquaredDifference(pair, meanSquare: try meanSquare(variance: q), kernel: j)
    }

    private func halfSquaredDifference(_ pair: GaussianPair, meanSquare v: Double,
                                       kernel j: (value: Double, complement: Double)) throws -> Double {
        if pair.distance == 0 || v == 0 { return 0 }
        return v * j.complement
    }

    public func derivativeCrossMoment(_ pair: GaussianPair) throws -> Double {
        guard let derivativeKernel else { return .infinity }
        let q = pair.variance
        let j = try derivativeKernel.evaluate(oneMinusCorrelation: pair.oneMinusCorrelation)
        return alpha * alpha * derivativeKernel.meanSquareConstant * power(q, alpha - 1) * j.value
    }

    public func secondDerivativeMoment(variance q: Double) throws -> Double? {
        guard let derivativeKernel else { return nil }
        return alpha * (alpha - 1) * derivativeKernel.meanSquareConstant * power(q, alpha - 1)
    }

    public func layerMoments(_ pair: GaussianPair, needMean: Bool) throws -> LayerMoments {
        let q = pair.variance
        let v = try meanSquare(variance: q)
        let j = try kernel.evaluate(oneMinusCorrelation: pair.oneMinusCorrelation)
        return LayerMoments(
            meanSquare: v, crossMoment: v * j.value,
            halfSquaredDifference: try halfSquaredDifference(pair, meanSquare: v, kernel: j),
            derivativeMeanSquare: try derivativeMeanSquare(variance: q),
            mean: needMean ? try mean(variance: q) : 0)
    }
}
