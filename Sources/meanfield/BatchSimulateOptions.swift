import ArgumentParser
import Foundation
import MeanFieldCompanion
import MeanFieldCore
import MeanFieldIO
import MeanFieldSimulation

extension WeightDistribution: ExpressibleByArgument {}
extension InputDistribution: ExpressibleByArgument {}

/// simulate's options for the batch engine: the companion papers' architectures and
/// measurements (shared/CLI.md, "Batch-norm and rank architectures"; Docs/companion-papers.md).
struct BatchSimulateOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "Inputs propagated together (batch engine; default 64 when it is selected otherwise).")
    var batch: Int?

    @Option(parsing: .unconditional, help: "bn-res: sub-layers BN -> phi -> dense per residual unit (default 2).")
    var sublayers: Int?

    @Option(name: .customLong("skip-gamma"), parsing: .unconditional,
            help: "Chains: H <- N(H + gamma phi(W H)); inf (default) = no skip.")
    var skipGamma: Double?

    @Option(name: .customLong("bn-epsilon"), parsing: .unconditional,
            help: "Batch-norm fuzz (default 0.001 for bn-ff and bn-res, 0 for bn-chain).")
    var bnEpsilon: Double?

    @Option(help: "Weights: gaussian (default), orthogonal (Haar) or looks-linear (ff, relu).")
    var weights: WeightDistribution = .gaussian

    @Option(help: "Batch inputs: structured (p0, e0, m0 exactly; default) or gaussian (i.i.d. N(0, p0)).")
    var inputs: InputDistribution = .structured

    @Flag(name: .customLong("zero-branches"),
          help: "Zero-initialized residual branches: V = 0, a = 0 (frn) or the last dense of each unit (bn-res).")
    var zeroBranches = false

    @Option(name: .customLong("soft-rank-tau"), parsing: .unconditional,
            help: "Soft-rank threshold tau in (0, 1] (default 0.5).")
    var softRankTau: Double?

    @Flag(help: "Print the CPU time per part (products, random numbers, eigenvalue problems, ...) to stderr.")
    var timing = false

    @Flag(help: "Classify the run (exploding sensitivity, rank collapse, well-behaved); see Docs/companion-papers.md.")
    var regime = false

    @Option(name: .customLong("regime-rate"), parsing: .unconditional,
            help: "Regime: least exponential rate of S per layer that counts as exploding (default 0.01).")
    var regimeRate: Double = RegimeThresholds().exponentialRate

    @Option(name: .customLong("regime-aic-margin"), parsing: .unconditional,
            help: "Regime: AIC margin a growth law needs over the other (default 2).")
    var regimeAICMargin: Double = RegimeThresholds().aicMargin

    @Option(name: .customLong("regime-collapsed-rank"), parsing: .unconditional,
            help: "Regime: final effective rank at or below which the signal is one-dimensional (default 2).")
    var regimeCollapsedRank: Double = RegimeThresholds().collapsedRank

    @Option(name: .customLong("regime-healthy-rank"), parsing: .unconditional,
            help: "Regime: least final effective rank, as a fraction of min(N, M - 1), for well-behaved (default 0.1).")
    var regimeHealthyRank: Double = RegimeThresholds().healthyRankFraction

    @Option(name: .customLong("regime-kurtosis-tolerance"), parsing: .unconditional,
            help: "Regime: largest |mu4 - 3| for well-behaved (default 1).")
    var regimeKurtosisTolerance: Double = RegimeThresholds().kurtosisTolerance

    @Option(name: .customLong("regime-tail"), parsing: .unconditional,
            help: "Regime: final values average this last fraction of the layers (default 0.1).")
    var regimeTail: Double = RegimeThresholds().tailFraction

    @Option(name: .customLong("regime-from"), parsing: .unconditional,
            help: "Regime: first layer of the sensitivity fit, at most depth/4 (default 10).")
    var regimeFrom: Int = RegimeThresholds().fitFrom

    var thresholds: RegimeThresholds {
        RegimeThresholds(exponentialRate: regimeRate, aicMargin: regimeAICMargin,
                         collapsedRank: regimeCollapsedRank, healthyRankFraction: regimeHealthyRank,
                         kurtosisTolerance: regimeKurtosisTolerance, tailFraction: regimeTail,
                         fitFrom: regimeFrom)
    }

    static let defaultBatch = 64

    /// The batch engine runs the simulator-only architectures and anything asking for a
    /// batch, non-Gaussian weights, other inputs or the regime report. frn with
    /// --zero-branches alone stays on the standard engine (sigma_v = sigma_a = 0 exactly), so
    /// that its gradients are measured too.
    func selectsBatchEngine(_ network: NetworkOptions) -> Bool {
        network.arch.engineArchitecture == nil || batch != nil || weights != .gaussian
            || inputs != .structured || regime || softRankTau != nil || timing
    }

    /// Options that apply to some architectures only are refused elsewhere (one line, exit 2).
    func checkApplicability(_ network: NetworkOptions) throws {
        let arch = network.arch
        if let sublayers, arch != .bnRes {
            throw InvalidParameter(option: "sublayers", value: sublayers, reason: "applies to --arch bn-res only")
        }
        if let skipGamma, !arch.isChain {
            throw InvalidParameter(option: "skip-gamma", value: skipGamma,
                                   reason: "applies to --arch bn-chain and linear-chain only")
        }
        if let bnEpsilon, !arch.isBatchNormalized {
            throw InvalidParameter(option: "bn-epsilon", value: bnEpsilon,
                                   reason: "applies to the batch-normalized architectures only")
        }
    }

    /// The batch engine's network from the shared network options.
    func configuration(_ network: NetworkOptions) throws -> BatchNetworkConfiguration {
        try checkApplicability(network)
        if network.alpha != nil && network.activation != .alphaReLU {
            throw InvalidParameter(option: "alpha", value: network.alpha!,
                                   reason: "only applies to --activation alpha-relu")
        }
        guard network.depth >= 1, network.depth <= NetworkConfiguration.maximumDepth else {
            throw InvalidParameter(option: "depth", value: network.depth,
                                   reason: "must lie in 1...\(NetworkConfiguration.maximumDepth)")
        }
        return BatchNetworkConfiguration(
            architecture: network.arch, activation: try network.activation.make(alpha: network.alpha),
            sigmaW: network.sigmaW, sigmaB: network.sigmaB, sigmaV: network.sigmaV,
            sigmaA: network.sigmaA, p0: network.p0, e0: network.e0, inputMean: network.m0,
            depth: network.depth, sublayers: sublayers ?? 2, skipGamma: skipGamma ?? .infinity,
            bnEpsilon: bnEpsilon, weights: weights, zeroBranches: zeroBranches, inputs: inputs,
            softRankTau: softRankTau ?? 0.5)
    }

    /// Runs the batch engine and writes its table (and regime report) like simulate does.
    func runBatch(network: NetworkOptions, output: OutputOptions, options base: SimulationOptions) throws {
        let configuration = try self.configuration(network)
        if regime { try thresholds.validate() }
        let keep = try output.layerSelection(depth: configuration.depth)
        var options = base
        options.batch = batch ?? Self.defaultBatch
        let simulator = try BatchSimulator(configuration: configuration, options: options)
        let bar = ProgressBar(total: simulator.progressUnits, label: "simulate")
        let result = simulator.run(progress: { bar.advance(by: $0) }, timing: timing)
        bar.finish()
        if let costs = result.costs {
            FileHandle.standardError.write(Data("# CPU time by part, \(options.runs) runs:\n\(costs.text)\n".utf8))
        }
        for warning in result.warnings { CommandLineRunner.printWarning(warning) }
        let report = regime ? try RegimeReport.classify(result, thresholds: thresholds) : nil
        let text: String
        switch output.format {
        case .csv:
            text = result.table(keepLayer: keep).csv()
            if let report { FileHandle.standardError.write(Data(report.text.utf8)) }
        case .json:
            var pairs: [(String, JSONValue)] = [
                ("config", result.configurationJSON),
                ("columns", result.table(keepLayer: keep).jsonColumns()),
                ("warnings", .array(result.warnings.map { .string($0) })),
            ]
            if let report { pairs.append(("regime", report.json)) }
            text = JSONValue.object(pairs).serialized(pretty: true) + "\n"
        case .table:
            text = result.table(keepLayer: keep).text(digits: 6) + (report?.text ?? "")
        }
        try output.destination.write(text)
    }
}
