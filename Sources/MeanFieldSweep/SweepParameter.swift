import MeanFieldCore

/// A network option a sweep can vary. The raw value is the option's command-line spelling
/// ("sigma-w"); `columnName` is its CSV column ("sigma_w").
public enum SweepParameter: String, CaseIterable, Sendable, Codable {
    case sigmaW = "sigma-w"
    case sigmaB = "sigma-b"
    case sigmaV = "sigma-v"
    case sigmaA = "sigma-a"
    case alpha
    case depth
    case p0
    case e0

    public var columnName: String { rawValue.replacingOccurrences(of: "-", with: "_") }

    /// Depth takes integer values; a grid over it is rounded and deduplicated.
    public var isInteger: Bool { self == .depth }

    /// The option's value in a configuration (nil: alpha of an activation without one).
    public func value(in configuration: NetworkConfiguration) -> Double? {
        switch self {
        case .sigmaW: return configuration.sigmaW
        case .sigmaB: return configuration.sigmaB
        case .sigmaV: return configuration.sigmaV
        case .sigmaA: return configuration.sigmaA
        case .alpha: return (configuration.activation as? AlphaReLU)?.alpha
        case .depth: return Double(configuration.depth)
        case .p0: return configuration.p0
        case .e0: return configuration.e0
        }
    }

    /// Sets the option; alpha needs an alpha-relu activation.
    public func apply(_ value: Double, to configuration: inout NetworkConfiguration) throws {
        switch self {
        case .sigmaW: configuration.sigmaW = value
        case .sigmaB: configuration.sigmaB = value
        case .sigmaV: configuration.sigmaV = value
        case .sigmaA: configuration.sigmaA = value
        case .alpha:
            guard configuration.activation is AlphaReLU else {
                throw InvalidParameter(option: "grid", value: "alpha",
                                       reason: "alpha only applies to --activation alpha-relu")
            }
            configuration.activation = AlphaReLU(alpha: value)
        case .depth: configuration.depth = Int(value)
        case .p0: configuration.p0 = value
        case .e0: configuration.e0 = value
        }
    }
}
