import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldIO
import MeanFieldPlot
import MeanFieldTheory

/// Fig. 2 of Yang & Schoenholz 2017, tanh FRN, all theory:
/// (a) e* and delta* against sigma_a^2/sigma_v^2 (they depend on the ratio only), with the
///     engine's e^L and a fitted delta at a few ratios;
/// (b) |e^l - e*| in log-log for several e^0, against the predicted slope -delta*;
/// (c) ln(chi^0/chi^l) against sqrt(l) for several sigma_w, against the predicted slope A.
enum Figure2 {
    static func build(_ settings: ReproductionSettings) throws -> FigureResult {
        let depth = settings.quick ? 2_000 : 10_000
        let checkDepth = settings.quick ? 10_000 : 100_000

        // (a) Constants against the ratio, and the engine at a few ratios.
        settings.log("fig2: e* and delta* over sigma_a^2/sigma_v^2; engine checks at depth \(checkDepth)")
        let ratios = (0..<161).map { pow(10, -2 + 4 * Double($0) / 160) }
        let constants = try ratios.map { try PredictedConstants.tanhCorrelation(sigmaV2: 1, sigmaA2: $0) }
        let checkRatios: [Double] = [0.03, 0.1, 0.3, 1, 3, 10]
        var engineE: [Double?] = [], fittedDelta: [Double?] = [], fittedDeltaError: [Double?] = []
        var ratioChecks: [JSONValue] = []
        let fitFrom = 100.0
        for ratio in checkRatios {
            var config = PaperNetwork.configuration(depth: checkDepth)
            config.sigmaA = (ratio * PaperNetwork.sigmaV2).squareRoot()
            let (eStar, deltaStar) = try PredictedConstants.tanhCorrelation(sigmaV2: PaperNetwork.sigmaV2, sigmaA2: ratio * PaperNetwork.sigmaV2)
            let layers = FigureSupport.logSpacedLayers(upTo: checkDepth, count: 600)
            let rows = try FigureSupport.curve(config, layers: [0] + layers)
            let eL = rows.last!.e
            engineE.append(eL)
            // |e - e*| with its l^-1/2 and l^-1 corrections (THEORY.md section 6; Docs/fitting.md).
            let window = rows.filter { Double($0.layer) >= fitFrom }
            var delta: Double? = nil, deltaError: Double? = nil, failure: String? = nil
            do {
                let fit = try GrowthLawFit.fit(x: window.map { Double($0.layer) }, y: window.map(\.e),
                                               law: .powerCorrected, limit: eStar)
                delta = fit.exponent.value
                deltaError = fit.exponent.standardError
            } catch {
                failure = "\(error)"
            }
            fittedDelta.append(delta)
            fittedDeltaError.append(deltaError)
            ratioChecks.append(.object([
                ("sigma_a2_over_sigma_v2", .number(ratio)), ("e_star", .number(eStar)),
                ("e_at_depth", .number(eL)), ("depth", .integer(checkDepth)),
                ("delta_star", .number(deltaStar)), ("delta_fit_power_corrected", .finite(delta)),
                ("delta_fit_stderr", .finite(deltaError)), ("fit_window", .array([.number(fitFrom), .integer(checkDepth)])),
                ("fit_error", failure.map(JSONValue.string) ?? .null),
            ]))
        }
        let panelA = PlotPanel(
            title: "(a) fixed point and rate (theory)",
            xAxis: PlotAxis("σ_a^2 / σ_v^2", logarithmic: true), yAxis: PlotAxis("e*, δ*", minimum: 0, maximum: 1),
            series: [
                PlotSeries(title: "e* (predicted)", x: ratios, y: constants.map(\.eStar), colorIndex: 0),
                PlotSeries(title: "δ* (predicted)", x: ratios, y: constants.map(\.deltaStar), colorIndex: 1),
                PlotSeries(title: "e^L of the recurrence, L = \(checkDepth)", x: checkRatios, y: engineE, style: .points, colorIndex: 0),
                PlotSeries(title: "δ fitted to |e^l - e*|, l ≥ 100", x: checkRatios, y: fittedDelta, style: .points, colorIndex: 1),
            ],
            key: .bottomRight)

        // (b) |e - e*| for several initial correlations at the paper's network.
        settings.log("fig2: |e - e*| for several e^0, depth \(depth)")
        let (eStar, deltaStar) = try PredictedConstants.tanhCorrelation(sigmaV2: PaperNetwork.sigmaV2, sigmaA2: PaperNetwork.sigmaA2)
        let layers = FigureSupport.logSpacedLayers(upTo: depth)
        let initialCorrelations: [Double] = [0.3, 0.7, 0.9, 0.99]
        var panelBSeries: [PlotSeries] = []
        var slopeChecks: [JSONValue] = []
        var anchor: (x: Double, y: Double)? = nil
        for (index, e0) in initialCorrelations.enumerated() {
            let rows = try FigureSupport.curve(PaperNetwork.configuration(depth: depth, e0: e0), layers: layers)
            let x = rows.map { Double($0.layer) }, distance = rows.map { abs($0.e - eStar) }
            panelBSeries.append(PlotSeries(title: "e^0 = \(e0)", x: x, y: distance, colorIndex: index))
            let slope = try FigureSupport.logLogSlope(x: x, y: distance, from: Double(depth) / 10, to: Double(depth))
            slopeChecks.append(.object([("e0", .number(e0)), ("loglog_slope_last_decade", .number(slope.value)),
                                        ("predicted", .number(-deltaStar))]))
            if index == 0 { anchor = (x.last!, distance.last!) }
        }
        let referenceX = layers.map(Double.init)
        panelBSeries.append(PlotSeries(title: "∝ l^{-δ*}, δ* = \(FigureSupport.number(deltaStar)) (shifted)", x: referenceX,
                                       y: FigureSupport.anchoredPowerLaw(x: referenceX, through: anchor!, slope: -deltaStar),
                                       style: .dashed, color: "#000000"))
        let panelB = PlotPanel(title: "(b) |e^l - e*|, e* = \(FigureSupport.number(eStar)) (theory)",
                               xAxis: PlotAxis("layer l", logarithmic: true, minimum: 1, maximum: Double(depth)),
                               yAxis: PlotAxis("|e^l - e*|", logarithmic: true), series: panelBSeries, key: .bottomLeft)

        // (c) ln(chi^0/chi^l) = S_l against sqrt(l): from one run, S_l = log_chi(0) - log_chi(l).
        settings.log("fig2: gradient ratios for several sigma_w, depth \(depth)")
        let weightScales: [Double] = [0.5, 1.3, 2.5]
        var panelCSeries: [PlotSeries] = []
        var gradientChecks: [JSONValue] = []
        let gradientLayers = Array(stride(from: 0, through: depth, by: max(1, depth / 400)))
        for (index, sigmaW) in weightScales.enumerated() {
            var config = PaperNetwork.configuration(depth: depth)
            config.sigmaW = sigmaW
            let rows = try FigureSupport.curve(config, layers: gradientLayers)
            let top = rows[0].logChi!
            let sqrtL = rows.map { Double($0.layer).squareRoot() }
            let ratio = rows.map { top - $0.logChi! }
            let a = try PredictedConstants.tanhGradientConstant(sigmaW: sigmaW, sigmaV2: PaperNetwork.sigmaV2, sigmaA2: PaperNetwork.sigmaA2)
            panelCSeries.append(PlotSeries(title: "σ_w = \(sigmaW)", x: sqrtL, y: ratio, colorIndex: index))
            panelCSeries.append(PlotSeries(title: index == 0 ? "predicted slope A (dashed)" : nil, x: sqrtL,
                                           y: sqrtL.map { ratio.last! + a * ($0 - sqrtL.last!) },
                                           style: .dashed, colorIndex: index, lineWidth: 1))
            // Slope over the second half in sqrt(l), by least squares.
            let half = zip(sqrtL, ratio).filter { $0.0 >= sqrtL.last! / 2 }
            let meanX = half.map(\.0).reduce(0, +) / Double(half.count), meanY = half.map(\.1).reduce(0, +) / Double(half.count)
            let slope = half.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +) / half.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
            gradientChecks.append(.object([("sigma_w", .number(sigmaW)), ("A_predicted", .number(a)),
                                           ("slope_in_sqrt_l_second_half", .number(slope)),
                                           ("log_chi0_over_chiL_at_depth", .number(ratio.last!))]))
        }
        let panelC = PlotPanel(title: "(c) ln(χ^0/χ^l) against √l (theory)",
                               xAxis: PlotAxis("√l", minimum: 0, maximum: Double(depth).squareRoot()), yAxis: PlotAxis("ln(χ^0/χ^l)"),
                               series: panelCSeries, key: .topLeft)

