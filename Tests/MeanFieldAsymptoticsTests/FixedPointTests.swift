import Foundation
import MeanFieldCore
import MeanFieldTheory
import Testing
@testable import MeanFieldAsymptotics

/// e*, J'(e*) and delta* against mpmath (References/asymptotics_reference.py), and the
/// identities behind them.
@Suite struct FixedPointTests {
    let reference = try! References.load("asymptotics_reference.json")

    /// The root's condition number is 1/|f'(u*)| = 1/(1 - J'(e*)) relative to the complement's
    /// own error (~1e-15 relative): 1 - e* to 1e-14/(1 - J'(e*)) (2e-12 at alpha = 0.99).
    @Test func alphaReLUFixedPointsAgainstMpmath() throws {
        for entry in reference["alpha_relu"]!.arrayValue! {
            let alpha = Double(entry["alpha"]!.stringValue!)!
            let u = References.number(entry["one_minus_e_star"])
            let derivative = References.number(entry["derivative"])
            let deltaStar = References.number(entry["delta_star"])
            let solved = try CorrelationFixedPoint.arcCosine(alpha: alpha)
            let conditioning = 1 / (1 - derivative)
            #expect(relativeError(solved.oneMinusE, u) < 1e-14 * conditioning, "1 - e* at alpha = \(alpha): \(solved.oneMinusE) vs \(u)")
            #expect(relativeError(solved.derivative, derivative) < 1e-12, "J'(e*) at alpha = \(alpha): \(solved.derivative) vs \(derivative)")
            let prediction = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: alpha)))
            // delta* = (1 - J')/(1 - alpha) amplifies J''s error by J'/(1 - J').
            #expect(relativeError(prediction.deltaStar!, deltaStar) < 1e-12 * conditioning,
                    "delta* at alpha = \(alpha): \(prediction.deltaStar!) vs \(deltaStar)")
        }
    }

    /// Both derivative formulas (Price's theorem for a > 1/2, the three-term recurrence for
    /// a <= 1/2) against a Richardson-extrapolated central difference of the kernel, h = 1e-4
    /// and h/2: error h^4 J^(5)/480 + eps/h, below 1e-10 relative here even at 1 - c = 0.02,
    /// where the (1 - c)^(a+1/2) term makes J^(5) ~ 1e7 for a = 0.1; the two formulas agree to
    /// rounding where both apply (a > 1/2).
    @Test func kernelDerivativeIdentities() throws {
        for order in [0.1, 0.3, 0.5, 0.7, 1.0, 1.3] {
            let kernel = try ArcCosineKernel(order: order)
            for u in [0.02, 0.1, 0.5, 1.0, 1.6] {
                func centralDifference(_ h: Double) throws -> Double {
                    (try kernel.evaluate(oneMinusCorrelation: u - h).value
                        - kernel.evaluate(oneMinusCorrelation: u + h).value) / (2 * h)
                }
                let extrapolated = (4 * (try centralDifference(5e-5)) - (try centralDifference(1e-4))) / 3
                let derivative = try CorrelationFixedPoint.derivative(order: order, oneMinusCorrelation: u)
                #expect(relativeError(derivative, extrapolated) < 1e-9, "J_\(order)'(1 - \(u)) = \(derivative) vs \(extrapolated)")
                if order > 0.5 {
                    let recurrence = try CorrelationFixedPoint.derivativeByRecurrence(order: order, oneMinusCorrelation: u)
                    #expect(relativeError(recurrence, derivative) < 1e-12, "a = \(order), 1 - c = \(u): \(recurrence) vs \(derivative)")
                }
            }
        }
    }

    @Test func arcsineFixedPointsAgainstMpmath() throws {
        for entry in reference["arcsine"]!.arrayValue! {
            let sigmaV = Double(entry["sigma_v"]!.stringValue!)!, sigmaA = Double(entry["sigma_a"]!.stringValue!)!
            let solved = try CorrelationFixedPoint.arcsine(sigmaV2: sigmaV * sigmaV, sigmaA2: sigmaA * sigmaA)
            let u = References.number(entry["one_minus_e_star"]), delta = References.number(entry["delta_star"])
            #expect(relativeError(solved.oneMinusE, u) < 1e-13, "1 - e* at sigma_v = \(sigmaV), sigma_a = \(sigmaA): \(solved.oneMinusE) vs \(u)")
            #expect(relativeError(solved.deltaStar, delta) < 1e-13, "delta* at sigma_v = \(sigmaV), sigma_a = \(sigmaA)")
        }
    }

    /// THEORY.md section 6: delta* lies in [1 - 2/pi, 1/2), with 1 - 2/pi for RRN and for
    /// sigma_a = 0; e* solves its equation to rounding.
    @Test func arcsineExponentRange() throws {
        let lower = 1 - 2 / Double.pi
        for sigmaV in [0.2, 0.5, 1, 2, 5] {
            for sigmaA in [0, 0.01, 0.1, 0.5, 1, 2, 10, 100] {
                let (u, delta) = try CorrelationFixedPoint.arcsine(sigmaV2: sigmaV * sigmaV, sigmaA2: sigmaA * sigmaA)
                let e = 1 - u, b = sigmaV * sigmaV + sigmaA * sigmaA
                #expect(abs(b * e - (sigmaV * sigmaV * 2 / .pi * asin(e) + sigmaA * sigmaA)) <= 1e-14 * b)
                #expect(delta >= lower - 1e-15 && delta < 0.5, "delta* = \(delta) at sigma_v = \(sigmaV), sigma_a = \(sigmaA)")
                if sigmaA == 0 { #expect(u == 1 && abs(delta - lower) < 1e-15) }
            }
        }
        let rrn = try AsymptoticPrediction.predict(configuration(.reducedResidual, Tanh(), sigmaW: 1.7, sigmaB: 0.4))
        #expect(rrn.eStar == 0 && abs(rrn.deltaStar! - lower) < 1e-15)
    }

    @Test func reluReducedResidualRateAgainstMpmath() throws {
        for entry in reference["relu_rrn"]!.arrayValue! {
            let sigmaW = Double(entry["sigma_w"]!.stringValue!)!
            let prediction = try AsymptoticPrediction.predict(configuration(.reducedResidual, ReLU(), sigmaW: sigmaW))
            #expect(relativeError(prediction.pRate!, References.number(entry["p_rate"])) < 1e-14, "sigma_w = \(sigmaW)")
        }
    }
}
