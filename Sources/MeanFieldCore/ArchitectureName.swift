/// Every value of `--arch`: the engine's three architectures (THEORY.md section 0) and the
/// simulator-only networks of the companion papers (THEORY.md section 8). `Architecture`
/// stays the engine's type, so the recurrences never see a network they cannot iterate.
public enum ArchitectureName: String, CaseIterable, Sendable, Codable {
    case ff, rrn, frn
    /// Labatie 2019 section 6: dense -> batch norm -> phi.
    case bnFF = "bn-ff"
    /// Labatie 2019 section 7: units of H sub-layers BN -> phi -> dense on a skip path.
    case bnRes = "bn-res"
    /// Daneshmand et al. 2020 eq. (2): H <- BN(H + gamma phi(W H)), BN without centering.
    case bnChain = "bn-chain"
    /// The same chain without normalization (rank collapse).
    case linearChain = "linear-chain"

    public init(_ architecture: Architecture) {
        switch architecture {
        case .feedforward: self = .ff
        case .reducedResidual: self = .rrn
        case .fullResidual: self = .frn
        }
    }

    /// The infinite-width engine's architecture; nil for the simulator-only networks.
    public var engineArchitecture: Architecture? {
        switch self {
        case .ff: return .feedforward
        case .rrn: return .reducedResidual
        case .frn: return .fullResidual
        case .bnFF, .bnRes, .bnChain, .linearChain: return nil
        }
    }

    /// Normalized over the batch: needs at least two inputs.
    public var isBatchNormalized: Bool { self == .bnFF || self == .bnRes || self == .bnChain }

    public var isChain: Bool { self == .bnChain || self == .linearChain }

    /// The error for commands that run the infinite-width engine (theory, predict, compare).
    public func requireEngine() throws -> Architecture {
        guard let architecture = engineArchitecture else {
            throw InvalidParameter(
                option: "arch", value: rawValue,
                reason: "has no infinite-width recurrences (THEORY.md section 8); it is "
                    + "simulated only: use meanfield simulate (theory covers ff, rrn, frn)")
        }
        return architecture
    }
}
