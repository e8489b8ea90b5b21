import MeanFieldCore
import MeanFieldTheory

/// How p^l behaves at great depth (shared/CLI.md `predict`, `p_law`).
public enum LengthLaw: String, Sendable, CaseIterable {
    /// p ~ p_rate l (tanh, erf residual nets; THEORY.md section 6).
    case linear
    /// p ~ p_prefactor l^p_exponent (alpha-ReLU, alpha < 1).
    case power
    /// p ~ p_prefactor exp(p_rate l) (ReLU and linear residual nets; FF with unbounded q).
    case exponential
    /// p leaves the double range at a finite layer (alpha > 1): `p_blowup_layer`.
    case blowup
    /// p^l -> p_star (vanilla FF with a finite q*; THEORY.md section 7).
    case fixedPoint = "fixed-point"
}

/// How the gradient ratio chi^0/chi^L grows with the depth L (shared/CLI.md, `chi_law`).
public enum GradientLaw: String, Sendable, CaseIterable {
    /// ln(chi^0/chi^L) ~ chi_constant sqrt(L) (tanh, erf residual nets).
    case expSqrt = "exp-sqrt"
    /// chi^0/chi^L ~ L^chi_exponent (alpha-ReLU; exponent 0: a finite limit).
    case power
    /// ln(chi^0/chi^L) ~ chi_rate L (ReLU and linear residual nets, FF).
    case exponential
    /// The mean-field chi does not exist: V phi' is infinite (alpha-ReLU, alpha <= 1/2).
    case undefined
    /// The forward pass blows up at a finite layer (alpha > 1); no law in L.
    case blowup
}

/// One reported value of a prediction.
public enum PredictionValue: Sendable, Equatable {
    case number(Double)
    case integer(Int)
    case text(String)
}

/// The asymptotic laws and constants of one configuration (THEORY.md sections 6-7). A value
/// that does not apply to the configuration is nil; `notes` say why where that is not obvious.
public struct Prediction: Sendable {
    public let configuration: NetworkConfiguration

    // Correlation: e^l -> eStar, |e^l - eStar| = Theta(l^-deltaStar).
    public var eStar: Double?
    public var deltaStar: Double?
    /// The exponent of the linearized correlation map alone, (1 - J'(e*))/(1 - alpha) for
    /// alpha-ReLU FRN; set only when it is not the observed `deltaStar` (sigma_a forcing).
    public var deltaStarUnforced: Double?
    /// |e - e*| ~ exp(-eRate l): exponential convergence (linear nets, ReLU RRN).
    public var eRate: Double?
    /// 1 - e ~ oneMinusEConstant l^-oneMinusEExponent when e* = 1.
    public var oneMinusEExponent: Double?
    public var oneMinusEConstant: Double?
    /// s^l ~ sRate l (tanh, erf: s_rate = 2 B (1 - e*)).
    public var sRate: Double?

    // Length.
    public var pLaw: LengthLaw?
    /// linear: the slope B; exponential: the per-layer rate of ln p.
    public var pRate: Double?
    public var pExponent: Double?
    /// power: p ~ pPrefactor l^pExponent; exponential: p ~ pPrefactor exp(pRate l).
    public var pPrefactor: Double?
    /// linear law with corrections: p = pRate l - pSqrtCoefficient sqrt(l) - pLogCoefficient ln l + O(1).
    public var pSqrtCoefficient: Double?
    public var pLogCoefficient: Double?
    /// fixed-point law: the limit of p^l.
    public var pStar: Double?
    /// blowup law: the first layer whose values leave the double range (found by running the
    /// engine; rows 0..<pBlowupLayer of `theory` are representable).
    public var pBlowupLayer: Int?

    // Gradients: chi^0/chi^L.
    public var chiLaw: GradientLaw?
    public var chiConstant: Double?
    public var chiExponent: Double?
    /// ln(chi^0/chi^L) / L as L -> infinity (ln chi_1 for FF).
    public var chiRate: Double?

    // Vanilla FF fixed point (THEORY.md section 7).
    public var qStar: Double?
    public var cStar: Double?
    public var chi1: Double?
    public var chiC: Double?
    public var xiQ: Double?
    public var xiC: Double?
    public var phase: FeedforwardPhase?

    public var notes: [String] = []

    public init(configuration: NetworkConfiguration) {
        self.configuration = configuration
    }

    /// The keys of shared/CLI.md `predict`, in its order.
    public static let contractKeys = [
        "e_star", "delta_star", "p_law", "p_rate", "p_exponent", "p_prefactor", "chi_law",
        "chi_constant", "chi_exponent", "chi_rate", "one_minus_e_exponent", "one_minus_e_constant",
        "q_star", "c_star", "chi_1", "chi_c", "xi_q", "xi_c", "phase",
    ]

    /// The keys this module adds (Docs/asymptotics.md).
    public static let extraKeys = [
        "delta_star_unforced", "e_rate", "s_rate", "p_sqrt_coefficient", "p_log_coefficient",
        "p_star", "p_blowup_layer",
    ]

    /// The values that apply, as (key, value) in the order of `contractKeys` then `extraKeys`.
    /// Keys that do not apply are absent; non-finite numbers are never produced.
    public var entries: [(key: String, value: PredictionValue)] {
        var out: [(key: String, value: PredictionValue)] = []
        func number(_ key: String, _ value: Double?) {
            if let value, value.isFinite { out.append((key, .number(value))) }
        }
        func text(_ key: String, _ value: String?) {
            if let value { out.append((key, .text(value))) }
        }
        number("e_star", eStar)
        number("delta_star", deltaStar)
        text("p_law", pLaw?.rawValue)
        number("p_rate", pRate)
        number("p_exponent", pExponent)
        number("p_prefactor", pPrefactor)
        text("chi_law", chiLaw?.rawValue)
        number("chi_constant", chiConstant)
        number("chi_exponent", chiExponent)
        number("chi_rate", chiRate)
        number("one_minus_e_exponent", oneMinusEExponent)
        number("one_minus_e_constant", oneMinusEConstant)
        number("q_star", qStar)
        number("c_star", cStar)
        number("chi_1", chi1)
        number("chi_c", chiC)
        number("xi_q", xiQ)
        number("xi_c", xiC)
        text("phase", phase?.rawValue)
        number("delta_star_unforced", deltaStarUnforced)
        number("e_rate", eRate)
        number("s_rate", sRate)
        number("p_sqrt_coefficient", pSqrtCoefficient)
        number("p_log_coefficient", pLogCoefficient)
        number("p_star", pStar)
        if let pBlowupLayer { out.append(("p_blowup_layer", .integer(pBlowupLayer))) }
        return out
    }
}
