import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldIO
import MeanFieldSimulation

/// How large a reproduction runs.
public struct FigureSettings: Sendable {
    public enum Size: String, Sendable {
        /// Small widths and depths, a few runs: seconds (smoke tests).
        case quick
        /// The paper's widths, depths and batch sizes with a run count that finishes in
        /// minutes on 2 cores.
        case standard
        /// The paper's sizes and run count.
        case full
    }

    public var size: Size
    public var threads: Int
    public var seed: Int
    /// Overrides the run count of the size.
    public var runs: Int?
    public var progress: (@Sendable (Int) -> Void)?
    /// Called once per simulation with its total progress units.
    public var begin: (@Sendable (String, Int) -> Void)?

    public init(size: Size = .standard, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                seed: Int = SimulationOptions.defaultSeed, runs: Int? = nil,
                progress: (@Sendable (Int) -> Void)? = nil,
                begin: (@Sendable (String, Int) -> Void)? = nil) {
        self.size = size
        self.threads = threads
        self.seed = seed
        self.runs = runs
        self.progress = progress
        self.begin = begin
    }
}

/// What a reproduction wrote and found.
public struct FigureReport: Sendable {
    public let name: String
    public let files: [String]
    /// False when gnuplot is missing (data and script are written all the same).
    public let rendered: Bool
    /// The numbers the figure is about (also in NAME.json).
    public let checks: JSONValue
    public let warnings: [String]
}

/// The companion papers' figures (THEORY.md section 8): simulate, write the data (CSV), a
/// gnuplot script and PNG/SVG pictures, and a JSON file with parameters and the numbers the
/// figure shows. Self-contained on this branch; `run` is the entry point for a general
/// `reproduce` command.
public enum CompanionFigures {
    public struct Figure: Sendable {
        public let name: String
        public let summary: String
    }

    public static let figures: [Figure] = [
        Figure(name: "labatie-fig3", summary: "vanilla ReLU nets: the sensitivity factor tends to 1, the effective rank to 1 (Labatie 2019 Fig. 3)"),
        Figure(name: "labatie-fig4", summary: "batch-normalized feedforward nets: exploding sensitivity (Labatie 2019 Fig. 4)"),
        Figure(name: "labatie-fig5", summary: "batch-normalized resnets: power-law sensitivity, well-behaved (Labatie 2019 Fig. 5)"),
        Figure(name: "daneshmand-fig2", summary: "rank of deep linear and ReLU chains with and without batch norm (Daneshmand et al. 2020 Fig. 2)"),
    ]

    public static var names: [String] { figures.map(\.name) }

    public static func run(_ name: String, settings: FigureSettings, directory: String) throws -> FigureReport {
        switch name {
        case "labatie-fig3": return try labatieFigure3(settings, directory)
        case "labatie-fig4": return try labatieFigure4(settings, directory)
        case "labatie-fig5": return try labatieFigure5(settings, directory)
        case "daneshmand-fig2": return try daneshmandFigure2(settings, directory)
        default:
            throw InvalidParameter(option: "name", value: name,
                                   reason: "unknown figure (one of \(names.joined(separator: ", ")))")
        }
    }

    // MARK: Sizes

    /// Labatie's fully connected setting: width 512, batch 64, He initialization
    /// (sigma_w^2 = 2, zero biases), batch norm epsilon 1e-3; 1000 simulations in the paper.
    struct LabatieSize {
        var width: Int
        var batch: Int
        var depth: Int
        var runs: Int
    }

    static func labatieSize(_ settings: FigureSettings, depth: Int, standardRuns: Int) -> LabatieSize {
        var size: LabatieSize
        switch settings.size {
        case .quick: size = LabatieSize(width: 128, batch: 16, depth: max(20, depth / 10), runs: 4)
        case .standard: size = LabatieSize(width: 512, batch: 64, depth: depth, runs: standardRuns)
        case .full: size = LabatieSize(width: 512, batch: 64, depth: depth, runs: 1000)
        }
        if let runs = settings.runs { size.runs = runs }
        return size
    }

    static let heSigma = 2.0.squareRoot()

    // MARK: Simulation and files

