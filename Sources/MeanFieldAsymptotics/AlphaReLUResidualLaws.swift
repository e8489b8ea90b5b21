import Foundation
import MeanFieldCore
import MeanFieldNumerics
import MeanFieldTheory

/// alpha-ReLU residual nets, psi(x) = x^alpha for x > 0 (ReLU: alpha = 1). V psi(q) = c_alpha q^alpha,
/// W psi(q, c q) = c_alpha q^alpha J_alpha(c), V psi'(q) = alpha^2 c_(alpha-1) q^(alpha-1),
/// M psi(q) = m_alpha q^(alpha/2) (THEORY.md section 4).
enum AlphaReLUResidualLaws {
    static func fill(_ prediction: inout Prediction, alpha: Double) throws {
        if alpha > 1 {
            try fillBlowup(&prediction)
            return
        }
        switch (prediction.configuration.architecture, alpha == 1) {
        case (.fullResidual, false): try fillFullResidual(&prediction, alpha: alpha)
        case (.fullResidual, true): fillReLUFullResidual(&prediction)
        case (_, false): try fillReducedResidual(&prediction, alpha: alpha)
        case (_, true): try fillReLUReducedResidual(&prediction)
        }
    }

    static func undefinedGradientNote(alpha: Double) -> String {
        "alpha = \(alpha) <= 1/2: V phi' = E[psi'(z)^2] is infinite, so the mean-field gradient chi does not exist (THEORY.md section 4)"
    }

    private static func addGradientVarianceNote(_ prediction: inout Prediction, alpha: Double) {
        if alpha > 0.5 && alpha <= 0.75 {
            prediction.notes.append("alpha = \(alpha) <= 3/4: chi is finite but the gradient's variance across networks is infinite, so finite-width estimates of chi converge slowly")
        }
    }

    /// FRN, 0 < alpha < 1 (THEORY.md section 6), K = sigma_v^2 c_alpha sigma_w^(2 alpha):
    /// - dp/dl = K p^alpha  =>  p ~ ((1 - alpha) K l)^(1/(1 - alpha)).
    /// - de/dl = K p^(alpha-1) (J(e) - e) = (J(e) - e)/((1 - alpha) l): e -> e*, the non-unit root
    ///   of J(e) = e, at the rate delta* = (1 - J'(e*))/(1 - alpha).
    /// - sigma_a > 0 adds sigma_a^2 (1 - e)/p ~ l^(-1/(1-alpha)) to de/dl, which forces
    ///   e - e* ~ F l^(-alpha/(1-alpha)), F = sigma_a^2 (1 - e*)/(P (delta* - alpha/(1-alpha)));
    ///   that term wins where alpha/(1 - alpha) < delta* (alpha below 0.2648), so the
    ///   observed exponent is the smaller of the two [found here; THEORY.md says "independent of
    ///   the sigmas"; Docs/asymptotics.md has the evidence].
    /// - chi^(l-1)/chi^l = 1 + sigma_v^2 sigma_w^2 alpha^2 c_(alpha-1) q^(alpha-1) = 1 + R/l + ...,
    ///   c_(alpha-1)/c_alpha = 1/(2 alpha - 1), so chi^0/chi^L ~ L^R, R = alpha^2/((1-alpha)(2 alpha - 1)).
    private static func fillFullResidual(_ prediction: inout Prediction, alpha: Double) throws {
        let config = prediction.configuration
        let meanSquareConstant = try ArcCosineKernel.meanSquareConstant(order: alpha)
        let k = config.sigmaV * config.sigmaV * meanSquareConstant * pow(config.sigmaW, 2 * alpha)
        prediction.pLaw = .power
        prediction.pExponent = 1 / (1 - alpha)
        prediction.pPrefactor = pow((1 - alpha) * k, 1 / (1 - alpha))

        let fixedPoint = try CorrelationFixedPoint.arcCosine(alpha: alpha)
        prediction.eStar = 1 - fixedPoint.oneMinusE
        let unforced = (1 - fixedPoint.derivative) / (1 - alpha)
        let forced = alpha / (1 - alpha)
        if config.sigmaA > 0 && forced < unforced {
            prediction.deltaStar = forced
            prediction.deltaStarUnforced = unforced
            // Slaved amplitude of the forced term: x' = -(delta_u/l) x + sigma_a^2 (1 - e*)/(P l^(1/(1-alpha))).
            let amplitude = config.sigmaA * config.sigmaA * fixedPoint.oneMinusE / (prediction.pPrefactor! * (unforced - forced))
            prediction.notes.append("sigma_a > 0 forces e - e* ~ F l^-(alpha/(1-alpha)) = \(noteNumber(amplitude)) l^-\(noteNumber(forced)), slower than the map's own l^-\(noteNumber(unforced)) (delta_star_unforced), which holds for sigma_a = 0 and for the difference of two trajectories; relative corrections are of order sigma_a^2/(K p^alpha), so the forced exponent emerges slowly (Docs/asymptotics.md)")
        } else {
            prediction.deltaStar = unforced
        }

        // The l^-delta* law is the linearized map: it needs |e - e*| << 1 - e*, reached from e0
        // after about (|e0 - e*|/(1 - e*))^(1/delta*) layers, astronomically many near alpha = 1.
        let linearRegime = pow(abs(config.e0 - (1 - fixedPoint.oneMinusE)) / fixedPoint.oneMinusE,
                               1 / prediction.deltaStar!)
        if linearRegime > 1e6 && config.e0 < 1 {
            prediction.notes.append("1 - e* = \(noteNumber(fixedPoint.oneMinusE)) is small against |e0 - e*|: e approaches e* nonlinearly for roughly \(noteNumber(linearRegime)) layers before the l^-delta* law applies")
        }

        if alpha > 0.5 {
            prediction.chiLaw = .power
            prediction.chiExponent = alpha * alpha / ((1 - alpha) * (2 * alpha - 1))
            addGradientVarianceNote(&prediction, alpha: alpha)
        } else {
            prediction.chiLaw = .undefined
            prediction.notes.append(undefinedGradientNote(alpha: alpha))
        }
    }

