import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldSweep

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "A grid over network parameters: chosen theory quantities in long-format CSV.",
        discussion: """
            Axes (--grid, repeatable; the first varies slowest): NAME=START:STOP:COUNT \
            (evenly spaced, ends included), NAME=START:STOP:COUNT:log (evenly spaced in log) \
            or NAME=V1,V2,...; NAME is one of sigma-w, sigma-b, sigma-v, sigma-a, alpha, \
            depth, p0, e0 (depth values are rounded to integers). The other network options \
            stay fixed. Quantities (--quantity, comma-separated or repeated): COLUMN@LAYER with \
            COLUMN a theory column (p, q, gamma, lambda, e, c, s, one_minus_e, log_chi, \
            log_chi_w, log_chi_b, log_chi_v, log_chi_a) and LAYER a number, L (the depth) or \
            L-K. Gradient columns are relative to the top layer: log_chi@0 = ln(chi^0/chi^L).

            Output: one row per grid point and quantity, columns: the axes, quantity, layer, \
            value, status (ok; missing: does not apply; failed: the engine stopped before \
            that layer, see the warnings). Points are computed in parallel (--threads); the \
            output order is the grid order whatever the thread count.

            With --output FILE, finished points go to FILE.partial as they finish; an \
            interrupted sweep continues with --resume. --shard I/N computes part I of N \
            (I = 0...N-1) for job arrays; join the parts with `meanfield merge`. Level \
            curves by root finding: `meanfield levels`. See Docs/sweep.md.

            Examples:
              meanfield sweep --arch frn --sigma-v 1.22 --sigma-a 0.71 --sigma-b 0.7 \\
                --grid sigma-w=0.3:3:28:log --grid depth=10:1000:25:log \\
                --quantity log_chi@0,s@L --output sweep.csv
              meanfield sweep --grid alpha=0.55,0.65,0.75 --activation alpha-relu \\
                --quantity e@L,p@L --depth 1000 --output alpha.csv --resume
              meanfield sweep --grid sigma-w=0.1:3:300 --grid depth=10:1000:50:log \\
                --quantity log_chi@0 --shard 3/8 --output part3.csv
            """)

    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("A grid axis: NAME=START:STOP:COUNT[:log] or NAME=V1,V2,... (repeatable).", valueName: "AXIS"))
    var grid: [String] = []

    @Option(help: ArgumentHelp("Quantities COLUMN@LAYER, comma-separated (repeatable), e.g. log_chi@0,s@L,e@L-10,p@100.", valueName: "LIST"))
    var quantity: [String] = []

    @Option(help: ArgumentHelp("Write the CSV to FILE (atomically); finished points are journaled to FILE.partial.", valueName: "FILE"))
    var output: String?

    @Flag(help: "Continue an interrupted sweep from FILE.partial (needs --output and the same options).")
    var resume = false

    @Option(help: ArgumentHelp("Compute only part I of N (I = 0...N-1) of the grid, for job arrays.", valueName: "I/N"))
    var shard: String?

    @OptionGroup var threads: ThreadOption

    func run() throws {
        let plan = try Self.plan(network: network, grid: grid, quantities: quantity,
                                 shard: try shard.map(Shard.init(parsing:)))
        if resume && output == nil {
            throw InvalidParameter(option: "resume", value: "", reason: "needs --output FILE (the journal is FILE.partial)")
        }
        let runner = try SweepRunner(plan: plan, threads: try threads.count())
        let journal = try output.map { path in
            try SweepJournal(path: SweepJournal.path(forOutput: path), plan: plan, resume: resume)
        }
        if let journal, !journal.completedUnits.isEmpty {
            CommandLineRunner.printNote("resuming: \(journal.completedUnits.count) of \(plan.ownUnits.count) units already in \(journal.path)")
        }
        let progress = ProgressBar(total: plan.ownPoints.count, label: "sweep")
        let result = try runner.run(journal: journal) { progress.advance(by: $0) }
        progress.finish()
        CommandLineRunner.printWarnings(result.warnings)
        try OutputDestination(path: output).write(bytes: result.fileBytes)
        journal?.close(remove: true)
    }

    /// The plan from command-line options; every value is checked before any work starts.
    static func plan(network: NetworkOptions, grid: [String], quantities: [String],
                     shard: Shard?) throws -> SweepPlan {
        let axes = try grid.map { try GridAxis(parsing: $0) }
        var options = network
        // An alpha axis supplies alpha-relu's exponent.
        if options.activation == .alphaReLU, options.alpha == nil,
           let alphaAxis = axes.first(where: { $0.parameter == .alpha }) {
            options.alpha = alphaAxis.values[0]
        }
        let base = try options.configuration()
        for (axis, text) in zip(axes, grid) { try axis.validate(against: base, text: text) }
        let specs = try quantities.flatMap { try QuantitySpec.list(parsing: $0) }
        // Gridded options are not fixed: leave them out of the sweep's identity.
        let gridded = Set(axes.map(\.parameter.columnName))
        guard case .object(let pairs) = base.json else { fatalError("configuration JSON is an object") }
        let description = JSONValue.object(pairs.map { key, value in (key, gridded.contains(key) ? .null : value) })
        return try SweepPlan(base: base, axes: axes, quantities: specs, shard: shard,
                             configurationDescription: description)
    }
}

struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Joins the parts of a sharded sweep into one CSV, checking completeness.",
        discussion: """
            Reads the files written by `sweep --shard I/N` for I = 0...N-1 (any order) and \
            writes the CSV an unsharded sweep would have written, byte for byte. Fails (exit \
            status 2) when a part is missing, repeated, unfinished or from another sweep.

            Example:
              meanfield merge part*.csv --output sweep.csv
            """)

    @Argument(help: ArgumentHelp("The shard files.", valueName: "FILES"))
    var files: [String] = []

    @Option(help: ArgumentHelp("Write the merged CSV to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        try OutputDestination(path: output).write(bytes: try SweepMerge.merge(files: files))
    }
}

struct LevelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "levels",
        abstract: "Level curves: where a theory quantity equals given levels, by root finding.",
        discussion: """
            For each point of the grid (--grid, as in sweep) and each level, finds the value \
            of the --solve parameter at which the quantity equals the level: a scan of N \
            points between LO and HI brackets the first crossing, Brent's method refines it \
            (each evaluation an engine run). Columns: the axes, quantity, level, the solved \
            parameter, then with --solve sigma-w: sigma_w2_depth = sigma_w^2 L, constant along \
            the level curves of ln(chi^0/chi^L) of tanh resnets to leading order (Yang & \
            Schoenholz 2017, Fig. 3); last, status (ok; multiple: several crossings, the \
            smallest root is given; no-root).

            Example:
              meanfield levels --arch rrn --sigma-b 0.7 --quantity log_chi@0 \\
                --levels 4,8 --solve sigma-w=0.1:3:24:log --grid depth=10:1000:12:log
            """)

    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("Grid axes, as in sweep (repeatable).", valueName: "AXIS"))
    var grid: [String] = []

    @Option(help: ArgumentHelp("The quantity, COLUMN@LAYER, e.g. log_chi@0.", valueName: "QUANTITY"))
    var quantity: String

    @Option(help: ArgumentHelp("Levels, comma-separated.", valueName: "LIST"))
    var levels: String

    @Option(help: ArgumentHelp("The parameter to solve for and its range: NAME=LO:HI[:N[:log]] (N scan points, default 24).", valueName: "SPEC"))
    var solve: String

    @Option(help: ArgumentHelp("Write the CSV to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    @OptionGroup var threads: ThreadOption

    func run() throws {
        let solveSpec = try SolveSpec(parsing: solve)
        var options = network
        if options.activation == .alphaReLU, options.alpha == nil, solveSpec.parameter == .alpha {
            options.alpha = solveSpec.lower
        }
        let levelValues = try levels.split(separator: ",").map { field -> Double in
            guard let x = Double(field.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                throw InvalidParameter(option: "levels", value: levels, reason: "'\(field)' is not a finite number")
            }
            return x
        }
        let plan = try SweepCommand.plan(network: options, grid: grid, quantities: [quantity], shard: nil)
        let problem = try LevelCurveProblem(plan: plan, solve: solveSpec, levels: levelValues)
        let progress = ProgressBar(total: plan.pointCount, label: "levels")
        let found = try problem.run(threads: try threads.count()) { progress.advance(by: $0) }
        progress.finish()
        try OutputDestination(path: output).write(bytes: Self.table(found, problem: problem).csvBytes())
        let unsolved = found.filter { $0.status != .ok }
        if !unsolved.isEmpty {
            CommandLineRunner.printWarning("\(unsolved.count) of \(found.count) levels have status no-root or multiple (see the status column)")
        }
    }

    static func table(_ points: [LevelPoint], problem: LevelCurveProblem) -> Table {
        let plan = problem.plan
        let solved = problem.solve.parameter
        let withInvariant = solved == .sigmaW
        var columns = plan.axes.map(\.parameter.columnName) + ["quantity", "level", solved.columnName]
        if withInvariant { columns.append("sigma_w2_depth") }
        columns.append("status")
        var table = Table(columns: columns)
        for found in points {
            var row = plan.coordinateCells(of: found.point)
            row += [.text(plan.quantities[0].text), Cell(found.level), Cell(found.root)]
            if withInvariant {
                row.append(Cell(found.root.map { $0 * $0 * Double(plan.depth(of: found.point)) }))
            }
            row.append(.text(found.status.rawValue))
            table.append(row)
        }
        return table
    }
}
