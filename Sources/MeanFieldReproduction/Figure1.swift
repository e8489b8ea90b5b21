import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot

/// Fig. 1 of Yang & Schoenholz 2017: tanh FRN, theory against finite-width simulation.
/// (a) p and gamma, (b) e per layer for several initial conditions (200 layers); (c) the
/// gradient ratios against L - l (50 layers).
enum Figure1 {
    static func build(_ settings: ReproductionSettings) throws -> FigureResult {
        let sizes = SimulationComparison.Sizes.of(settings)
        let (lengths, correlations, forwardChecks) = try SimulationComparison.forwardPanels(
            activation: Tanh(), depth: 200, sizes: sizes, settings: settings, logLength: false, tag: "fig1")
        let (gradients, gradientChecks) = try SimulationComparison.gradientPanel(
            activation: Tanh(), depth: 50, sizes: sizes, settings: settings, tag: "fig1")
        let caption = "Fig. 1: tanh FRN, \(PaperNetwork.plainText). Thick lines: mean-field theory (infinite width); thin lines with shading: "
            + "simulation means and one standard deviation over runs (regular scale), \(sizes.text)"
            + (settings.quick ? " (quick run; the paper: 20 runs of width 1000, 25 of width 250)" : " (as in the paper)") + ". "
            + "(a) p^l and gamma^l (the lower curve of each colour), (b) e^l, for (p^0, e^0) = \(SimulationComparison.initialConditions.map { "(\($0.p0), \($0.e0))" }.joined(separator: ", ")), 200 layers. "
            + "(c) ln(chi^l/chi^L) and the parameter-gradient ratios against L - l, 50 layers; simulation: mean and spread of the per-run logarithms "
            + "(the paper plots the ratios themselves). Backward pass: true backpropagation (tied weights)."
        return FigureResult(
            figure: PlotFigure(name: "fig1", title: "Fig. 1 — tanh FRN: theory (thick) against simulation (mean ± 1 sd), \(PaperNetwork.text)",
                               panels: [lengths, correlations, gradients], columns: 3, panelWidth: 600, panelHeight: 460),
            caption: caption,
            parameters: .object([
                ("network", PaperNetwork.json),
                ("initial_conditions", .array(SimulationComparison.initialConditions.map { .object([("p0", .number($0.p0)), ("e0", .number($0.e0))]) })),
                ("forward", .object([("depth", .integer(200)), ("width", .integer(sizes.forwardWidth)), ("runs", .integer(sizes.forwardRuns))])),
                ("gradients", .object([("depth", .integer(50)), ("width", .integer(sizes.gradientWidth)), ("runs", .integer(sizes.gradientRuns))])),
                ("backward", .string("tied")),
            ]),
            checks: .object([("forward", forwardChecks), ("gradients", gradientChecks)]))
    }
}
