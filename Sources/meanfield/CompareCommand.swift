import ArgumentParser
import Foundation
import MeanFieldComparison
import MeanFieldCore
import MeanFieldIO

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Theory against simulation, with per-layer z-scores and a summary.",
        discussion: """
            Runs the infinite-width recurrences and the finite-width simulation for one \
            configuration. Per layer and quantity (p, gamma, e, s, chi_ratio and the \
            parameter-gradient ratios chi_w_ratio, chi_b_ratio, and for frn chi_v_ratio, \
            chi_a_ratio): theory, mean over runs, its standard error and \
            z = (mc_mean - theory)/mc_sem. Gradients are compared as ratios to chi^L, whose \
            run mean is unbiased (the mean of log ratios is not); e is the per-run cosine \
            gamma/sqrt(p p'), the theory's gamma/p at infinite width. No z where the runs \
            agree to rounding (layer 0), where the theory gives no value, or where some runs \
            overflowed. Expect finite-width biases of order 1/N per layer (Docs/comparison.md).

            A summary per quantity (max |z|, share of layers with |z| <= 3, median relative \
            error) and the caveats go to stderr, or to the `summary` object in JSON. \
            --max-z Z: exit status 3 when any |z| exceeds Z, after the output is written.

            Examples:
              meanfield compare --arch frn --activation tanh --sigma-w 1.5 --sigma-v 1.5 --depth 50 --width 2000 --runs 200
              meanfield compare --arch ff --activation relu --sigma-w 1.41421356 --depth 20 --backward independent --max-z 4
              meanfield compare --arch rrn --activation relu --depth 20 --width 256 --runs 100 --format csv --output cmp.csv
            """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var simulation: SimulationArguments

    @Option(name: .customLong("max-z"), parsing: .unconditional,
            help: ArgumentHelp("Fail (exit status 3) when any |z| exceeds Z.", valueName: "Z"))
    var maxZ: Double?

    func run() throws {
        let configuration = try network.configuration()
        let keep = try output.layerSelection(depth: configuration.depth)
        if let maxZ, !(maxZ.isFinite && maxZ > 0) {
            throw InvalidParameter(option: "max-z", value: maxZ, reason: "must be a finite number > 0")
        }
        let options = simulation.options
        let bar = ProgressBar(total: Comparison.progressUnits(configuration: configuration, options: options),
                              label: "compare")
        let comparison = try Comparison.run(configuration: configuration, options: options,
                                            progress: { bar.advance(by: $0) })
        bar.finish()
        let summary = comparison.summary(keepLayer: keep)
        switch output.format {
        case .csv:
            try output.destination.write(bytes: comparison.table(keepLayer: keep).csvBytes())
        case .json:
            try output.destination.write(
                comparison.json(keepLayer: keep, maxZ: maxZ).serialized(pretty: true) + "\n")
        case .table:
            var text = "# meanfield compare: \(configuration.summary) width=\(options.width) runs=\(options.runs) mode=\(options.mode.rawValue) backward=\(options.backward.rawValue)\n"
            text += comparison.table(keepLayer: keep, relativeError: true).text(digits: 6)
            try output.destination.write(text)
        }
        if output.format != .json {
            for warning in comparison.warnings { CommandLineRunner.printWarning(warning) }
            FileHandle.standardError.write(Data(summary.text(maxZ: maxZ).utf8))
        }
        if let failure = comparison.theory.failure {
            throw CommandFailure.numerical("numerical failure in the theory at \(failure); rows without theory values have no z")
        }
        if let maxZ, !summary.passes(maxZ: maxZ), let worst = summary.worst {
            throw CommandFailure.checkFailed(
                "|z| = \(NumberFormat.significant(worst.absZ, digits: 3)) exceeds --max-z \(NumberFormat.significant(maxZ, digits: 3)) (\(worst.quantity.rawValue) at layer \(worst.layer))")
        }
    }
}
