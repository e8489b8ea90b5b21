import Foundation
import MeanFieldCore

/// Residual nets with a bounded odd activation whose transforms at large q are
///   V phi(q) = 1 - kappa q^(-1/2) + O(q^(-3/2)),  V phi'(q) = nu q^(-1/2) + O(q^(-3/2)),
///   W phi(q, c q) -> (2/pi) asin c
/// (THEORY.md section 5). With B = sigma_v^2 + sigma_a^2 (RRN: sigma_v = 1, sigma_a = 0), q^l ~
/// sigma_w^2 B l and summing the per-layer increments (THEORY.md section 6):
///   p^l = B l - a sqrt(l) - b ln l + O(1),  a = 2 kappa sigma_v^2/(sigma_w sqrt B),
///                                          b = kappa^2 sigma_v^4/(sigma_w^2 B^2);
///   ln(chi^0/chi^L) = A sqrt(L) + O(ln L),  A = 2 nu sigma_w sigma_v^2/sqrt(B);
///   e -> e* with B e* = sigma_v^2 (2/pi) asin e* + sigma_a^2, |e - e*| = Theta(l^-delta*),
///   delta* = 1 - (2/pi) sigma_v^2/(B sqrt(1 - e*^2));  s^l ~ 2 B (1 - e*) l.
/// tanh: kappa = sqrt(2/pi), nu = 4/(3 sqrt(2 pi)) (A = (4/3) sqrt(2/pi) sigma_w sigma_v^2/sqrt(B));
/// erf: V = (2/pi) asin(2q/(1+2q)) = 1 - (2/pi) q^(-1/2) + ..., V' = (4/pi)/sqrt(1+4q), so
/// kappa = nu = 2/pi.
enum SaturatingResidualLaws {
    struct Constants {
        let kappa: Double
        let nu: Double
        static let tanh = Constants(kappa: (2 / Double.pi).squareRoot(),
                                    nu: 4 / (3 * (2 * Double.pi).squareRoot()))
        static let erf = Constants(kappa: 2 / Double.pi, nu: 2 / Double.pi)
    }

    static func fill(_ prediction: inout Prediction, constants: Constants) throws {
        let config = prediction.configuration
        let sigmaW = config.sigmaW
        let sigmaV2 = config.effectiveSigmaV * config.effectiveSigmaV
        let sigmaA2 = config.effectiveSigmaA * config.effectiveSigmaA
        let b = sigmaV2 + sigmaA2

        prediction.pLaw = .linear
        prediction.pRate = b
        prediction.pSqrtCoefficient = 2 * constants.kappa * sigmaV2 / (sigmaW * b.squareRoot())
        prediction.pLogCoefficient = constants.kappa * constants.kappa * sigmaV2 * sigmaV2 / (sigmaW * sigmaW * b * b)

        let fixedPoint = try CorrelationFixedPoint.arcsine(sigmaV2: sigmaV2, sigmaA2: sigmaA2)
        prediction.eStar = 1 - fixedPoint.oneMinusE
        prediction.deltaStar = fixedPoint.deltaStar
        prediction.sRate = 2 * b * fixedPoint.oneMinusE

        prediction.chiLaw = .expSqrt
        prediction.chiConstant = 2 * constants.nu * sigmaW * sigmaV2 / b.squareRoot()
        var note = "e - e* ~ C1 l^-delta* + C2 l^-1/2 + C3 l^-1: delta* < 1/2, so a log-log slope at practical depths is biased; fit |e - e*| with the power-corrected law"
        if fixedPoint.oneMinusE < 1 {
            note += " (with e* > 0 the map's curvature adds an l^-(2 delta*) term that law lacks: expect k a few percent high, Docs/asymptotics.md)"
        }
        prediction.notes.append(note)
    }
}
