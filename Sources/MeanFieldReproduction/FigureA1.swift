import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot

/// Fig. A.1 of Yang & Schoenholz 2017: alpha-ReLU FRN for several alpha, theory against
/// finite-width simulation, one row per alpha in the format of Fig. 1. For alpha = 1 (ReLU) the
/// forward panels stop at 50 layers with a log scale for p, as in the paper (activations
/// explode exponentially).
enum FigureA1 {
    static let alphas: [Double] = [0.55, 0.65, 0.75, 0.85, 0.95, 1]

    static func build(_ settings: ReproductionSettings) throws -> FigureResult {
        let sizes = SimulationComparison.Sizes.of(settings)
        var panels: [PlotPanel] = []
        var checks: [JSONValue] = []
        for alpha in alphas {
            let activation = AlphaReLU(alpha: alpha)
            let relu = alpha == 1
            var (lengths, correlations, forwardChecks) = try SimulationComparison.forwardPanels(
                activation: activation, depth: relu ? 50 : 200, sizes: sizes, settings: settings, logLength: relu,
                tag: "figA1 alpha = \(alpha)")
            var (gradients, gradientChecks) = try SimulationComparison.gradientPanel(
                activation: activation, depth: 50, sizes: sizes, settings: settings, tag: "figA1 alpha = \(alpha)")
            lengths.title = "α = \(alpha): (a) p^l, γ^l"
            correlations.title = "α = \(alpha): (b) e^l"
            gradients.title = "α = \(alpha): (c) gradients against L - l"
            if alpha != alphas[0] {
                // One legend per column: the colours repeat in every row.
                lengths.key = .hidden
                correlations.key = .hidden
                gradients.key = .hidden
            }
            panels += [lengths, correlations, gradients]
            checks.append(.object([("alpha", .number(alpha)), ("forward", forwardChecks), ("gradients", gradientChecks)]))
        }
        let caption = "Fig. A.1: alpha-ReLU FRN, \(PaperNetwork.plainText), alpha = \(alphas.map { "\($0)" }.joined(separator: ", ")) (one row each). "
            + "Thick lines: mean-field theory (infinite width); thin lines with shading: simulation means and one standard deviation over runs, \(sizes.text)"
            + (settings.quick ? " (quick run; the paper: 20 runs of width 1000, 25 of width 250)" : " (as in the paper)") + ". "
            + "Columns as in Fig. 1; for alpha = 1 the forward panels stop at layer 50 with a log scale. For alpha <= 3/4 the gradient's variance over runs is infinite "
            + "(THEORY.md section 4): its simulated spread does not settle and theory need not match the sample mean."
        return FigureResult(
            figure: PlotFigure(name: "figA1", title: "Fig. A.1 — α-ReLU FRN: theory (thick) against simulation (mean ± 1 sd), \(PaperNetwork.text)",
                               panels: panels, columns: 3, panelWidth: 520, panelHeight: 380),
            caption: caption,
            parameters: .object([
                ("network", PaperNetwork.json), ("alphas", .array(alphas.map(JSONValue.number))),
                ("initial_conditions", .array(SimulationComparison.initialConditions.map { .object([("p0", .number($0.p0)), ("e0", .number($0.e0))]) })),
                ("forward_width", .integer(sizes.forwardWidth)), ("forward_runs", .integer(sizes.forwardRuns)),
                ("gradient_width", .integer(sizes.gradientWidth)), ("gradient_runs", .integer(sizes.gradientRuns)),
            ]),
            checks: .array(checks))
    }
}
