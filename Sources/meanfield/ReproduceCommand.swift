import ArgumentParser
import Foundation
import Synchronization
import MeanFieldCompanion
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldReproduction
import MeanFieldSimulation

/// `reproduce`: the figures of Yang & Schoenholz 2017 that need no training
/// (MeanFieldReproduction) and those of the companion papers, THEORY.md section 8
/// (MeanFieldCompanion), under one command.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rebuilds a figure of Yang & Schoenholz 2017 or of the companion papers: data (CSV), gnuplot script, PNG and SVG.",
        discussion: """
            Figures of Yang & Schoenholz 2017 (those that need no training):
            \(Reproduction.figures.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
            Figures of the companion papers (Labatie et al., Daneshmand et al.; \
            Docs/companion-papers.md):
            \(CompanionFigures.figures.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
              all: every figure above.

            Writes into --output-dir: NAME.png, NAME.svg, NAME.gp (the gnuplot script), the \
            data as CSV (NAME-a.csv, NAME-b.csv, ... per panel; for the companion figures \
            NAME.csv or NAME-SERIES.csv with the simulate columns) and NAME.json (caption or \
            parameters, and checks: predicted constants against what the curves show). \
            --quick runs smaller versions (seconds to a minute each); the default follows \
            the paper (for the companion figures: the paper's widths, depths and batch sizes \
            with a run count that finishes in minutes on 2 cores; --full uses the paper's run \
            count). --full, --runs and --seed apply to the companion figures only. Without \
            gnuplot the data and scripts are written and a warning says how to install it. \
            See Docs/tutorial.md and Docs/companion-papers.md.

            Examples:
              meanfield reproduce fig2 --output-dir out
              meanfield reproduce all --output-dir out --quick
              meanfield reproduce labatie-fig5 --output-dir out
              meanfield reproduce daneshmand-fig2 --output-dir out --full
            """)

    static var allNames: [String] { Reproduction.names + CompanionFigures.names }

    @Argument(help: ArgumentHelp("The figure: \((allNames + ["all"]).joined(separator: ", ")).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("Directory for the files (created if missing).", valueName: "DIR"))
    var outputDir: String

    @Flag(help: "Smaller runs (seconds to a minute per figure) instead of the paper's sizes.")
    var quick = false

    @Flag(help: "Companion figures: the paper's run count (Labatie: 1000 simulations; Daneshmand: 10).")
    var full = false

    @Option(parsing: .unconditional, help: "Companion figures: override the run count.")
    var runs: Int?

    @Option(parsing: .unconditional, help: "Companion figures: random seed (>= 0).")
    var seed: Int = SimulationOptions.defaultSeed

    @OptionGroup var threads: ThreadOption

    func run() throws {
        let names = name == "all" ? Self.allNames : [name]
        guard names.allSatisfy(Self.allNames.contains) else {
            throw CommandFailure.badInput("unknown figure '\(name)' for NAME (one of \((Self.allNames + ["all"]).joined(separator: ", ")))")
        }
        if full && quick {
            throw InvalidParameter(option: "quick", value: "set", reason: "cannot be combined with --full")
        }
        if let runs, runs < 1 { throw InvalidParameter(option: "runs", value: runs, reason: "must be at least 1") }
        guard seed >= 0 else { throw InvalidParameter(option: "seed", value: seed, reason: "must be >= 0") }
        let companionOnly = full || runs != nil || seed != SimulationOptions.defaultSeed
        if companionOnly, !names.contains(where: CompanionFigures.names.contains) {
            throw InvalidParameter(option: full ? "full" : runs != nil ? "runs" : "seed", value: "set",
                                   reason: "applies to the companion figures only (\(CompanionFigures.names.joined(separator: ", ")))")
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
            if CompanionFigures.names.contains(figure) {
                if !(try runCompanion(figure, threads: threadCount)) { missingGnuplot = true }
                continue
            }
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

    /// One companion figure; returns whether the pictures were rendered.
    private func runCompanion(_ figure: String, threads: Int) throws -> Bool {
        let bar = Mutex<ProgressBar?>(nil)
        let settings = FigureSettings(
            size: full ? .full : quick ? .quick : .standard, threads: threads, seed: seed, runs: runs,
            progress: { units in bar.withLock { $0?.advance(by: units) } },
            begin: { label, total in
                bar.withLock {
                    $0?.finish()
                    $0 = ProgressBar(total: total, label: label)
                }
            })
        CommandLineRunner.printNote("\(figure): computing (\(settings.size.rawValue) run)")
        let report = try CompanionFigures.run(figure, settings: settings, directory: outputDir)
        bar.withLock { $0?.finish() }
        if report.rendered { CommandLineRunner.printWarnings(report.warnings) }
        CommandLineRunner.printNote("\(figure): wrote " + report.files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))
        return report.rendered
    }
}
