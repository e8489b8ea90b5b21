import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot
import MeanFieldSimulation
import MeanFieldTheory

/// Theory curves over simulation means with one-standard-deviation bands, as in the paper's
/// Fig. 1 and A.1 ("smooth curves are theoretical estimates, irregular curves with shades
/// around them empirical means and standard deviations, both in regular scale").
enum SimulationComparison {
    struct InitialCondition: Sendable {
        let p0: Double
        let e0: Double
        var label: String { "p^0 = \(p0), e^0 = \(e0)" }
    }

    static let initialConditions = [InitialCondition(p0: 0.5, e0: 0.05), InitialCondition(p0: 2, e0: 0.5),
                                    InitialCondition(p0: 4, e0: 0.95)]

    struct Sizes: Sendable {
        let forwardWidth: Int, forwardRuns: Int, gradientWidth: Int, gradientRuns: Int
        var text: String {
            "forward: \(forwardRuns) runs of width \(forwardWidth); gradients: \(gradientRuns) runs of width \(gradientWidth)"
        }
        static func of(_ settings: ReproductionSettings) -> Sizes {
            // The paper: 20 runs of width 1000 (forward), 25 runs of width 250 (gradients).
            settings.quick ? Sizes(forwardWidth: 300, forwardRuns: 10, gradientWidth: 150, gradientRuns: 10)
                           : Sizes(forwardWidth: 1000, forwardRuns: 20, gradientWidth: 250, gradientRuns: 25)
        }
    }

    static func simulate(_ configuration: NetworkConfiguration, width: Int, runs: Int,
                         settings: ReproductionSettings) throws -> SimulationResult {
        let simulator = try Simulator(configuration: configuration,
                                      options: SimulationOptions(width: width, runs: runs, threads: settings.threads))
        let progress = ProgressBar(total: simulator.progressUnits, label: "simulate", enabled: settings.showProgress)
        defer { progress.finish() }
        return simulator.run { progress.advance(by: $0) }
    }

    /// z = (simulation mean - theory)/(std/sqrt(runs)) over the layers where both exist.
    static func agreement(theory: [Double?], statistics: [LayerStatistic], layers: ClosedRange<Int>) -> JSONValue {
        var z: [Double] = []
        for layer in layers {
            guard let t = theory[layer], let mean = statistics[layer].mean, let error = statistics[layer].standardError,
                  error > 0 else { continue }
            z.append((mean - t) / error)
        }
        let within = z.filter { abs($0) <= 3 }.count
        return .object([("layers_compared", .integer(z.count)),
                        ("max_abs_z", .finite(z.map(abs).max())),
                        ("share_abs_z_at_most_3", z.isEmpty ? .null : .number(Double(within) / Double(z.count)))])
    }

    /// Theory (line) and simulation (thin line and band) of one quantity, in matching colours.
    static func pair(_ label: String, x: [Double], theory: [Double?], statistics: [LayerStatistic],
                     colorIndex: Int) -> [PlotSeries] {
        [
            PlotSeries(title: label, x: x, y: statistics.map(\.mean),
                       spread: statistics.map(\.standardDeviation), style: .line, colorIndex: colorIndex, lineWidth: 1),
            PlotSeries(title: nil, x: x, y: theory, style: .line, colorIndex: colorIndex, lineWidth: 2.5),
        ]
    }