    /// ReLU FRN (THEORY.md section 6), r = sigma_v^2 sigma_w^2/2, beta = sigma_v^2 sigma_b^2/2 + sigma_a^2:
    /// p^l = (1 + r)^l (p0 + beta/r) - beta/r and chi^(l-1)/chi^l = 1 + r exactly;
    /// 1 - J_1(1 - eps) = eps - (2 sqrt 2/(3 pi)) eps^(3/2) + ... gives
    /// eps_l = eps - (r/(1+r)) (2 sqrt 2/(3 pi)) eps^(3/2), so 1 - e ~ C l^-2 with
    /// C = (9 pi^2/2)(1 + 1/r)^2 = (9 pi^2/2)(1 + 2/(sigma_v^2 sigma_w^2))^2.
    private static func fillReLUFullResidual(_ prediction: inout Prediction) {
        let config = prediction.configuration
        let r = config.sigmaV * config.sigmaV * config.sigmaW * config.sigmaW / 2
        let beta = config.sigmaV * config.sigmaV * config.sigmaB * config.sigmaB / 2
            + config.sigmaA * config.sigmaA
        prediction.pLaw = .exponential
        prediction.pRate = log1p(r)
        prediction.pPrefactor = config.p0 + beta / r
        prediction.chiLaw = .exponential
        prediction.chiRate = log1p(r)
        prediction.eStar = 1
        prediction.deltaStar = 2
        prediction.oneMinusEExponent = 2
        prediction.oneMinusEConstant = 9 * Double.pi * Double.pi / 2 * (1 + 1 / r) * (1 + 1 / r)
        prediction.notes.append("chi_W and chi_V are constant in l up to exponentially small terms: the gradient norm of the parameters is preserved across layers")
    }

