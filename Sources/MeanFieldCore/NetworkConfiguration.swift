/// The three architectures of Yang & Schoenholz 2017 (THEORY.md section 0).
public enum Architecture: String, CaseIterable, Sendable, Codable {
    /// h = W x + b; x' = phi(h)
    case feedforward = "ff"
    /// h = W x + b; x' = phi(h) + x
    case reducedResidual = "rrn"
    /// h = W x + b; x' = V phi(h) + a + x
    case fullResidual = "frn"
}

/// One network definition, shared by the infinite-width engine and the simulator.
/// Variances: W_ij ~ N(0, sigmaW^2/N), b_i ~ N(0, sigmaB^2), V_ij ~ N(0, sigmaV^2/N),
/// a_i ~ N(0, sigmaA^2), fresh at every layer.
public struct NetworkConfiguration: Sendable {
    public var architecture: Architecture
    public var activation: any Activation
    public var sigmaW: Double
    public var sigmaB: Double
    /// Used by FRN only (RRN is FRN with sigmaV = 1, sigmaA = 0).
    public var sigmaV: Double
    public var sigmaA: Double
    /// Input length p^0 = <x_i^2>.
    public var p0: Double
    /// Input correlation e^0 = gamma^0 / p^0 between the two inputs.
    public var e0: Double
    /// Mean of the input coordinates (both inputs alike); enters only the RRN recurrence
    /// with a non-odd activation (THEORY.md section 2).
    public var inputMean: Double
    /// Number of layers L.
    public var depth: Int

    /// Depths beyond this are refused as absurd (the engine is O(L) in memory).
    public static let maximumDepth = 100_000_000

    public init(architecture: Architecture, activation: any Activation, sigmaW: Double = 1,
                sigmaB: Double = 0, sigmaV: Double = 1, sigmaA: Double = 0, p0: Double = 1,
                e0: Double = 0.5, inputMean: Double = 0, depth: Int) {
        self.architecture = architecture
        self.activation = activation
        self.sigmaW = sigmaW
        self.sigmaB = sigmaB
        self.sigmaV = sigmaV
        self.sigmaA = sigmaA
        self.p0 = p0
        self.e0 = e0
        self.inputMean = inputMean
        self.depth = depth
    }

    /// sigmaV and sigmaA as the recurrences use them: RRN is FRN with sigmaV = 1, sigmaA = 0.
    public var effectiveSigmaV: Double { architecture == .reducedResidual ? 1 : sigmaV }
    public var effectiveSigmaA: Double { architecture == .reducedResidual ? 0 : sigmaA }

    /// Checks every parameter's domain; throws the first violation.
    public func validate() throws {
        for (option, value) in [("sigma-w", sigmaW), ("sigma-b", sigmaB), ("sigma-v", sigmaV),
                                ("sigma-a", sigmaA)] {
            guard value.isFinite, value >= 0 else {
                throw InvalidParameter(option: option, value: value,
                                       reason: "must be a finite number >= 0")
            }
        }
        guard p0.isFinite, p0 > 0 else {
            throw InvalidParameter(option: "p0", value: p0, reason: "must be a finite number > 0")
        }
        guard e0.isFinite, e0 >= -1, e0 <= 1 else {
            throw InvalidParameter(option: "e0", value: e0, reason: "must lie in [-1, 1]")
        }
        guard inputMean.isFinite, inputMean * inputMean <= p0 else {
            throw InvalidParameter(option: "m0", value: inputMean,
                                   reason: "the input mean must satisfy m0^2 <= p0")
        }
        guard depth >= 1 else {
            throw InvalidParameter(option: "depth", value: depth, reason: "must be at least 1")
        }
        guard depth <= Self.maximumDepth else {
            throw InvalidParameter(option: "depth", value: depth,
                                   reason: "must be at most \(Self.maximumDepth)")
        }
        if let alphaReLU = activation as? AlphaReLU {
            guard alphaReLU.alpha.isFinite, alphaReLU.alpha > 0, alphaReLU.alpha <= 2 else {
                throw InvalidParameter(option: "alpha", value: alphaReLU.alpha,
                                       reason: "must lie in (0, 2]")
            }
        }
    }
}