    /// (a) p and gamma, (b) e per layer, for the initial conditions; theory against simulation.
    static func forwardPanels(activation: any Activation, depth: Int, sizes: Sizes, settings: ReproductionSettings,
                              logLength: Bool, tag: String) throws -> (PlotPanel, PlotPanel, JSONValue) {
        var lengthSeries: [PlotSeries] = [], correlationSeries: [PlotSeries] = []
        var checks: [JSONValue] = []
        let x = (0...depth).map(Double.init)
        for (index, condition) in initialConditions.enumerated() {
            let config = PaperNetwork.configuration(activation: activation, depth: depth, p0: condition.p0, e0: condition.e0)
            settings.log("\(tag): simulating \(condition.label), \(sizes.forwardRuns) runs of width \(sizes.forwardWidth), \(depth) layers")
            let rows = try FigureSupport.curve(config)
            let simulation = try simulate(config, width: sizes.forwardWidth, runs: sizes.forwardRuns, settings: settings)
            let p = rows.map { Optional($0.p) }, gamma = rows.map { Optional($0.gamma) }, e = rows.map { Optional($0.e) }
            lengthSeries += pair("p, \(condition.label)", x: x, theory: p, statistics: simulation.statistics(.p), colorIndex: index)
            lengthSeries += pair("γ", x: x, theory: gamma, statistics: simulation.statistics(.gamma), colorIndex: index)
            correlationSeries += pair(condition.label, x: x, theory: e, statistics: simulation.statistics(.e), colorIndex: index)
            // γ shares its colour; drop its key entry (the caption says which curves are γ).
            lengthSeries[lengthSeries.count - 2].title = nil
            checks.append(.object([
                ("p0", .number(condition.p0)), ("e0", .number(condition.e0)),
                ("p", agreement(theory: p, statistics: simulation.statistics(.p), layers: 1...depth)),
                ("gamma", agreement(theory: gamma, statistics: simulation.statistics(.gamma), layers: 1...depth)),
                ("e", agreement(theory: e, statistics: simulation.statistics(.e), layers: 1...depth)),
                ("warnings", .array(simulation.warnings.map(JSONValue.string))),
            ]))
        }
        let layerAxis = PlotAxis("layer l", minimum: 0, maximum: Double(depth))
        return (
            PlotPanel(title: "(a) p^l (upper) and γ^l (lower of each colour)", xAxis: layerAxis,
                      yAxis: PlotAxis("p^l, γ^l", logarithmic: logLength), series: lengthSeries, key: .topLeft),
            PlotPanel(title: "(b) e^l", xAxis: layerAxis, yAxis: PlotAxis("e^l", minimum: 0, maximum: 1),
                      series: correlationSeries, key: .bottomRight),
            .array(checks))
    }

    /// (c) gradient quantities against L - l: ln of chi, chi_W, chi_b, chi_V, chi_a relative
    /// to chi^L; theory = ln of the mean-field expectation, simulation = mean and spread of
    /// the per-run logarithms.
    static func gradientPanel(activation: any Activation, depth: Int, sizes: Sizes, settings: ReproductionSettings,
                              tag: String) throws -> (PlotPanel, JSONValue) {
        let config = PaperNetwork.configuration(activation: activation, depth: depth, p0: 1, e0: 0.5)
        settings.log("\(tag): simulating gradients, \(sizes.gradientRuns) runs of width \(sizes.gradientWidth), \(depth) layers")
        let rows = try FigureSupport.curve(config)
        let simulation = try simulate(config, width: sizes.gradientWidth, runs: sizes.gradientRuns, settings: settings)
        let x = (0...depth).map { Double(depth - $0) }
        let quantities: [(String, SimulatedQuantity, (TheoryRow) -> Double?)] = [
            ("ln(χ^l/χ^L)", .logChi, \.logChi), ("ln(χ_W^l/χ^L)", .logChiW, \.logChiW), ("ln(χ_b^l/χ^L)", .logChiB, \.logChiB),
            ("ln(χ_V^l/χ^L)", .logChiV, \.logChiV), ("ln(χ_a^l/χ^L)", .logChiA, \.logChiA),
        ]
        var series: [PlotSeries] = []
        var checks: [(String, JSONValue)] = []
        for (index, (label, quantity, column)) in quantities.enumerated() {
            let theory = rows.map(column)
            guard theory.contains(where: { $0 != nil }) else { continue }
            series += pair(label, x: x, theory: theory, statistics: simulation.statistics(quantity), colorIndex: index)
            checks.append((quantity.rawValue, agreement(theory: theory, statistics: simulation.statistics(quantity), layers: 0...depth)))
        }
        checks.append(("warnings", .array(simulation.warnings.map(JSONValue.string))))
        return (PlotPanel(title: "(c) gradients against L - l (p^0 = 1, e^0 = 0.5)",
                          xAxis: PlotAxis("L - l", minimum: 0, maximum: Double(depth)), yAxis: PlotAxis("log ratio"),
                          series: series, key: .topLeft),
                .object(checks))
    }
}
