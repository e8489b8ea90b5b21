import ArgumentParser
import MeanFieldAsymptotics
import MeanFieldCore
import MeanFieldIO

enum PredictFormat: String, ExpressibleByArgument, CaseIterable {
    case json, table
}

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Asymptotic laws and constants for a configuration.",
        discussion: """
            The large-depth laws of THEORY.md sections 6-7: the attracting correlation e* and \
            the exponent delta* of |e - e*|, the growth law of p, the growth law of the \
            gradient ratio chi^0/chi^L, and for ff nets the fixed point (q*, c*, chi_1, chi_c, \
            depth scales, phase). JSON keys: e_star, delta_star, p_law, p_rate, p_exponent, \
            p_prefactor, chi_law, chi_constant, chi_exponent, chi_rate, one_minus_e_exponent, \
            one_minus_e_constant, q_star, c_star, chi_1, chi_c, xi_q, xi_c, phase, then \
            delta_star_unforced, e_rate, s_rate, p_sqrt_coefficient, p_log_coefficient, \
            p_star, p_blowup_layer, config and notes. A key that does not apply is absent; \
            notes say why where that is not obvious. --depth is not used (the laws are \
            depth-independent); alpha > 1 runs the engine to find the blow-up layer. \
            See Docs/asymptotics.md.

            Examples:
              meanfield predict --arch frn --activation tanh --sigma-a 0.5
              meanfield predict --arch frn --activation alpha-relu --alpha 0.75 --format table
              meanfield predict --arch ff --activation tanh --sigma-w 1.5 --sigma-b 0.3
            """)

    @OptionGroup var network: NetworkOptions

    @Option(help: "Output format: json or table.")
    var format: PredictFormat = .json

    @Option(help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let config = try network.configuration()
        let prediction = try AsymptoticPrediction.predict(config)
        let text: String
        switch format {
        case .json: text = Self.json(prediction).serialized(pretty: true) + "\n"
        case .table: text = Self.table(prediction)
        }
        try OutputDestination(path: output).write(text)
    }

    static func json(_ prediction: Prediction) -> JSONValue {
        var pairs: [(String, JSONValue)] = prediction.entries.map { key, value in
            switch value {
            case .number(let x): return (key, .number(x))
            case .integer(let i): return (key, .integer(i))
            case .text(let s): return (key, .string(s))
            }
        }
        var config = prediction.configuration.json
        if case .object(var configPairs) = config {
            configPairs.removeAll { $0.0 == "depth" }       // predict does not use the depth
            config = .object(configPairs)
        }
        pairs.append(("config", config))
        pairs.append(("notes", .array(prediction.notes.map(JSONValue.string))))
        return .object(pairs)
    }

    static func table(_ prediction: Prediction) -> String {
        var summary = prediction.configuration.summary
        if let range = summary.range(of: " depth=") { summary = String(summary[..<range.lowerBound]) }
        var text = "# meanfield predict: \(summary)\n"
        let width = prediction.entries.map(\.key.count).max() ?? 0
        for (key, value) in prediction.entries {
            let shown: String
            switch value {
            case .number(let x): shown = NumberFormat.significant(x, digits: 15)
            case .integer(let i): shown = String(i)
            case .text(let s): shown = s
            }
            text += key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown + "\n"
        }
        for note in prediction.notes { text += "# \(note)\n" }
        return text
    }
}