        let caption = "Fig. 2 (theory, infinite width), tanh FRN, \(PaperNetwork.plainText) unless varied; p^0 = 1. "
            + "(a) predicted e* and delta* against sigma_a^2/sigma_v^2, with the recurrence's e^L (L = \(checkDepth)) and delta fitted to |e^l - e*| (law C1 l^-k + C2 l^-1/2 + C3 l^-1, l >= 100). "
            + "(b) |e^l - e*| for e^0 = 0.3, 0.7, 0.9, 0.99 up to L = \(depth); dashed: slope -delta*, shifted. "
            + "(c) ln(chi^0/chi^l) against sqrt(l) for sigma_w = 0.5, 1.3, 2.5; dashed: slope A = (4/3) sqrt(2/pi) sigma_w sigma_v^2/sqrt(B) through the last point."
        let figure = PlotFigure(name: "fig2", title: "Fig. 2 — tanh FRN, mean-field theory (\(PaperNetwork.text))",
                                panels: [panelA, panelB, panelC], columns: 3, panelWidth: 560, panelHeight: 440)
        return FigureResult(
            figure: figure, caption: caption,
            parameters: .object([("network", PaperNetwork.json), ("depth", .integer(depth)), ("check_depth", .integer(checkDepth)),
                                 ("e0_values", .array(initialCorrelations.map(JSONValue.number))),
                                 ("sigma_w_values", .array(weightScales.map(JSONValue.number)))]),
            checks: .object([("e_star", .number(eStar)), ("delta_star", .number(deltaStar)),
                             ("ratios", .array(ratioChecks)), ("e_distance_slopes", .array(slopeChecks)),
                             ("gradient_slopes", .array(gradientChecks))]))
    }
}
