import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldTheory

/// Fig. A.2 of Yang & Schoenholz 2017, alpha-ReLU FRN, all theory: the recurrences' power
/// laws against the predicted exponents (THEORY.md section 6), as local log-log slopes
/// d ln y / d ln l, which settle on the exponent where the power law holds:
/// (a) |e^l - e*| ~ l^-delta*, from e^0 = 0.5 and from e^0 = e* (the paper notes that the
///     start closest to e* shows the rate earliest); (b) chi^0/chi^l ~ l^R; (c) p ~ l^(1/(1-alpha));
/// (d) the exponents against alpha, with the slopes at the last layer.
enum FigureA2 {
    static let alphas: [Double] = [0.55, 0.65, 0.75, 0.85, 0.95]

    static func build(_ settings: ReproductionSettings) throws -> FigureResult {
        let depth = settings.quick ? 10_000 : 100_000
        let layers = FigureSupport.logSpacedLayers(upTo: depth, count: 300)
        var correlation: [PlotSeries] = [], gradient: [PlotSeries] = [], length: [PlotSeries] = []
        var finalSlopes: [(delta: Double, deltaFromFixedPoint: Double, gradient: Double, length: Double)] = []
        var checks: [JSONValue] = []
        let x = layers.map(Double.init)
        func horizontal(_ value: Double, _ index: Int) -> PlotSeries {
            PlotSeries(title: nil, x: [x.first!, x.last!], y: [value, value], style: .dashed, colorIndex: index, lineWidth: 1.5)
        }
        for (index, alpha) in alphas.enumerated() {
            settings.log("figA2: alpha = \(alpha), depth \(depth)")
            let (eStar, deltaStar) = try PredictedConstants.alphaReLUCorrelation(alpha: alpha)
            let r = try PredictedConstants.alphaReLUGradientExponent(alpha: alpha)
            let lengthExponent = try PredictedConstants.alphaReLULengthExponent(alpha: alpha)
            let label = "α = \(alpha)"

            let all = try FigureSupport.curve(PaperNetwork.configuration(activation: AlphaReLU(alpha: alpha), depth: depth, e0: 0.5),
                                              layers: [0] + layers)
            let top = all[0].logChi!   // ln(chi^0/chi^L)
            let rows = all.filter { $0.layer >= 1 }
            let fromFixedPoint = try FigureSupport.curve(
                PaperNetwork.configuration(activation: AlphaReLU(alpha: alpha), depth: depth, e0: eStar), layers: layers)

            let deltaSlope = localSlopes(x: x, y: rows.map { abs($0.e - eStar) }).map { $0.map { -$0 } }
            let deltaSlopeFixed = localSlopes(x: x, y: fromFixedPoint.map { abs($0.e - eStar) }).map { $0.map { -$0 } }
            // ln(chi^0/chi^l) over the first l layers = ln(chi^0/chi^L) - ln(chi^l/chi^L).
            let gradientSlope = localSlopes(x: x, logY: rows.map { top - $0.logChi! })
            let lengthSlope = localSlopes(x: x, y: rows.map(\.p))

            correlation.append(PlotSeries(title: label, x: x, y: deltaSlope, colorIndex: index))
            correlation.append(PlotSeries(title: index == 0 ? "from e^0 = e* (dotted)" : nil, x: x, y: deltaSlopeFixed,
                                          style: .dotted, colorIndex: index))
            correlation.append(horizontal(deltaStar, index))
            gradient.append(PlotSeries(title: label, x: x, y: gradientSlope, colorIndex: index))
            gradient.append(horizontal(r, index))
            length.append(PlotSeries(title: label, x: x, y: lengthSlope, colorIndex: index))
            length.append(horizontal(lengthExponent, index))

            let last = (deltaSlope.last!!, deltaSlopeFixed.last!!, gradientSlope.last!!, lengthSlope.last!!)
            finalSlopes.append(last)
            checks.append(.object([
                ("alpha", .number(alpha)), ("e_star", .number(eStar)), ("depth", .integer(depth)),
                ("delta_star", .number(deltaStar)), ("delta_slope_from_e0_0.5", .number(last.0)),
                ("delta_slope_from_e0_e_star", .number(last.1)),
                ("R", .number(r)), ("R_slope", .number(last.2)),
                ("p_exponent", .number(lengthExponent)), ("p_slope", .number(last.3)),
            ]))
        }
        let dense = (0..<97).map { 0.52 + 0.46 * Double($0) / 96 }
        let predictedDelta = try dense.map { try PredictedConstants.alphaReLUCorrelation(alpha: $0).deltaStar }
        let exponents = PlotPanel(
            title: "(d) exponents: predicted (lines), local slopes at l = L (points)",
            xAxis: PlotAxis("α"), yAxis: PlotAxis("exponent", logarithmic: true, minimum: 0.01, maximum: 100),
            series: [
                PlotSeries(title: "δ*", x: dense, y: predictedDelta, colorIndex: 0),
                PlotSeries(title: "R", x: dense, y: try dense.map(PredictedConstants.alphaReLUGradientExponent), colorIndex: 1),
                PlotSeries(title: "1/(1-α)", x: dense, y: try dense.map(PredictedConstants.alphaReLULengthExponent), colorIndex: 2),
                PlotSeries(title: "δ, from e^0 = 0.5", x: alphas, y: finalSlopes.map(\.delta), style: .points, colorIndex: 0),
                PlotSeries(title: "δ, from e^0 = e*", x: alphas, y: finalSlopes.map(\.deltaFromFixedPoint), style: .points, color: "#7fb2d9"),
                PlotSeries(title: nil, x: alphas, y: finalSlopes.map(\.gradient), style: .points, colorIndex: 1),
                PlotSeries(title: nil, x: alphas, y: finalSlopes.map(\.length), style: .points, colorIndex: 2),
            ],
            key: .bottomLeft)
        let layerAxis = PlotAxis("layer l", logarithmic: true, minimum: 1, maximum: Double(depth))
        let panels = [
            PlotPanel(title: "(a) -d ln|e^l - e*| / d ln l from e^0 = 0.5; dashed: δ*",
                      xAxis: layerAxis, yAxis: PlotAxis("local exponent of |e^l - e*|", minimum: 0, maximum: 1),
                      series: correlation, key: .topRight),
            PlotPanel(title: "(b) d ln(χ^0/χ^l) / d ln l; dashed: R",
                      xAxis: layerAxis, yAxis: PlotAxis("local exponent of χ^0/χ^l", minimum: 0),
                      series: gradient, key: .topLeft),
            PlotPanel(title: "(c) d ln p^l / d ln l; dashed: 1/(1-α)",
                      xAxis: layerAxis, yAxis: PlotAxis("local exponent of p^l", minimum: 0),
                      series: length, key: .topLeft),
            exponents,
        ]
        let caption = "Fig. A.2 (theory, infinite width), alpha-ReLU FRN, \(PaperNetwork.plainText), p^0 = 1, "
            + "alpha = \(alphas.map { "\($0)" }.joined(separator: ", ")), L = \(depth). Local log-log slopes (central differences on log-spaced layers) "
            + "against the predicted exponents (dashed): (a) of |e^l - e*| from e^0 = 0.5 (solid) and e^0 = e* (dotted), delta* = (1 - J_alpha'(e*))/(1 - alpha); "
            + "(b) of chi^0/chi^l, R = alpha^2/((1 - alpha)(2 alpha - 1)); (c) of p^l, 1/(1 - alpha). (d) the exponents against alpha and the slopes at l = L. "
            + "The slopes of |e - e*| approach delta* slowly (from both sides), as the paper notes."
        return FigureResult(
            figure: PlotFigure(name: "figA2", title: "Fig. A.2 — α-ReLU FRN exponents, mean-field theory (\(PaperNetwork.text))",
                               panels: panels, columns: 2, panelWidth: 640, panelHeight: 470),
            caption: caption,
            parameters: .object([("network", PaperNetwork.json), ("depth", .integer(depth)), ("e0", .array([.number(0.5), .string("e*")])),
                                 ("alphas", .array(alphas.map(JSONValue.number)))]),
            checks: .array(checks))
    }

    /// d ln y / d ln x by central differences (one-sided at the ends); nil where y <= 0.
    static func localSlopes(x: [Double], y: [Double]) -> [Double?] {
        localSlopes(x: x, logY: y.map { $0 > 0 ? log($0) : .nan })
    }

    static func localSlopes(x: [Double], logY: [Double]) -> [Double?] {
        let lx = x.map(log)
        return x.indices.map { i in
            let a = max(i - 1, 0), b = min(i + 1, x.count - 1)
            let slope = (logY[b] - logY[a]) / (lx[b] - lx[a])
            return slope.isFinite ? slope : nil
        }
    }
}
