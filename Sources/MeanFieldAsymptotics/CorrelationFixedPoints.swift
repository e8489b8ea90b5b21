import Foundation
import MeanFieldNumerics
import MeanFieldTheory

/// The attracting correlations e* of residual nets (THEORY.md section 6) and the slopes of
/// the correlation maps there. Roots come from the GSL bracketing solver (`findRoot`) to full
/// double precision; each is solved in the variable that keeps its digits (1 - e* when e* is
/// close to 1).
public enum CorrelationFixedPoint {
    /// The fixed point of a saturating odd activation (tanh, erf) in an FRN with
    /// B = sigma_v^2 + sigma_a^2: the root in [0, 1) of
    ///   B e* = sigma_v^2 (2/pi) asin(e*) + sigma_a^2,
    /// and delta* = 1 - (2/pi) sigma_v^2 / (B sqrt(1 - e*^2)) (the slope of the map there).
    /// Near e* = 1 the equation is solved for u = 1 - e*: with asin(1 - u) = pi/2 - 2 asin(sqrt(u/2))
    /// and B = sigma_v^2 + sigma_a^2 it reads B u = (4 sigma_v^2/pi) asin(sqrt(u/2)), free of
    /// cancellation. RRN: sigma_v = 1, sigma_a = 0, so e* = 0 and delta* = 1 - 2/pi.
    public static func arcsine(sigmaV2: Double, sigmaA2: Double) throws
        -> (oneMinusE: Double, deltaStar: Double)
    {
        precondition(sigmaV2 > 0, "the arcsine map needs sigma_v > 0")
        let b = sigmaV2 + sigmaA2
        let u: Double
        if sigmaA2 == 0 {
            u = 1                                   // asin(0) = 0: e* = 0 exactly
        } else if b / 2 - sigmaV2 / 3 - sigmaA2 >= 0 {
            // g(1/2) >= 0 (asin(1/2) = pi/6): the root lies in (0, 1/2]; g(0) = -sigma_a^2 < 0.
            // B - (2/pi) sigma_v^2 > 0 keeps g free of cancellation at small e.
            let g: (Double) -> Double = { e in b * e - sigmaV2 * (2 / .pi) * asin(e) - sigmaA2 }
            u = 1 - (try findRoot(in: 0, 0.5, g))
        } else {
            // Root in (1/2, 1): h(u) = (4 sigma_v^2/pi) asin(sqrt(u/2)) - B u, h(1/2) < 0, and
            // h > 0 below 8 sigma_v^4/(pi^2 B^2) (asin x >= x), so half of that brackets it.
            let h: (Double) -> Double = { u in 4 * sigmaV2 / .pi * asin((0.5 * u).squareRoot()) - b * u }
            let lower = max(4 * sigmaV2 * sigmaV2 / (Double.pi * Double.pi * b * b),
                            Double.leastNormalMagnitude)
            u = try findRoot(in: lower, 0.5, h)
        }
        // 1 - e*^2 = u (2 - u).
        let deltaStar = 1 - 2 / Double.pi * sigmaV2 / (b * (u * (2 - u)).squareRoot())
        return (u, deltaStar)
    }

    /// The non-unit fixed point of the arc-cosine kernel J_alpha in [0, 1), 0 < alpha < 1
    /// (alpha-ReLU FRN; THEORY.md section 6), returned as u* = 1 - e*, with J_alpha'(e*).
    /// Solved as 1 - J_alpha(1 - u) = u, the complement evaluated to full relative precision.
    /// J_alpha is convex on [0, 1] (its Taylor coefficients in c are squares), J(0) > 0 and
    /// J'(1) > 1 for alpha < 1, so the root is unique; the bracket is found by halving u from 1.
    public static func arcCosine(alpha: Double) throws -> (oneMinusE: Double, derivative: Double) {
        precondition(alpha > 0 && alpha < 1, "the non-unit fixed point exists for 0 < alpha < 1")
        let kernel = try ArcCosineKernel(order: alpha)
        var failure: Error?
        let f: (Double) -> Double = { u in
            do { return try kernel.evaluate(oneMinusCorrelation: u).complement - u } catch {
                failure = failure ?? error
                return .nan
            }
        }
        var upper = 1.0, lower = 0.5
        while f(lower) <= 0 {
            if let failure { throw failure }
            upper = lower
            lower *= 0.5
            guard lower >= 1e-300 else {
                throw RootFindingError.notBracketed(lower: lower, upper: upper, fLower: f(lower), fUpper: f(upper))
            }
        }
        if let failure { throw failure }
        let u = try findRoot(in: lower, upper, f)
        if let failure { throw failure }
        return (u, try derivative(order: alpha, oneMinusCorrelation: u))
    }

    /// J_a'(c) at c = 1 - oneMinusCorrelation, |c| < 1, without finite differences (THEORY.md
    /// section 4). For a > 1/2 by Price's theorem, J_a' = (a^2/(2a - 1)) J_(a-1). For
    /// 0 < a <= 1/2, J_(a-1) needs an order <= -1/2 that the kernel cannot normalize (c_(a-1) is
    /// infinite), so the recurrence E_(a+1) = a^2 (1 - c^2) E_(a-1) + (2a + 1) c E_a with
    /// E_b = c_b J_b, c_(a+1) = (2a + 1) c_a gives
    ///   J_a'(c) = (2a + 1) (J_(a+1)(c) - c J_a(c)) / (1 - c^2),
    /// evaluated through the complements: J_(a+1) - c J_a = u + (1 - u)(1 - J_a) - (1 - J_(a+1)).
    public static func derivative(order a: Double, oneMinusCorrelation u: Double) throws -> Double {
        precondition(a > 0, "J_a' is needed for a > 0")
        precondition(u > 0 && u < 2, "the derivative is finite for |c| < 1")
        if a > 0.5 {
            let lower = try ArcCosineKernel(order: a - 1)
            return a * a / (2 * a - 1) * (try lower.evaluate(oneMinusCorrelation: u).value)
        }
        return try derivativeByRecurrence(order: a, oneMinusCorrelation: u)
    }

    /// J_a'(c) = (2a + 1)(J_(a+1)(c) - c J_a(c))/(1 - c^2), valid for every a > 0.
    static func derivativeByRecurrence(order a: Double, oneMinusCorrelation u: Double) throws -> Double {
        let complement = try ArcCosineKernel(order: a).evaluate(oneMinusCorrelation: u).complement
        let higherComplement = try ArcCosineKernel(order: a + 1).evaluate(oneMinusCorrelation: u).complement
        return (2 * a + 1) * (u + (1 - u) * complement - higherComplement) / (u * (2 - u))
    }
}
