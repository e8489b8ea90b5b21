import Foundation
import MeanFieldAsymptotics
import MeanFieldCore

/// The asymptotic constants the figures compare against (THEORY.md section 6), taken from
/// MeanFieldAsymptotics (what `predict` reports), so a figure and `predict` cannot disagree.
enum PredictedConstants {
    /// tanh FRN (RRN: sigmaV2 = 1, sigmaA2 = 0): e*, the root in [0, 1) of
    /// B e = sigma_v^2 (2/pi) arcsin(e) + sigma_a^2, and delta* = 1 - (2/pi) sigma_v^2/(B sqrt(1 - e*^2)).
    static func tanhCorrelation(sigmaV2: Double, sigmaA2: Double) throws -> (eStar: Double, deltaStar: Double) {
        let root = try CorrelationFixedPoint.arcsine(sigmaV2: sigmaV2, sigmaA2: sigmaA2)
        return (1 - root.oneMinusE, root.deltaStar)
    }

    /// tanh residual nets: ln(chi^m/chi^L) ~ A (sqrt L - sqrt m), A = (4/3) sqrt(2/pi) sigma_w sigma_v^2/sqrt(B).
    static func tanhGradientConstant(sigmaW: Double, sigmaV2: Double, sigmaA2: Double) throws -> Double {
        let configuration = NetworkConfiguration(
            architecture: .fullResidual, activation: Tanh(), sigmaW: sigmaW,
            sigmaV: sigmaV2.squareRoot(), sigmaA: sigmaA2.squareRoot(), depth: 1)
        return try required(AsymptoticPrediction.predict(configuration).chiConstant, "chi_constant")
    }

    /// alpha-ReLU FRN, 1/2 < alpha < 1: e*, the fixed point of J_alpha in [0, 1), and the
    /// exponent of the linearized map, delta* = (1 - J_alpha'(e*))/(1 - alpha).
    static func alphaReLUCorrelation(alpha: Double) throws -> (eStar: Double, deltaStar: Double) {
        let prediction = try alphaReLUPrediction(alpha: alpha)
        return (try required(prediction.eStar, "e_star"),
                try required(prediction.deltaStarUnforced ?? prediction.deltaStar, "delta_star"))
    }

    /// alpha-ReLU FRN: p ~ l^(1/(1 - alpha)).
    static func alphaReLULengthExponent(alpha: Double) throws -> Double {
        try required(alphaReLUPrediction(alpha: alpha).pExponent, "p_exponent")
    }

    /// alpha-ReLU FRN: chi^0/chi^L ~ L^R, R = alpha^2/((1 - alpha)(2 alpha - 1)).
    static func alphaReLUGradientExponent(alpha: Double) throws -> Double {
        try required(alphaReLUPrediction(alpha: alpha).chiExponent, "chi_exponent")
    }

    private static func alphaReLUPrediction(alpha: Double) throws -> Prediction {
        precondition(alpha > 0.5 && alpha < 1, "alpha in (1/2, 1)")
        let configuration = NetworkConfiguration(
            architecture: .fullResidual, activation: AlphaReLU(alpha: alpha), depth: 1)
        return try AsymptoticPrediction.predict(configuration)
    }

    private static func required(_ value: Double?, _ key: String) throws -> Double {
        guard let value else { throw MissingPrediction(key: key) }
        return value
    }
}

/// `predict` has no value for a constant a figure needs (a programming error in the figure).
struct MissingPrediction: Error, CustomStringConvertible {
    let key: String
    var description: String { "the asymptotic prediction has no \(key) for this network" }
}
