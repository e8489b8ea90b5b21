import MeanFieldSimulation
import MeanFieldTheory

/// A per-layer quantity that both the theory and the simulation give, under one definition.
///
/// - `e`: the simulation's per-run cosine gamma/sqrt(p p') against the theory's gamma/p. The
///   two inputs have the same length p0 and the same law, so p = p' at infinite width and the
///   cosine is the symmetric estimator of the theory's e (bounded in [-1, 1]).
/// - Gradients as ratios, not logs: the mean of ln(chi^l/chi^L) over runs carries a Jensen
///   bias (E ln X < ln E X), while with independent backward weights chi^l/chi^L has exactly
///   the mean-field expectation (Docs/simulator.md), so `chi_ratio` compares the run mean of
///   chi^l/chi^L with exp(log_chi), and the parameter-gradient ratios likewise.
public enum ComparedQuantity: String, CaseIterable, Sendable {
    case p, gamma, e, s
    case chiRatio = "chi_ratio"
    case chiWRatio = "chi_w_ratio"
    case chiBRatio = "chi_b_ratio"
    case chiVRatio = "chi_v_ratio"
    case chiARatio = "chi_a_ratio"

    /// Gradient quantities, compared as ratios of per-run log values.
    public var isGradient: Bool {
        switch self {
        case .p, .gamma, .e, .s: return false
        default: return true
        }
    }

    /// Parameter gradients exist for layers 1...L only.
    var startsAtLayerOne: Bool { isGradient && self != .chiRatio }

    /// chi_V and chi_a belong to the second weight layer of FRN.
    var fullResidualOnly: Bool { self == .chiVRatio || self == .chiARatio }

    /// The simulated per-run quantity: the value itself, or (gradients) its natural log.
    var simulated: SimulatedQuantity {
        switch self {
        case .p: return .p
        case .gamma: return .gamma
        case .e: return .e
        case .s: return .s
        case .chiRatio: return .logChi
        case .chiWRatio: return .logChiW
        case .chiBRatio: return .logChiB
        case .chiVRatio: return .logChiV
        case .chiARatio: return .logChiA
        }
    }

    /// The theory's value, or (gradients) its natural log; nil where it does not apply.
    func theory(_ row: TheoryRow) -> Double? {
        switch self {
        case .p: return row.p
        case .gamma: return row.gamma
        case .e: return row.e
        case .s: return row.s
        case .chiRatio: return row.logChi
        case .chiWRatio: return row.logChiW
        case .chiBRatio: return row.logChiB
        case .chiVRatio: return row.logChiV
        case .chiARatio: return row.logChiA
        }
    }
}
