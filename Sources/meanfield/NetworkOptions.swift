import ArgumentParser
import MeanFieldCore

extension Architecture: ExpressibleByArgument {}
extension ArchitectureName: ExpressibleByArgument {}
extension ActivationName: ExpressibleByArgument {}

/// Network options shared by theory, predict, simulate, compare and sweep (shared/CLI.md).
struct NetworkOptions: ParsableArguments {
    @Option(help: "Architecture: ff (feedforward), rrn (reduced residual), frn (full residual); simulate only: bn-ff, bn-res, bn-chain, linear-chain.")
    var arch: ArchitectureName = .frn

    @Option(help: "Activation: \(ActivationName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var activation: ActivationName = .tanh

    @Option(parsing: .unconditional, help: "Exponent of alpha-relu, in (0, 2].")
    var alpha: Double?

    @Option(name: .customLong("sigma-w"), parsing: .unconditional,
            help: "Weight scale: W_ij ~ N(0, sigma_w^2/N).")
    var sigmaW: Double = 1

    @Option(name: .customLong("sigma-b"), parsing: .unconditional,
            help: "Bias scale: b_i ~ N(0, sigma_b^2).")
    var sigmaB: Double = 0

    @Option(name: .customLong("sigma-v"), parsing: .unconditional,
            help: "FRN second-weight scale: V_ij ~ N(0, sigma_v^2/N).")
    var sigmaV: Double = 1

    @Option(name: .customLong("sigma-a"), parsing: .unconditional,
            help: "FRN second-bias scale: a_i ~ N(0, sigma_a^2).")
    var sigmaA: Double = 0

    @Option(parsing: .unconditional, help: "Input length p^0 = <x_i^2>.")
    var p0: Double = 1

    @Option(parsing: .unconditional, help: "Input correlation e^0 = gamma^0/p^0, in [-1, 1].")
    var e0: Double = 0.5

    @Option(parsing: .unconditional,
            help: "Mean of the input coordinates (RRN with a non-odd activation only).")
    var m0: Double = 0

    @Option(parsing: .unconditional, help: "Number of layers L.")
    var depth: Int = 100

    /// The validated configuration; throws InvalidParameter (exit status 2), also for the
    /// simulator-only architectures, which the infinite-width engine cannot run.
    func configuration() throws -> NetworkConfiguration {
        let architecture = try arch.requireEngine()
        if alpha != nil && activation != .alphaReLU {
            throw InvalidParameter(option: "alpha", value: alpha!,
                                   reason: "only applies to --activation alpha-relu")
        }
        let config = NetworkConfiguration(
            architecture: architecture, activation: try activation.make(alpha: alpha),
            sigmaW: sigmaW, sigmaB: sigmaB, sigmaV: sigmaV, sigmaA: sigmaA, p0: p0, e0: e0,
            inputMean: m0, depth: depth)
        try config.validate()
        return config
    }
}
