/// A per-layer quantity measured in each run. The names are the CSV column stems
/// (shared/CLI.md): `p` gives p_mean and p_std. Extensible: later measurements (rank, batch
/// statistics) add their own.
public struct SimulatedQuantity: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// |x|^2/N of input 1.
    public static let p = SimulatedQuantity(rawValue: "p")
    /// x . x'/N.
    public static let gamma = SimulatedQuantity(rawValue: "gamma")
    /// gamma / sqrt(p p'): the cosine, in [-1, 1] (the theory's gamma/p when p = p').
    public static let e = SimulatedQuantity(rawValue: "e")
    /// |x - x'|^2/N.
    public static let s = SimulatedQuantity(rawValue: "s")
    /// chi^l / chi^L, chi = |dE/dx^l|^2/N.
    public static let chiRatio = SimulatedQuantity(rawValue: "chi_ratio")
    /// ln(chi^l / chi^L).
    public static let logChi = SimulatedQuantity(rawValue: "log_chi")
    /// ln(chi_W^l / chi^L) etc.: mean squares of the parameter gradients of layer l.
    public static let logChiW = SimulatedQuantity(rawValue: "log_chi_w")
    public static let logChiB = SimulatedQuantity(rawValue: "log_chi_b")
    public static let logChiV = SimulatedQuantity(rawValue: "log_chi_v")
    public static let logChiA = SimulatedQuantity(rawValue: "log_chi_a")

    public static let forward: [SimulatedQuantity] = [.p, .gamma, .e, .s]
    public static let backward: [SimulatedQuantity] = [.chiRatio, .logChi, .logChiW, .logChiB,
                                                       .logChiV, .logChiA]
    public static let standard: [SimulatedQuantity] = forward + backward
}

/// One run's values per layer (index = layer, 0...L). NaN marks a layer the run does not
/// reach (after an overflow) or where the quantity does not apply; statistics skip it.
public struct RunTrace: Sendable {
    public let run: Int
    public private(set) var values: [SimulatedQuantity: [Double]]
    /// First layer whose forward values overflowed (non-finite or above `overflowLimit`).
    public internal(set) var forwardOverflowLayer: Int?
    /// Layer l where the backward pass overflowed computing chi^l; chi below it is missing.
    public internal(set) var backwardOverflowLayer: Int?

    init(run: Int, depth: Int, quantities: [SimulatedQuantity]) {
        self.run = run
        values = Dictionary(uniqueKeysWithValues: quantities.map {
            ($0, [Double](repeating: .nan, count: depth + 1))
        })
    }

    public subscript(_ quantity: SimulatedQuantity) -> [Double]? { values[quantity] }

    mutating func set(_ quantity: SimulatedQuantity, layer: Int, _ value: Double) {
        values[quantity]![layer] = value
    }
}
