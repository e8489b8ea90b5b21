import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldSweep
import Synchronization

/// The theory side of Fig. 3(a, b) of Yang & Schoenholz 2017 (tanh RRN and FRN trained on
/// MNIST over a (sigma_w, L) grid): ln(chi^0/chi^L) and s^L over the same grid, the level
/// curves of ln(chi^0/chi^L), and the lines sigma_w^2 L = C that the paper draws (white
/// dotted) through them. To leading order ln(chi^0/chi^L) = A sqrt(L) with A proportional to
/// sigma_w, so a level curve is sigma_w^2 L = const (paper, section 6).
///
/// The forward pass does not depend on L, and ln(chi^0/chi^L) = S_L, the sum of the first L
/// backward log-factors; one engine run per sigma_w (all layers kept) gives the whole column
/// of the grid and, for each level, the exact depth where S crosses it (interpolated between
/// consecutive layers). `meanfield levels` solves the other way round (sigma_w for each L).
enum Figure3Theory {
    struct Network {
        let label: String
        let description: String
        let configuration: NetworkConfiguration
        let json: JSONValue
    }

    static func networks() -> [Network] {
        let sigmaB = PaperNetwork.sigmaB2.squareRoot()
        let rrn = NetworkConfiguration(architecture: .reducedResidual, activation: Tanh(), sigmaB: sigmaB, p0: 1, e0: 0.5, depth: 1)
        return [
            Network(label: "RRN", description: "tanh RRN, σ_b^2 = 0.49", configuration: rrn,
                    json: .object([("arch", .string("rrn")), ("sigma_b2", .number(PaperNetwork.sigmaB2)), ("p0", .number(1)), ("e0", .number(0.5))])),
            Network(label: "FRN", description: "tanh FRN, σ_v^2 = 1.5, σ_a^2 = 0.5, σ_b^2 = 0.49",
                    configuration: PaperNetwork.configuration(depth: 1, e0: 0.5),
                    json: .object([("arch", .string("frn")), ("sigma_v2", .number(PaperNetwork.sigmaV2)), ("sigma_a2", .number(PaperNetwork.sigmaA2)),
                                   ("sigma_b2", .number(PaperNetwork.sigmaB2)), ("p0", .number(1)), ("e0", .number(0.5))])),
        ]
    }

    /// One sigma_w column: S_l = ln(chi^0/chi^l) of an l-layer net and s^l, for l = 0...L.
    struct Column: Sendable {
        let gradientRatio: [Double]
        let expressivity: [Double]
    }

