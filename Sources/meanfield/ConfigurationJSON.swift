import MeanFieldCore
import MeanFieldIO

extension NetworkConfiguration {
    /// The configuration as the `config` object of JSON output (option names as on the CLI).
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("arch", .string(architecture.rawValue)),
            ("activation", .string(activation.name)),
        ]
        if let alpha = (activation as? AlphaReLU)?.alpha { pairs.append(("alpha", .number(alpha))) }
        pairs += [
            ("sigma_w", .number(sigmaW)), ("sigma_b", .number(sigmaB)),
            ("sigma_v", .number(sigmaV)), ("sigma_a", .number(sigmaA)),
            ("p0", .number(p0)), ("e0", .number(e0)), ("m0", .number(inputMean)),
            ("depth", .integer(depth)),
        ]
        return .object(pairs)
    }

    /// One line for table headers.
    var summary: String {
        var parts = ["arch=\(architecture.rawValue)", "activation=\(activation.name)"]
        if let alpha = (activation as? AlphaReLU)?.alpha { parts.append("alpha=\(alpha)") }
        parts += ["sigma_w=\(sigmaW)", "sigma_b=\(sigmaB)"]
        if architecture == .fullResidual { parts += ["sigma_v=\(sigmaV)", "sigma_a=\(sigmaA)"] }
        parts += ["p0=\(p0)", "e0=\(e0)", "depth=\(depth)"]
        return parts.joined(separator: " ")
    }
}
