import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldTheory

struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Infinite-width recurrences, one row per layer.",
        discussion: """
            Iterates the mean-field recurrences (THEORY.md sections 2-3) and prints, for layers \
            0..L: layer,p,q,gamma,lambda,e,c,s,log_chi,log_chi_w,log_chi_b,log_chi_v,log_chi_a. \
            log_chi = ln(chi^l/chi^L). A field that does not apply is empty (null in JSON). \
            Every value is accurate to 1e-10 relative (Docs/accuracy.md). For ff nets the JSON \
            output adds the fixed point (q*, c*, chi_1, chi_c, depth scales, phase).

            Exit status 4 when values leave the double range (ReLU nets at great depth): the \
            rows before that layer are written first.

            Examples:
              meanfield theory --arch frn --activation tanh --depth 200 --format csv
              meanfield theory --arch frn --activation alpha-relu --alpha 0.75 --depth 100000 --every 1000
              meanfield theory --arch ff --activation tanh --sigma-w 1.5 --sigma-b 0.3 --format json
            """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var output: OutputOptions

    static let columns = ["layer", "p", "q", "gamma", "lambda", "e", "c", "s", "log_chi",
                          "log_chi_w", "log_chi_b", "log_chi_v", "log_chi_a"]

    func run() throws {
        let config = try network.configuration()
        let keep = try output.layerSelection(depth: config.depth)
        let engine = try TheoryEngine(configuration: config)
        let progress = ProgressBar(total: config.depth, label: "theory",
                                   enabled: ProgressBar.standardErrorIsTerminal && config.depth >= 20_000)
        var done = 0
        let curve = try engine.run(keepLayer: keep) { layer in
            progress.advance(by: layer - done)
            done = layer
        }
        progress.finish()
        let fixedPoint = config.architecture == .feedforward
            ? try? FeedforwardFixedPoint.solve(config) : nil

        let table = Self.table(curve)
        switch output.format {
        case .csv:
            try output.destination.write(bytes: table.csvBytes())
        case .json:
            var pairs: [(String, JSONValue)] = [
                ("config", config.json),
                ("relative_accuracy", .number(curve.relativeAccuracy)),
                ("columns", table.jsonColumns()),
                ("warnings", .array(curve.warnings.map(JSONValue.string))),
            ]
            if let fixedPoint { pairs.append(("fixed_point", fixedPoint.json)) }
            try output.destination.write(JSONValue.object(pairs).serialized(pretty: true) + "\n")
        case .table:
            var text = "# meanfield theory: \(config.summary)\n"
            text += "# values accurate to \(NumberFormat.significant(curve.relativeAccuracy, digits: 1)) relative; shown to 10 significant digits\n"
            text += table.text(digits: 10)
            if let fixedPoint { text += fixedPoint.text }
            try output.destination.write(text)
        }
        if output.format != .json {
            for warning in curve.warnings { CommandLineRunner.printWarning(warning) }
        }
        if let failure = curve.failure {
            throw CommandFailure.numerical("numerical failure at \(failure); rows 0...\(failure.layer - 1) were written")
        }
    }

    static func table(_ curve: TheoryCurve) -> Table {
        var table = Table(columns: columns)
        for row in curve.rows {
            table.append([
                .integer(row.layer), Cell(row.p), Cell(row.q), Cell(row.gamma), Cell(row.lambda),
                Cell(row.e), Cell(row.c), Cell(row.s), Cell(row.logChi), Cell(row.logChiW),
                Cell(row.logChiB), Cell(row.logChiV), Cell(row.logChiA),
            ])
        }
        return table
    }
}

extension FeedforwardFixedPoint {
    var json: JSONValue {
        .object([
            ("q_star", .finite(qStar)), ("c_star", .finite(cStar)), ("chi_1", .finite(chi1)),
            ("chi_c", .finite(chiC)), ("xi_q", .finite(xiQ)), ("xi_c", .finite(xiC)),
            ("phase", phase.map { .string($0.rawValue) } ?? .null),
            ("notes", .array(notes.map(JSONValue.string))),
        ])
    }

    var text: String {
        func show(_ x: Double?) -> String { x.map { NumberFormat.significant($0, digits: 12) } ?? "-" }
        var text = "# fixed point: q* = \(show(qStar)), c* = \(show(cStar)), chi_1 = \(show(chi1)), "
        text += "chi_c = \(show(chiC)), xi_q = \(show(xiQ)), xi_c = \(show(xiC)), phase = \(phase?.rawValue ?? "-")\n"
        for note in notes { text += "# \(note)\n" }
        return text
    }
}
