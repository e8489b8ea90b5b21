import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldTheory

/// How a figure is rebuilt.
public struct ReproductionSettings: Sendable {
    /// Smaller runs that finish in seconds to a minute; the default follows the paper.
    public var quick: Bool
    public var threads: Int
    /// Progress bars on standard error for the long stages (when it is a terminal).
    public var showProgress: Bool
    /// Called with a line describing each stage (for stderr).
    public var log: @Sendable (String) -> Void

    public init(quick: Bool, threads: Int, showProgress: Bool = false, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.quick = quick
        self.threads = threads
        self.showProgress = showProgress
        self.log = log
    }
}

/// A built figure: the picture as data, an honest caption, the parameters and the checks
/// (predicted constants against what the curves show).
public struct FigureResult: Sendable {
    public var figure: PlotFigure
    public var caption: String
    public var parameters: JSONValue
    public var checks: JSONValue
}

/// What `reproduce` wrote.
public struct ReproductionReport: Sendable {
    public var name: String
    public var files: [String]
    public var rendered: Bool
    public var warnings: [String]
    public var caption: String
}

/// The figures of Yang & Schoenholz 2017 that need no training.
public enum Reproduction {
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        let build: @Sendable (ReproductionSettings) throws -> FigureResult
    }

    public static let figures: [Entry] = [
        Entry(name: "fig1", summary: "tanh FRN: p, gamma, e per layer for several initial conditions and the gradient ratios, theory against simulation",
              build: Figure1.build),
        Entry(name: "fig2", summary: "tanh FRN asymptotics: e* and delta* against sigma_a^2/sigma_v^2, |e - e*| against l^-delta*, ln(chi^0/chi^l) against sqrt l (theory)",
              build: Figure2.build),
        Entry(name: "figA1", summary: "alpha-ReLU FRN for several alpha: the quantities of fig1, theory against simulation",
              build: FigureA1.build),
        Entry(name: "figA2", summary: "alpha-ReLU FRN exponents: |e - e*|, chi^0/chi^l and p against their predicted power laws (theory)",
              build: FigureA2.build),
        Entry(name: "fig3-theory", summary: "tanh RRN and FRN: ln(chi^0/chi^L) and s^L over (sigma_w, L), level curves against sigma_w^2 L = const (theory side of the MNIST heatmaps)",
              build: Figure3Theory.build),
    ]

    public static var names: [String] { figures.map(\.name) }

    /// Builds the figure and writes NAME.png, NAME.svg, NAME.gp, the data (NAME-*.csv) and
    /// NAME.json (caption, parameters, checks) into `directory`.
    public static func run(_ name: String, settings: ReproductionSettings, directory: String) throws -> ReproductionReport {
        guard let entry = figures.first(where: { $0.name == name }) else {
            throw InvalidParameter(option: "name", value: name, reason: "unknown figure (one of \(names.joined(separator: ", ")), all)")
        }
        settings.log("\(name): computing (\(settings.quick ? "quick" : "paper-size") run)")
        let result = try entry.build(settings)
        let rendered = try Gnuplot.render(result.figure, in: directory,
                                          provenance: "meanfield reproduce \(name)\(settings.quick ? " --quick" : ""): \(result.caption)")
        let summaryPath = directory + "/" + name + ".json"
        let summary = JSONValue.object([
            ("figure", .string(name)),
            ("mode", .string(settings.quick ? "quick" : "paper")),
            ("caption", .string(result.caption)),
            ("parameters", result.parameters),
            ("checks", result.checks),
            ("files", .array((rendered.files + [summaryPath]).map { .string(URL(fileURLWithPath: $0).lastPathComponent) })),
            ("rendered", .bool(rendered.rendered)),
        ])
        try AtomicFile.write(summary.serialized(pretty: true) + "\n", to: summaryPath)
        return ReproductionReport(name: name, files: rendered.files + [summaryPath], rendered: rendered.rendered,
                                  warnings: rendered.warnings, caption: result.caption)
    }
}