    static func simulate(_ configuration: BatchNetworkConfiguration, width: Int, batch: Int,
                         runs: Int, settings: FigureSettings, label: String) throws -> BatchSimulationResult {
        let options = SimulationOptions(width: width, runs: runs, seed: settings.seed,
                                        threads: settings.threads, batch: batch)
        let simulator = try BatchSimulator(configuration: configuration, options: options)
        settings.begin?(label, simulator.progressUnits)
        return simulator.run(progress: settings.progress)
    }

    static func path(_ directory: String, _ file: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(file).path
    }

    /// Writes the data, the script and the JSON, renders, and reports.
    static func finish(name: String, directory: String, data: [(String, BatchSimulationResult)],
                       figure: GnuplotFigure, checks: [(String, JSONValue)],
                       parameters: [(String, JSONValue)]) throws -> FigureReport {
        var files: [String] = []
        for (file, result) in data {
            try AtomicFile.write(result.table().csv(), to: path(directory, file))
            files.append(path(directory, file))
        }
        let script = path(directory, "\(name).gp")
        try AtomicFile.write(figure.script(basename: name), to: script)
        files.append(script)
        let warnings = data.flatMap { $0.1.warnings }
        let json: JSONValue = .object([
            ("figure", .string(name)),
            ("summary", .string(figures.first { $0.name == name }?.summary ?? "")),
            ("parameters", .object(parameters)), ("checks", .object(checks)),
            ("data", .array(data.map { .string($0.0) })),
            ("warnings", .array(warnings.map(JSONValue.string))),
        ])
        try AtomicFile.write(json.serialized(pretty: true) + "\n", to: path(directory, "\(name).json"))
        files.append(path(directory, "\(name).json"))
        let rendered = try GnuplotFigure.render(scriptPath: script)
        if rendered { files += [path(directory, "\(name).png"), path(directory, "\(name).svg")] }
        return FigureReport(name: name, files: files, rendered: rendered, checks: .object(checks),
                            warnings: warnings)
    }

