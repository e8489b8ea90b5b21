import Foundation
import MeanFieldCore

/// Linear residual nets, exact (V = q, W = lambda, V' = 1 in the recurrences of THEORY.md
/// sections 2-3). With g = sigma_v^2 sigma_w^2 and beta = sigma_v^2 sigma_b^2 + sigma_a^2 (RRN:
/// sigma_v = 1, sigma_a = 0):
///   p^l = (1 + g) p^(l-1) + beta  =>  p^l = (1 + g)^l (p0 + beta/g) - beta/g;
///   p^l - gamma^l = (1 + g)(p^(l-1) - gamma^(l-1))  =>  1 - e^l -> (1 - e0) p0/(p0 + beta/g),
///   with |e - e*| ~ (1 + g)^-l;  chi^(l-1)/chi^l = 1 + g.
enum LinearResidualLaws {
    static func fill(_ prediction: inout Prediction) {
        let config = prediction.configuration
        let sigmaV2 = config.effectiveSigmaV * config.effectiveSigmaV
        let gain = sigmaV2 * config.sigmaW * config.sigmaW
        let beta = sigmaV2 * config.sigmaB * config.sigmaB + config.effectiveSigmaA * config.effectiveSigmaA
        let rate = log1p(gain)
        prediction.pLaw = .exponential
        prediction.pRate = rate
        prediction.pPrefactor = config.p0 + beta / gain
        prediction.chiLaw = .exponential
        prediction.chiRate = rate
        prediction.eStar = 1 - (1 - config.e0) * config.p0 / (config.p0 + beta / gain)
        if beta > 0 {
            prediction.eRate = rate
        }
        prediction.notes.append("linear nets have no attracting correlation: e* depends on the input (p0, e0) and is approached exponentially (e_rate); delta_star does not apply")
    }
}
