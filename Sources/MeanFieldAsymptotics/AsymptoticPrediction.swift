import Foundation
import MeanFieldCore
import MeanFieldTheory

/// The asymptotic laws of THEORY.md sections 6-7 for one configuration (`meanfield predict`).
/// Docs/asymptotics.md gives each formula with its derivation and its check against the engine.
public enum AsymptoticPrediction {
    public static func predict(_ configuration: NetworkConfiguration) throws -> Prediction {
        try configuration.validate()
        var prediction = Prediction(configuration: configuration)
        switch configuration.architecture {
        case .feedforward:
            try FeedforwardLaws.fill(&prediction)
        case .fullResidual, .reducedResidual:
            try fillResidual(&prediction)
        }
        addInputNotes(&prediction)
        return prediction
    }

    private static func fillResidual(_ prediction: inout Prediction) throws {
        let config = prediction.configuration
        if config.sigmaW == 0 {
            prediction.notes.append("sigma_w = 0: every layer sees the same pre-activation variance sigma_b^2, so p grows by a constant per layer and nothing depends on the depth in the way the laws describe; no law is reported (use theory)")
            return
        }
        if config.architecture == .fullResidual && config.sigmaV == 0 {
            prediction.notes.append("sigma_v = 0: the residual branch is switched off (x^l = x^(l-1) + a), so p = p0 + sigma_a^2 l and chi is constant exactly; no law is reported")
            return
        }
        switch config.activation {
        case is Tanh:
            try SaturatingResidualLaws.fill(&prediction, constants: .tanh)
        case is Erf:
            try SaturatingResidualLaws.fill(&prediction, constants: .erf)
        case is Linear:
            LinearResidualLaws.fill(&prediction)
        case is ReLU:
            try AlphaReLUResidualLaws.fill(&prediction, alpha: 1)
        case let alphaReLU as AlphaReLU:
            try AlphaReLUResidualLaws.fill(&prediction, alpha: alphaReLU.alpha)
        default:
            prediction.notes.append("no asymptotic law is derived for \(config.activation.name) residual nets (THEORY.md section 6 covers tanh, erf, linear and alpha-ReLU); use theory and fit")
        }
    }

    /// Input conditions under which the correlation laws do not describe e.
    private static func addInputNotes(_ prediction: inout Prediction) {
        let config = prediction.configuration
        guard config.architecture != .feedforward else { return }
        if config.e0 == 1 {
            prediction.notes.append("e0 = 1: the two inputs coincide and e^l = 1 at every layer (THEORY.md section 2); the correlation laws describe e0 < 1")
        } else if config.e0 == -1 && config.activation.isOdd && config.sigmaB == 0
                    && config.effectiveSigmaA == 0 {
            prediction.notes.append("e0 = -1 with an odd activation and sigma_b = sigma_a = 0: x' = -x at every layer, so e^l = -1; the correlation laws describe e0 > -1")
        }
    }
}

/// Vanilla FF: the fixed point of THEORY.md section 7 (FeedforwardFixedPoint), p_law
/// "fixed-point", chi_law "exponential" with chi_rate = ln chi_1: at the fixed point every layer
/// multiplies chi by chi_1, so ln(chi^0/chi^L) ~ L ln chi_1 (negative in the ordered phase).
enum FeedforwardLaws {
    static func fill(_ prediction: inout Prediction) throws {
        let config = prediction.configuration
        let transforms = makeTransforms(for: config.activation)
        if config.activation.homogeneityDegree == 1 {
            // V(q) = V(1) q: q^(l+1) = rho q^l + sigma_b^2 with rho = sigma_w^2 V(1).
            let rho = config.sigmaW * config.sigmaW * (try transforms.meanSquare(variance: 1))
            if rho > 1 || (rho == 1 && config.sigmaB > 0) {
                try fillUnboundedHomogeneous(&prediction, rho: rho, transforms: transforms)
                return
            }
        }
        let fixedPoint = try FeedforwardFixedPoint.solve(config)
        prediction.qStar = fixedPoint.qStar
        prediction.cStar = fixedPoint.cStar
        prediction.chi1 = fixedPoint.chi1
        prediction.chiC = fixedPoint.chiC
        prediction.xiQ = fixedPoint.xiQ
        prediction.xiC = fixedPoint.xiC
        prediction.phase = fixedPoint.phase
        prediction.notes += fixedPoint.notes

        if let qStar = fixedPoint.qStar {
            prediction.pLaw = .fixedPoint
            prediction.pStar = try transforms.meanSquare(variance: qStar)   // p^l = V phi(q^l)
        } else if let degree = config.activation.homogeneityDegree, degree > 1 {
            try AlphaReLUResidualLaws.fillBlowup(&prediction)
            return
        } else {
            prediction.notes.append("q grows without bound and no growth law is derived for \(config.activation.name) FF nets")
        }
        fillGradientLaw(&prediction, chi1: fixedPoint.chi1)
    }

    /// ReLU or linear FF with rho = sigma_w^2 V(1) > 1 (or = 1 with sigma_b > 0): no fixed point.
    /// With beta = sigma_b^2 V(1), p^l = rho p^(l-1) + beta, so p^l = rho^l (p0 + beta/(rho - 1))
    /// - beta/(rho - 1), or p0 + beta l at rho = 1; V phi' is constant, chi_1 = sigma_w^2 V phi'(1).
    private static func fillUnboundedHomogeneous(_ prediction: inout Prediction, rho: Double,
                                                 transforms: any GaussianTransforms) throws {
        let config = prediction.configuration
        let beta = config.sigmaB * config.sigmaB * (try transforms.meanSquare(variance: 1))
        if rho > 1 {
            prediction.pLaw = .exponential
            prediction.pRate = log(rho)
            prediction.pPrefactor = config.p0 + beta / (rho - 1)
        } else {
            prediction.pLaw = .linear
            prediction.pRate = beta
        }
        let chi1 = config.sigmaW * config.sigmaW * (try transforms.derivativeMeanSquare(variance: 1))
        prediction.chi1 = chi1
        prediction.phase = abs(chi1 - 1) <= FeedforwardFixedPoint.criticalTolerance
            ? .critical : (chi1 < 1 ? .ordered : .chaotic)
        prediction.notes.append("q grows without bound (sigma_w^2 V(1) = \(noteNumber(rho)) >= 1): no fixed point q*; phase from chi_1 alone")
        fillGradientLaw(&prediction, chi1: chi1)
    }

    private static func fillGradientLaw(_ prediction: inout Prediction, chi1: Double?) {
        if let alpha = (prediction.configuration.activation as? AlphaReLU)?.alpha, alpha <= 0.5 {
            prediction.chiLaw = .undefined
            prediction.notes.append(AlphaReLUResidualLaws.undefinedGradientNote(alpha: alpha))
        } else if let chi1 {
            prediction.chiLaw = .exponential
            if chi1 > 0 {
                prediction.chiRate = log(chi1)
            } else {
                prediction.notes.append("chi_1 = 0: gradients vanish faster than any exponential (chi_rate = -infinity, omitted)")
            }
        }
    }
}

/// Numbers in notes: six significant digits.
func noteNumber(_ x: Double) -> String { String(format: "%.6g", x) }
