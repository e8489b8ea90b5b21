import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldReproduction

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rebuilds a figure of Yang & Schoenholz 2017: data (CSV), gnuplot script, PNG and SVG.",
        discussion: """
            Figures (those that need no training):
            \(Reproduction.figures.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
              all: every figure above.

            Writes into --output-dir: NAME.png, NAME.svg, NAME.gp (the gnuplot script), \
            NAME-a.csv, NAME-b.csv, ... (the data of each panel) and NAME.json (caption, \
            parameters, and checks: predicted constants against what the curves show). \
            --quick runs smaller versions (seconds to a minute each); the default follows \
            the paper. Without gnuplot the data and scripts are written and a warning says \
            how to install it. See Docs/tutorial.md.

            Examples:
              meanfield reproduce fig2 --output-dir out
              meanfield reproduce all --output-dir out --quick
            """)

    @Argument(help: ArgumentHelp("The figure: \((Reproduction.names + ["all"]).joined(separator: ", ")).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("Directory for the files (created if missing).", valueName: "DIR"))
    var outputDir: String

    @Flag(help: "Smaller runs (seconds to a minute per figure) instead of the paper's sizes.")
    var quick = false

    @OptionGroup var threads: ThreadOption

    func run() throws {
        let names = name == "all" ? Reproduction.names : [name]
        guard names.allSatisfy(Reproduction.names.contains) else {
            throw CommandFailure.badInput("unknown figure '\(name)' for NAME (one of \((Reproduction.names + ["all"]).joined(separator: ", ")))")
        }
        let threadCount = try threads.count()
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        } catch {
            throw InvalidParameter(option: "output-dir", value: outputDir, reason: "cannot be created: \(error.localizedDescription)")
        }
        let settings = ReproductionSettings(quick: quick, threads: threadCount,
                                            showProgress: ProgressBar.standardErrorIsTerminal) { CommandLineRunner.printNote($0) }
        var missingGnuplot = false
        for figure in names {
            let report = try Reproduction.run(figure, settings: settings, directory: outputDir)
            if report.rendered {
                CommandLineRunner.printWarnings(report.warnings)
            } else {
                missingGnuplot = true
            }
            CommandLineRunner.printNote("\(figure): wrote " + report.files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))
        }
        if missingGnuplot { CommandLineRunner.printWarning(Gnuplot.installHint) }
    }
}