    static func build(_ settings: ReproductionSettings) throws -> FigureResult {
        let sigmaAxis = try GridAxis(parsing: settings.quick ? "sigma-w=0.4:3:12:log" : "sigma-w=0.2:3:32:log")
        let depthAxis = try GridAxis(parsing: settings.quick ? "depth=10:300:16:log" : "depth=10:1000:32:log")
        let sigmas = sigmaAxis.values, depths = depthAxis.values.map { Int($0) }
        let maximumDepth = depths.last!
        let levels: [Double] = settings.quick ? [4, 8, 16] : [5, 10, 20]
        var gradientPanels: [PlotPanel] = [], expressivityPanels: [PlotPanel] = []
        var checks: [(String, JSONValue)] = []
        for network in networks() {
            settings.log("fig3-theory: \(network.label), \(sigmas.count) engine runs (sigma_w) to L = \(maximumDepth)")
            let progress = ProgressBar(total: sigmas.count, label: "fig3-theory \(network.label)", enabled: settings.showProgress)
            let columns = try runColumns(network.configuration, sigmas: sigmas, depth: maximumDepth, threads: settings.threads) {
                progress.advance()
            }
            progress.finish()
            let gradientGrid = depths.map { L in columns.map { Optional($0.gradientRatio[L]) } }
            let expressivityGrid = depths.map { L in columns.map { Optional($0.expressivity[L]) } }

            var overlay: [PlotSeries] = []
            var labels: [PlotLabel] = []
            var levelChecks: [JSONValue] = []
            let sigmaV2 = network.configuration.effectiveSigmaV * network.configuration.effectiveSigmaV
            let sigmaA2 = network.configuration.effectiveSigmaA * network.configuration.effectiveSigmaA
            let constantPerSigma = try PredictedConstants.tanhGradientConstant(sigmaW: 1, sigmaV2: sigmaV2, sigmaA2: sigmaA2)
            for (k, level) in levels.enumerated() {
                // (sigma_w, L*) with L* in the plotted depth range.
                let curve = zip(sigmas, columns).compactMap { sigma, column in
                    crossingDepth(column.gradientRatio, level: level).map { (sigma: sigma, depth: $0) }
                }.filter { $0.depth >= Double(depths.first!) && $0.depth <= Double(maximumDepth) }
                guard curve.count >= 2 else { continue }
                let products = curve.map { $0.sigma * $0.sigma * $0.depth }
                let deepest = curve.max { $0.depth < $1.depth }!
                let constant = deepest.sigma * deepest.sigma * deepest.depth
                overlay.append(PlotSeries(title: k == 0 ? "level curves of ln(χ^0/χ^L) (white, labelled with the level)" : nil,
                                          x: curve.map(\.sigma), y: curve.map(\.depth), style: .linePoints,
                                          color: "#ffffff", lineWidth: 2))
                // Labelled at the middle of the curve, where no frame clips the text.
                let middle = curve[curve.count / 2]
                labels.append(PlotLabel(x: middle.sigma, y: middle.depth, text: FigureSupport.number(level), color: "#ffffff"))
                let lineDepths = FigureSupport.logSpacedLayers(upTo: maximumDepth, count: 60).map(Double.init)
                    .filter { $0 >= Double(depths.first!) && (constant / $0).squareRoot() >= sigmas.first! && (constant / $0).squareRoot() <= sigmas.last! }
                overlay.append(PlotSeries(title: k == 0 ? "σ_w^2 L = const through each curve's deepest point" : nil,
                                          x: lineDepths.map { (constant / $0).squareRoot() }, y: lineDepths,
                                          style: .dashed, color: "#ff9896", lineWidth: 2))
                levelChecks.append(.object([
                    ("level", .number(level)),
                    ("sigma_w", .array(curve.map { .number($0.sigma) })),
                    ("depth", .array(curve.map { .number($0.depth) })),
                    ("sigma_w2_L", .array(products.map(JSONValue.number))),
                    ("sigma_w2_L_max_over_min", .number(products.max()! / products.min()!)),
                    ("sigma_w2_L_at_deepest", .number(constant)),
                    ("leading_order_sigma_w2_L", .number(pow(level / constantPerSigma, 2))),
                ]))
            }
            checks.append((network.label.lowercased(), .object([("levels", .array(levelChecks))])))
            let depthValues = depths.map(Double.init)
            gradientPanels.append(PlotPanel(
                title: "ln(χ^0/χ^L), \(network.description)",
                xAxis: PlotAxis("σ_w", logarithmic: true), yAxis: PlotAxis("depth L", logarithmic: true), series: overlay,
                heatmap: Heatmap(x: sigmas, y: depthValues, z: gradientGrid, label: "ln(χ^0/χ^L)"),
                key: .below, labels: labels))
            expressivityPanels.append(PlotPanel(
                title: "s^L = <(x^L - x'^L)^2>, \(network.description)",
                xAxis: PlotAxis("σ_w", logarithmic: true), yAxis: PlotAxis("depth L", logarithmic: true),
                heatmap: Heatmap(x: sigmas, y: depthValues, z: expressivityGrid, label: "s^L", logarithmicColor: true,
                                 contourLevels: settings.quick ? [10, 100] : [10, 100, 1000])))
        }
        let levelText = levels.map { FigureSupport.number($0) }.joined(separator: ", ")
        let caption = "Fig. 3(a, b), theory side (mean field, infinite width; the paper's heatmaps are MNIST test accuracies, which need training and are not computed here): "
            + "tanh RRN (sigma_b^2 = 0.49) and tanh FRN (sigma_v^2 = 1.5, sigma_a^2 = 0.5, sigma_b^2 = 0.49), p^0 = 1, e^0 = 0.5, "
            + "sigma_w in [\(FigureSupport.number(sigmas.first!)), 3] (\(sigmas.count) values, log-spaced), L in [10, \(maximumDepth)] (\(depths.count) values, log-spaced). "
            + "Top: ln(chi^0/chi^L) and its level curves at \(levelText) (white: for each sigma_w of the grid, the depth where the recurrence crosses the level, interpolated between layers), "
            + "with the lines sigma_w^2 L = const through each curve's deepest point (dashed). Bottom: s^L, log colour scale, with contour lines. "
            + "The paper's fixed sigma_b, sigma_v, sigma_a are lost in the extracted text; these are our choices."
        return FigureResult(
            figure: PlotFigure(name: "fig3-theory", title: "Fig. 3 (theory side) — tanh resnets over (σ_w, L): mean-field theory",
                               panels: gradientPanels + expressivityPanels, columns: 2, panelWidth: 640, panelHeight: 520),
            caption: caption,
            parameters: .object([
                ("networks", .array(networks().map(\.json))),
                ("sigma_w", .array(sigmas.map(JSONValue.number))),
                ("depth", .array(depths.map(JSONValue.integer))),
                ("levels", .array(levels.map(JSONValue.number))),
            ]),
            checks: .object(checks))
    }

    /// One engine run per sigma_w, in parallel; columns in sigma order.
    static func runColumns(_ base: NetworkConfiguration, sigmas: [Double], depth: Int, threads: Int,
                           finished: @Sendable () -> Void) throws -> [Column] {
        let results = Mutex([Int: Column]())
        try parallelForEach(count: sigmas.count, threads: threads) { index in
            var config = base
            config.sigmaW = sigmas[index]
            config.depth = depth
            let rows = try FigureSupport.curve(config)
            let total = rows[0].logChi!
            let column = Column(gradientRatio: rows.map { total - $0.logChi! }, expressivity: rows.map(\.s))
            results.withLock { $0[index] = column }
            finished()
        }
        let columns = results.withLock { $0 }
        return sigmas.indices.map { columns[$0]! }
    }

    /// The (fractional) depth where the increasing sequence S_l first reaches `level`, linear
    /// between consecutive layers; nil if it never does.
    static func crossingDepth(_ ratio: [Double], level: Double) -> Double? {
        guard let l = ratio.firstIndex(where: { $0 >= level }), l > 0 else { return nil }
        let below = ratio[l - 1], above = ratio[l]
        return Double(l - 1) + (level - below) / (above - below)
    }
}
