import Foundation
import MeanFieldNumerics
import MeanFieldTheory

/// The asymptotic constants the figures compare against (THEORY.md section 6).
/// Interim: the `predict` branch's MeanFieldAsymptotics supplies these once merged, and this
/// file goes away.
enum PredictedConstants {
    /// tanh FRN (RRN: sigmaV2 = 1, sigmaA2 = 0): e*, the root in [0, 1) of
    /// B e = sigma_v^2 (2/pi) arcsin(e) + sigma_a^2, and delta* = 1 - (2/pi) sigma_v^2/(B sqrt(1 - e*^2)).
    static func tanhCorrelation(sigmaV2: Double, sigmaA2: Double) throws -> (eStar: Double, deltaStar: Double) {
        let b = sigmaV2 + sigmaA2
        var eStar = 0.0
        if sigmaA2 > 0 {
            // e = 1 is always a root; the other lies where the map falls below the identity.
            let top = 1 - 1e-12
            eStar = try findRoot(in: 0, top) { e in sigmaV2 * (2 / .pi) * asin(e) + sigmaA2 - b * e }
        }
        let deltaStar = 1 - (2 / .pi) * sigmaV2 / (b * (1 - eStar * eStar).squareRoot())
        return (eStar, deltaStar)
    }

    /// tanh residual nets: ln(chi^m/chi^L) ~ A (sqrt L - sqrt m), A = (4/3) sqrt(2/pi) sigma_w sigma_v^2/sqrt(B).
    static func tanhGradientConstant(sigmaW: Double, sigmaV2: Double, sigmaA2: Double) -> Double {
        (4.0 / 3.0) * (2 / Double.pi).squareRoot() * sigmaW * sigmaV2 / (sigmaV2 + sigmaA2).squareRoot()
    }

    /// alpha-ReLU FRN, 1/2 < alpha < 1: e*, the fixed point of J_alpha in [0, 1), and
    /// delta* = (1 - J_alpha'(e*))/(1 - alpha), J_alpha'(c) = alpha^2/(2 alpha - 1) J_(alpha-1)(c).
    static func alphaReLUCorrelation(alpha: Double) throws -> (eStar: Double, deltaStar: Double) {
        precondition(alpha > 0.5 && alpha < 1, "alpha in (1/2, 1)")
        let kernel = try ArcCosineKernel(order: alpha)
        // In u = 1 - e: J(1 - u) - (1 - u) is negative near u = 0 (J'(1) > 1) and J(0) > 0 at u = 1.
        var failure: Error?
        let u = try findRoot(in: 1e-14, 1) { u in
            do {
                let (_, complement) = try kernel.evaluate(oneMinusCorrelation: u)
                return u - complement
            } catch {
                failure = failure ?? error
                return .nan
            }
        }
        if let failure { throw failure }
        let derivative = alpha * alpha / (2 * alpha - 1)
            * (try ArcCosineKernel(order: alpha - 1).evaluate(oneMinusCorrelation: u).value)
        return (1 - u, (1 - derivative) / (1 - alpha))
    }

    /// alpha-ReLU FRN: p ~ l^(1/(1 - alpha)); chi^0/chi^L ~ L^R, R = alpha^2/((1 - alpha)(2 alpha - 1)).
    static func alphaReLULengthExponent(alpha: Double) -> Double { 1 / (1 - alpha) }
    static func alphaReLUGradientExponent(alpha: Double) -> Double { alpha * alpha / ((1 - alpha) * (2 * alpha - 1)) }
}
