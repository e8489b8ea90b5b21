import ArgumentParser
import Foundation
import Synchronization
import MeanFieldCompanion
import MeanFieldCore
import MeanFieldIO
import MeanFieldSimulation

/// `reproduce` for the companion papers' figures (THEORY.md section 8). Self-contained on the
/// batchnorm branch; the figures' logic is `CompanionFigures.run`, for a general `reproduce`.
struct CompanionReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rebuilds a figure of the companion papers: data (CSV), gnuplot script, PNG and SVG.",
        discussion: """
            Figures:
            \(CompanionFigures.figures.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))

            Writes into --output-dir: NAME.csv (or NAME-SERIES.csv, the simulate columns), \
            NAME.gp (the gnuplot script), NAME.png, NAME.svg and NAME.json (parameters and \
            the numbers the figure is about). The default uses the paper's widths, depths and \
            batch sizes with a run count that finishes in minutes on 2 cores; --full uses the \
            paper's run count, --quick small sizes (seconds). Without gnuplot the data and \
            script are written and a warning says so. Docs/companion-papers.md.

            Examples:
              meanfield reproduce labatie-fig5 --output-dir out
              meanfield reproduce daneshmand-fig2 --output-dir out --full
            """)

    @Argument(help: ArgumentHelp("The figure: \(CompanionFigures.names.joined(separator: ", ")).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("Directory for the files (created if missing).", valueName: "DIR"))
    var outputDir: String

    @Flag(help: "The paper's run count (Labatie: 1000 simulations; Daneshmand: 10).")
    var full = false

    @Flag(help: "Small widths and depths and a few runs: seconds.")
    var quick = false

    @Option(parsing: .unconditional, help: "Override the run count.")
    var runs: Int?

    @Option(parsing: .unconditional, help: "Random seed (>= 0).")
    var seed: Int = SimulationOptions.defaultSeed

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads (the output does not depend on it).", valueName: "T"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        guard CompanionFigures.names.contains(name) else {
            throw InvalidParameter(option: "name", value: name, reason:
                "unknown figure (one of \(CompanionFigures.names.joined(separator: ", ")))")
        }
        if full && quick {
            throw InvalidParameter(option: "quick", value: "set", reason: "cannot be combined with --full")
        }
        if let runs, runs < 1 { throw InvalidParameter(option: "runs", value: runs, reason: "must be at least 1") }
        guard threads >= 1 else { throw InvalidParameter(option: "threads", value: threads, reason: "must be at least 1") }
        guard seed >= 0 else { throw InvalidParameter(option: "seed", value: seed, reason: "must be >= 0") }
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        } catch {
            throw InvalidParameter(option: "output-dir", value: outputDir,
                                   reason: "cannot be created: \(error.localizedDescription)")
        }
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
        let report = try CompanionFigures.run(name, settings: settings, directory: outputDir)
        bar.withLock { $0?.finish() }
        for warning in report.warnings { CommandLineRunner.printWarning(warning) }
        if !report.rendered {
            CommandLineRunner.printWarning("gnuplot not found: data and script written, no pictures (install gnuplot-nox, then run gnuplot \(name).gp in \(outputDir))")
        }
        let names = report.files.map { URL(fileURLWithPath: $0).lastPathComponent }
        FileHandle.standardError.write(Data("meanfield: \(name): wrote \(names.joined(separator: ", "))\n".utf8))
    }
}