    /// alpha-ReLU RRN, 0 < alpha < 1 [X, derived here; THEORY.md section 2 gives the recurrence
    /// with the mean term 2 mu m]. The mean term dominates: with mu = m_alpha q^(alpha/2),
    /// m^l = m^(l-1) + mu^l and p ~ P l^k, the balance dp/dl = 2 mu m gives k = 2/(1 - alpha),
    /// P = (m_alpha sigma_w^alpha (1 - alpha))^(2/(1-alpha)); V psi adds a relative O(1/l).
    /// The mean term enters p and gamma alike, and d = p - gamma grows by
    /// c_alpha q^alpha (1 - J(c)) ~ p^(alpha-1) d (alpha > 1/2; p^(-1/2) d^(alpha+1/2) below), a
    /// summable rate: d -> d_inf, so e -> 1 with 1 - e ~ (d_inf/P) l^-k (d_inf depends on the
    /// whole transient: no closed form). chi^(l-1)/chi^l = 1 + O(q^(alpha-1)) = 1 + O(l^-2): a
    /// convergent product, chi^0/chi^L tends to a finite limit (power law with exponent 0).
    private static func fillReducedResidual(_ prediction: inout Prediction, alpha: Double) throws {
        let config = prediction.configuration
        let meanConstant = try AlphaReLUTransforms(alpha: alpha).mean(variance: 1)
        let exponent = 2 / (1 - alpha)
        prediction.pLaw = .power
        prediction.pExponent = exponent
        prediction.pPrefactor = pow(meanConstant * pow(config.sigmaW, alpha) * (1 - alpha), exponent)
        prediction.eStar = 1
        prediction.deltaStar = exponent
        prediction.oneMinusEExponent = exponent
        prediction.notes.append("RRN with a non-odd activation: the mean term 2 mu m dominates (Docs/asymptotics.md); p ~ l^(2/(1-alpha)), e -> 1, and 1 - e ~ C l^-(2/(1-alpha)) with C set by the transient (no closed form: one_minus_e_constant omitted; s^l tends to a constant)")
        if alpha > 0.5 {
            prediction.chiLaw = .power
            prediction.chiExponent = 0
            prediction.notes.append("chi^(l-1)/chi^l = 1 + O(l^-2): chi^0/chi^L tends to a finite limit (chi_exponent = 0)")
            addGradientVarianceNote(&prediction, alpha: alpha)
        } else {
            prediction.chiLaw = .undefined
            prediction.notes.append(undefinedGradientNote(alpha: alpha))
        }
    }

    /// ReLU RRN [X, derived here]. With m = M sqrt(p) and mu = sigma_w sqrt(p/(2 pi)) at great depth,
    /// p^l/p^(l-1) -> lambda = 1 + sigma_w^2/2 + sigma_w^2/(pi (sqrt(lambda) - 1)), i.e. s = sqrt(lambda)
    /// is the root above sqrt(1 + sigma_w^2/2) of (s^2 - 1 - sigma_w^2/2)(s - 1) = sigma_w^2/pi.
    /// d = p - gamma grows by the factor 1 + sigma_w^2/2 (1 - J_1 ~ 1 - c), so
    /// 1 - e ~ exp(-l ln(lambda/(1 + sigma_w^2/2))); chi^(l-1)/chi^l = 1 + sigma_w^2/2 exactly.
    private static func fillReLUReducedResidual(_ prediction: inout Prediction) throws {
        let config = prediction.configuration
        let sigmaW2 = config.sigmaW * config.sigmaW
        let branchGain = 1 + sigmaW2 / 2
        let lowerRoot = branchGain.squareRoot()
        let cubic: (Double) -> Double = { s in (s * s - branchGain) * (s - 1) - sigmaW2 / .pi }
        // cubic(lowerRoot) = -sigma_w^2/pi < 0; it increases above, so widen until positive.
        var upper = lowerRoot + 1
        while cubic(upper) <= 0 { upper *= 2 }
        let s = try findRoot(in: lowerRoot, upper, cubic)
        prediction.pLaw = .exponential
        prediction.pRate = 2 * log(s)
        prediction.chiLaw = .exponential
        prediction.chiRate = log1p(sigmaW2 / 2)
        prediction.eStar = 1
        prediction.eRate = 2 * log(s) - log1p(sigmaW2 / 2)
        prediction.notes.append("RRN with ReLU: the mean term 2 mu m makes p grow faster than the residual branch (rate 2 ln s, Docs/asymptotics.md), so 1 - e decays exponentially (e_rate); p_prefactor depends on the transient (omitted)")
    }

    /// alpha > 1: dp/dl = K p^alpha with alpha > 1 reaches infinity at a finite depth; the engine
    /// says where values leave the double range.
    static func fillBlowup(_ prediction: inout Prediction) throws {
        prediction.pLaw = .blowup
        prediction.chiLaw = .blowup
        if let failure = try BlowupSearch.firstUnrepresentableLayer(prediction.configuration) {
            prediction.pBlowupLayer = failure.layer
            prediction.notes.append("values leave the double range at layer \(failure.layer) (\(failure.quantity) \(failure.reason)); theory rows 0...\(failure.layer - 1) are representable; chi has no law in the depth")
        } else {
            prediction.notes.append("p stays in the double range through layer \(BlowupSearch.depthLimit) (the search limit); it still blows up at a finite depth")
        }
    }
}