    static func labatieParameters(_ size: LabatieSize, _ configuration: BatchNetworkConfiguration,
                                  seed: Int) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = [
            ("arch", .string(configuration.architecture.rawValue)), ("activation", .string("relu")),
            ("sigma_w", .number(configuration.sigmaW)), ("sigma_b", .number(configuration.sigmaB)),
            ("width", .integer(size.width)), ("batch", .integer(size.batch)),
            ("depth", .integer(size.depth)), ("runs", .integer(size.runs)), ("seed", .integer(seed)),
            ("inputs", .string("structured: p0 = 1, e0 = 0.5")),
        ]
        if configuration.architecture.isBatchNormalized {
            pairs.append(("bn_epsilon", .number(configuration.epsilon)))
        }
        if configuration.architecture == .bnRes { pairs.append(("sublayers", .integer(configuration.sublayers))) }
        return pairs
    }

    /// Mean of a column over the last tenth of the layers.
    static func finalMean(_ result: BatchSimulationResult, _ quantity: SimulatedQuantity) -> Double? {
        let values = result.statistics(quantity).compactMap(\.mean)
        let tail = max(1, values.count / 10)
        let kept = values.suffix(tail)
        return kept.isEmpty ? nil : kept.reduce(0, +) / Double(kept.count)
    }

    // MARK: Labatie 2019

    static func labatieFigure3(_ settings: FigureSettings, _ directory: String) throws -> FigureReport {
        let size = labatieSize(settings, depth: 200, standardRuns: 100)
        let configuration = BatchNetworkConfiguration(architecture: .ff, activation: ReLU(),
                                                      sigmaW: heSigma, depth: size.depth)
        let result = try simulate(configuration, width: size.width, batch: size.batch,
                                  runs: size.runs, settings: settings, label: "labatie-fig3")
        let report = try RegimeReport.classify(result)
        let file = "labatie-fig3.csv"
        let figure = GnuplotFigure(
            title: "Vanilla ReLU nets, width \(size.width), batch \(size.batch), \(size.runs) runs (Labatie 2019 Fig. 3): one-dimensional signal",
            rows: 1, columns: 2, panels: [
                .init(title: "(a) sensitivity factor", xLabel: "layer l",
                      yLabel: "δχ^l = S^l / S^{l-1}",
                      curves: [.mean(file, "sensitivity_factor", title: "mean ± std over runs"),
                               .init(file: nil, x: "", y: "1", title: "1", style: "lines dt 2 lw 1")]),
                .init(title: "(b) effective rank of the signal", xLabel: "layer l",
                      yLabel: "r_{eff}(x^l)", logY: true,
                      curves: [.mean(file, "eff_rank", title: "mean ± std over runs"),
                               .init(file: nil, x: "", y: "1", title: "1 (one-dimensional)",
                                     style: "lines dt 2 lw 1")]),
            ], width: 1400, height: 600)
        let checks: [(String, JSONValue)] = [
            ("final_eff_rank", .finite(finalMean(result, .effRank))),
            ("final_sensitivity_factor", .finite(finalMean(result, .sensitivityFactor))),
            ("first_sensitivity_factor", .finite(result.statistics(.sensitivityFactor)[1].mean)),
            ("regime", report.json),
        ]
        return try finish(name: "labatie-fig3", directory: directory, data: [(file, result)],
                          figure: figure, checks: checks,
                          parameters: labatieParameters(size, configuration, seed: settings.seed))
    }

    static func labatieFigure4(_ settings: FigureSettings, _ directory: String) throws -> FigureReport {
        let size = labatieSize(settings, depth: 200, standardRuns: 100)
        let configuration = BatchNetworkConfiguration(architecture: .bnFF, activation: ReLU(),
                                                      sigmaW: heSigma, depth: size.depth)
        let result = try simulate(configuration, width: size.width, batch: size.batch,
                                  runs: size.runs, settings: settings, label: "labatie-fig4")
        let report = try RegimeReport.classify(result)
        let file = "labatie-fig4.csv"
        let c = report.exponential.prefactor
        let k = report.exponential.exponent.value
        let figure = GnuplotFigure(
            title: "Batch-normalized feedforward nets, width \(size.width), batch \(size.batch), \(size.runs) runs (Labatie 2019 Fig. 4): exploding sensitivity",
            rows: 2, columns: 2, panels: [
                .init(title: "(a) sensitivity factor and its parts", xLabel: "layer l",
                      yLabel: "increment of χ",
                      curves: [.mean(file, "sensitivity_factor", title: "δχ^l (whole layer)"),
                               .mean(file, "bn_factor", title: "δ_{BN}χ^l (dense + batch norm)"),
                               .mean(file, "phi_factor", title: "δ_{φ}χ^l (ReLU)")],
                      settings: ["set key right center box opaque"]),
                .init(title: "(b) normalized sensitivity", xLabel: "layer l", yLabel: "S^l = χ^l",
                      logY: true,
                      curves: [sensitivityCurve(file),
                               .init(file: nil, x: "", y: "\(c)*exp(\(k)*x)",
                                     title: "exponential fit, rate \(NumberFormat.significant(k, digits: 3)) per layer",
                                     style: "lines dt 2 lw 2")]),
                .init(title: "(c) effective rank", xLabel: "layer l", yLabel: "r_{eff}",
                      logY: true,
                      curves: [.mean(file, "eff_rank", title: "signal x^l"),
                               .mean(file, "eff_rank_noise", title: "noise dx^l")],
                      settings: ["set key bottom left box opaque"]),
                .init(title: "(d) distribution of z^l = BN(y^l)", xLabel: "layer l",
                      yLabel: "μ_4(z^l) (kurtosis)", y2Label: "ν_1(|z^l|)",
                      curves: [.mean(file, "mu4", title: "μ_4(z^l), left axis"),
                               .mean(file, "nu1", title: "ν_1(|z^l|), right axis", axes: "x1y2")]),
            ])
        let checks: [(String, JSONValue)] = [
            ("log_sensitivity_rate", .finite(k)),
            ("log_sensitivity_rate_stderr", .finite(report.exponential.exponent.standardError)),
            ("final_log_sensitivity", .finite(report.finalLogSensitivity)),
            ("mean_sensitivity_factor", .finite(meanOverLayers(result, .sensitivityFactor))),
            ("final_eff_rank", .finite(finalMean(result, .effRank))),
            ("final_eff_rank_noise", .finite(finalMean(result, .effRankNoise))),
            ("final_mu4", .finite(finalMean(result, .mu4))),
            ("final_nu1", .finite(finalMean(result, .nu1))),
            ("regime", report.json),
        ]
        return try finish(name: "labatie-fig4", directory: directory, data: [(file, result)],
                          figure: figure, checks: checks,
                          parameters: labatieParameters(size, configuration, seed: settings.seed))
    }

    /// S = exp(mean ln S) with the band exp(mean +- std) of ln S.
    static func sensitivityCurve(_ file: String) -> GnuplotFigure.Curve {
        let mean = "column(\"log_sensitivity_mean\")"
        let std = "column(\"log_sensitivity_std\")"
        return .init(file: file, x: "layer", y: "(exp(\(mean)))", title: "exp(mean ln S) ± std",
                     band: ("(exp(\(mean)-\(std)))", "(exp(\(mean)+\(std)))"))
    }

    static func meanOverLayers(_ result: BatchSimulationResult, _ quantity: SimulatedQuantity) -> Double? {
        let values = result.statistics(quantity).dropFirst().compactMap(\.mean)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Labatie's exponent tau = ((mean first-sub-layer factor)^{2H} - 1)/2 (section 7).
    public static func predictedExponent(meanSublayerFactor: Double, sublayers: Int) -> Double {
        (pow(meanSublayerFactor, Double(2 * sublayers)) - 1) / 2
    }

    static func labatieFigure5(_ settings: FigureSettings, _ directory: String) throws -> FigureReport {
        let size = labatieSize(settings, depth: 500, standardRuns: 50)
        let configuration = BatchNetworkConfiguration(architecture: .bnRes, activation: ReLU(),
                                                      sigmaW: heSigma, depth: size.depth,
                                                      sublayers: 2)
        let result = try simulate(configuration, width: size.width, batch: size.batch,
                                  runs: size.runs, settings: settings, label: "labatie-fig5")
        let report = try RegimeReport.classify(result)
        let file = "labatie-fig5.csv"
        let factor = meanOverLayers(result, .sublayerFactor) ?? .nan
        let tau = predictedExponent(meanSublayerFactor: factor, sublayers: configuration.sublayers)
        let c = report.power.prefactor
        let k = report.power.exponent.value
        let figure = GnuplotFigure(
            title: "Batch-normalized resnets, \(size.depth) units of H = 2, width \(size.width), batch \(size.batch), \(size.runs) runs (Labatie 2019 Fig. 5): well-behaved",
            rows: 2, columns: 2, panels: [
                .init(title: "(a) first sub-layer's sensitivity factor and its parts", xLabel: "residual unit l",
                      yLabel: "increment of χ",
                      curves: [.mean(file, "sublayer_factor", title: "δχ^{l,1}"),
                               .mean(file, "bn_factor", title: "δ_{BN}χ^{l,1} (batch norm)"),
                               .mean(file, "phi_factor", title: "δ_{φ}χ^{l,1} (ReLU + dense)")],
                      settings: ["set key right center box opaque"]),
                .init(title: "(b) normalized sensitivity", xLabel: "residual unit l", yLabel: "S^l = χ^l",
                      logX: true, logY: true,
                      curves: [sensitivityCurve(file),
                               .init(file: nil, x: "", y: "\(c)*x**\(k)",
                                     title: "power fit, exponent \(NumberFormat.significant(k, digits: 3))",
                                     style: "lines dt 2 lw 2"),
                               .init(file: nil, x: "", y: "\(c)*x**\(tau)",
                                     title: "τ = (⟨δχ^{l,1}⟩^{4} - 1)/2 = \(NumberFormat.significant(tau, digits: 3))",
                                     style: "lines dt 3 lw 2")],
                      settings: ["set xrange [1:*]"]),
                .init(title: "(c) effective rank of x^{l,1}", xLabel: "residual unit l", yLabel: "r_{eff}",
                      logY: true,
                      curves: [.mean(file, "eff_rank", title: "signal x^{l,1}"),
                               .mean(file, "eff_rank_noise", title: "noise dx^{l,1}")],
                      settings: ["set key bottom left box opaque"]),
                .init(title: "(d) distribution of z^{l,1} = BN(y^{l-1})", xLabel: "residual unit l",
                      yLabel: "μ_4(z^{l,1}) (kurtosis)", y2Label: "ν_1(|z^{l,1}|)",
                      curves: [.mean(file, "mu4", title: "μ_4, left axis"),
                               .mean(file, "nu1", title: "ν_1, right axis", axes: "x1y2")]),
            ])
        let checks: [(String, JSONValue)] = [
            ("power_exponent", .finite(k)),
            ("power_exponent_stderr", .finite(report.power.exponent.standardError)),
            ("mean_sublayer_factor", .finite(factor)),
            ("predicted_exponent", .finite(tau)),
            ("relative_difference", .finite((k - tau) / tau)),
            ("delta_aic_power_minus_exponential", .finite(report.deltaAIC)),
            ("final_eff_rank", .finite(finalMean(result, .effRank))),
            ("final_mu4", .finite(finalMean(result, .mu4))),
            ("final_nu1", .finite(finalMean(result, .nu1))),
            ("regime", report.json),
        ]
        return try finish(name: "labatie-fig5", directory: directory, data: [(file, result)],
                          figure: figure, checks: checks,
                          parameters: labatieParameters(size, configuration, seed: settings.seed))
    }

    // MARK: Daneshmand et al. 2020

    static func daneshmandFigure2(_ settings: FigureSettings, _ directory: String) throws -> FigureReport {
        // Width d = 32, Gaussian inputs, 10 runs (the paper's); n = d samples as their Fig. 3.
        var (width, depth, runs) = (32, 200, 10)
        if settings.size == .quick { (width, depth, runs) = (16, 40, 4) }
        if let override = settings.runs { runs = override }
        var data: [(String, BatchSimulationResult)] = []
        var checks: [(String, JSONValue)] = []
        for activation in ["linear", "relu"] {
            for arch in [ArchitectureName.bnChain, .linearChain] {
                let phi: any Activation = activation == "linear" ? Linear() : ReLU()
                let configuration = BatchNetworkConfiguration(
                    architecture: arch, activation: phi, depth: depth, inputs: .gaussian)
                let label = "daneshmand-fig2-\(activation)-\(arch == .bnChain ? "bn" : "vanilla")"
                let result = try simulate(configuration, width: width, batch: width, runs: runs,
                                          settings: settings, label: label)
                data.append(("\(label).csv", result))
                checks.append(("\(activation)_\(arch == .bnChain ? "bn" : "vanilla")_final_rank_proxy",
                               .finite(result.statistics(.rankProxy).last?.mean)))
                checks.append(("\(activation)_\(arch == .bnChain ? "bn" : "vanilla")_final_soft_rank",
                               .finite(result.statistics(.softRank).last?.mean)))
            }
        }
        // 95% confidence band of the mean: 1.96 standard errors, as the paper's figure.
        let z = 1.96 / Double(runs).squareRoot()
        func panel(_ activation: String, _ title: String) -> GnuplotFigure.Panel {
            let bn = "daneshmand-fig2-\(activation)-bn.csv"
            let vanilla = "daneshmand-fig2-\(activation)-vanilla.csv"
            return .init(title: title, xLabel: "layer l", yLabel: "rank of H_l (log scale)", logY: true,
                         curves: [.mean(bn, "rank_proxy", title: "BN: rank proxy d^2/||M||_F^2", scale: z),
                                  .mean(vanilla, "rank_proxy", title: "vanilla: rank proxy", scale: z),
                                  .init(file: bn, x: "layer", y: "soft_rank_mean",
                                        title: "BN: soft rank (τ = 0.5)", style: "lines dt 2 lw 2"),
                                  .init(file: vanilla, x: "layer", y: "soft_rank_mean",
                                        title: "vanilla: soft rank (τ = 0.5)", style: "lines dt 2 lw 2")],
                         settings: ["set key top right box opaque", "set yrange [0.8:*]"])
        }
        let figure = GnuplotFigure(
            title: "Rank of H_{l+1} = N(φ(W_l H_l)), width d = \(width), batch n = \(width), Gaussian inputs, mean and 95% CI of \(runs) runs (Daneshmand et al. 2020 Fig. 2)",
            rows: 1, columns: 2,
            panels: [panel("linear", "linear activations"), panel("relu", "ReLU activations")],
            width: 1400, height: 600)
        let parameters: [(String, JSONValue)] = [
            ("width", .integer(width)), ("batch", .integer(width)), ("depth", .integer(depth)),
            ("runs", .integer(runs)), ("seed", .integer(settings.seed)), ("skip_gamma", .string("inf")),
            ("sigma_w", .number(1)), ("inputs", .string("gaussian: i.i.d. N(0, 1)")),
            ("soft_rank_tau", .number(0.5)),
        ]
        return try finish(name: "daneshmand-fig2", directory: directory, data: data, figure: figure,
                          checks: checks, parameters: parameters)
    }
}
