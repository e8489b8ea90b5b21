import COpenBLAS
import Dispatch
import Foundation
import MeanFieldCore
import MeanFieldIO
import Synchronization

/// The batch engine's per-layer quantities (Docs/companion-papers.md defines each).
extension SimulatedQuantity {
    /// ln S^l, S^l = sqrt(mu_2(dx^l)/mu_2(x^l)) / sqrt(mu_2(dx^0)/mu_2(x^0)) (Labatie's chi).
    public static let logSensitivity = SimulatedQuantity(rawValue: "log_sensitivity")
    /// S^l / S^{l-1}.
    public static let sensitivityFactor = SimulatedQuantity(rawValue: "sensitivity_factor")
    /// trace(C)/||C||_2 of the channel covariance of the signal (bn-res: of x^{l,1}).
    public static let effRank = SimulatedQuantity(rawValue: "eff_rank")
    /// Average per-channel kurtosis of the standardized activation input.
    public static let mu4 = SimulatedQuantity(rawValue: "mu4")
    /// Average |z| of the standardized activation input.
    public static let nu1 = SimulatedQuantity(rawValue: "nu1")
    /// trace(M)^2/||M||_F^2, M = X X^T/M_batch (Daneshmand et al. 2020).
    public static let rankProxy = SimulatedQuantity(rawValue: "rank_proxy")
    /// Eigenvalues of M scaled to trace N that are >= tau.
    public static let softRank = SimulatedQuantity(rawValue: "soft_rank")
    /// Labatie's delta_BN chi: the factor from the layer's input to the normalized
    /// pre-activation z (without batch norm, through the dense step).
    public static let bnFactor = SimulatedQuantity(rawValue: "bn_factor")
    /// Labatie's delta_phi chi: from z through phi (bn-res: and the dense step after it).
    public static let phiFactor = SimulatedQuantity(rawValue: "phi_factor")
    /// bn-res: delta chi^{l,1}, the first sub-layer's whole factor (bn_factor * phi_factor).
    public static let sublayerFactor = SimulatedQuantity(rawValue: "sublayer_factor")
    /// The effective rank of the noise at the place of eff_rank.
    public static let effRankNoise = SimulatedQuantity(rawValue: "eff_rank_noise")
    /// nu_2 and mu_2 of the signal: mean square, and per-channel variance averaged.
    public static let nu2 = SimulatedQuantity(rawValue: "nu2")
    public static let mu2 = SimulatedQuantity(rawValue: "mu2")
    /// Pre-activations: q = |h|^2/N of input 1 and c = cos(h, h') of inputs 1 and 2.
    public static let q = SimulatedQuantity(rawValue: "q")
    public static let c = SimulatedQuantity(rawValue: "c")
}

/// The quantities of a batch run, in CSV order after the standard columns.
public enum BatchQuantity {
    /// The extra columns of shared/CLI.md, in its order.
    public static let contract: [SimulatedQuantity] = [
        .logSensitivity, .sensitivityFactor, .effRank, .mu4, .nu1, .rankProxy, .softRank,
    ]
    /// Further columns of the batch engine.
    public static let further: [SimulatedQuantity] = [
        .bnFactor, .phiFactor, .sublayerFactor, .effRankNoise, .nu2, .mu2, .q, .c,
    ]
    public static let all: [SimulatedQuantity] = SimulatedQuantity.forward + contract + further
}

/// The batch engine (THEORY.md section 8): R networks, each propagating M inputs and their
/// first-order noise, forward only; per-layer statistics over runs. Deterministic by
/// (seed, run, layer, role, index) like `Simulator`, runs spread over threads.
public struct BatchSimulator: Sendable {
    public let configuration: BatchNetworkConfiguration
    public let options: SimulationOptions

    public init(configuration: BatchNetworkConfiguration, options: SimulationOptions,
                availableMemory: Int? = SystemMemory.available()) throws {
        try configuration.validate(width: options.width, batch: options.batch)
        guard options.width >= 2 else {
            throw InvalidParameter(option: "width", value: options.width, reason: "must be at least 2")
        }
        guard options.runs >= 1 else {
            throw InvalidParameter(option: "runs", value: options.runs, reason: "must be at least 1")
        }
        guard options.seed >= 0 else {
            throw InvalidParameter(option: "seed", value: options.seed, reason: "must be >= 0")
        }
        guard options.threads >= 1 else {
            throw InvalidParameter(option: "threads", value: options.threads, reason: "must be at least 1")
        }
        guard options.batch >= 2 else {
            throw InvalidParameter(option: "batch", value: options.batch, reason:
                "must be at least 2 (the pair x, x' of the standard columns)")
        }
        self.configuration = configuration
        self.options = options
        if let availableMemory {
            let needed = estimatedMemory
            if needed > availableMemory {
                throw InvalidParameter(
                    option: "width", value: options.width,
                    reason: "\(min(options.threads, options.runs)) runs in parallel need about "
                        + "\(SimulationOptions.gibibytes(needed)), but only "
                        + "\(SimulationOptions.gibibytes(availableMemory)) is available "
                        + "(reduce --width, --batch, --runs or --threads)")
            }
        }
    }

    /// Bytes: per run in flight, a dozen N x 2M blocks and, for dense orthogonal weights, an
    /// N x N matrix; the per-run traces of every layer.
    public var estimatedMemory: Int {
        let n = options.width
        let columns = 2 * options.batch
        var perRun = 12 * n * columns + 4 * columns * columns
        if options.mode == .dense {
            perRun += configuration.weights == .gaussian
                ? DenseWeightSampling.panelRows(width: n) * n : n * n
        }
        let traces = options.runs * (configuration.depth + 1) * BatchQuantity.all.count
        return 8 * (min(options.threads, options.runs) * perRun + traces)
    }

    public var progressUnits: Int { options.runs * configuration.depth }

    /// `timing`: also measure where the time goes (`BatchSimulationResult.costs`).
    public func run(progress: (@Sendable (Int) -> Void)? = nil,
                    timing: Bool = false) -> BatchSimulationResult {
        openblas_set_num_threads(1)
        let runs = options.runs
        let nextRun = Atomic<Int>(0)
        let traces = Mutex([RunTrace?](repeating: nil, count: runs))
        let costs = Mutex(CostBreakdown())
        let configuration = self.configuration
        let options = self.options
        DispatchQueue.concurrentPerform(iterations: min(options.threads, runs)) { _ in
            while true {
                let run = nextRun.add(1, ordering: .relaxed).oldValue
                guard run < runs else { return }
                let (trace, ledger) = BatchNetworkRun(
                    configuration: configuration, options: options, run: run, progress: progress,
                    timing: timing).simulate()
                traces.withLock { $0[run] = trace }
                if timing { costs.withLock { $0.add(ledger) } }
            }
        }
        let collected = traces.withLock { $0.map { $0! } }
        return BatchSimulationResult(configuration: configuration, options: options,
                                     traces: collected,
                                     costs: timing ? costs.withLock { $0 } : nil)
    }
}

/// Per-layer statistics of a batch simulation (layers 0...L; bn-res: residual units).
public struct BatchSimulationResult: Sendable {
    public let configuration: BatchNetworkConfiguration
    public let options: SimulationOptions
    private let statisticsByQuantity: [SimulatedQuantity: [LayerStatistic]]
    public let overflows: [RunOverflow]
    public let runTraces: [RunTrace]?
    /// CPU time per part, summed over runs, when the run was timed.
    public let costs: CostBreakdown?

    public var depth: Int { configuration.depth }

    init(configuration: BatchNetworkConfiguration, options: SimulationOptions, traces: [RunTrace],
         costs: CostBreakdown? = nil) {
        self.costs = costs
        self.configuration = configuration
        self.options = options
        var statistics: [SimulatedQuantity: [LayerStatistic]] = [:]
        for quantity in BatchQuantity.all {
            statistics[quantity] = (0...configuration.depth).map { layer in
                LayerStatistic(values: traces.map { $0.values[quantity]![layer] })
            }
        }
        statisticsByQuantity = statistics
        overflows = traces.compactMap { trace in
            trace.forwardOverflowLayer.map { RunOverflow(run: trace.run, layer: $0, pass: .forward) }
        }
        runTraces = options.keepRunTraces ? traces : nil
    }

    public func statistics(_ quantity: SimulatedQuantity) -> [LayerStatistic] {
        statisticsByQuantity[quantity] ?? []
    }

    public var warnings: [String] {
        guard let first = overflows.map(\.layer).min(), let last = overflows.map(\.layer).max() else {
            return []
        }
        let range = first == last ? "at layer \(first)" : "between layers \(first) and \(last)"
        return ["\(overflows.count) of \(options.runs) runs: the signal overflowed (a mean square not finite or above 1e300) \(range); those runs contribute only the layers before (column runs counts the runs per layer)"]
    }

    /// The standard columns of `SimulationResult` (gradient columns empty: the batch engine
    /// has no backward pass), then `BatchQuantity.contract` and `.further`.
    public static let columnNames: [String] = SimulationResult.columnNames
        + (BatchQuantity.contract + BatchQuantity.further).flatMap { ["\($0)_mean", "\($0)_std"] }

    public func table(keepLayer keep: ((Int) -> Bool)? = nil) -> Table {
        var table = Table(columns: Self.columnNames)
        var forward: [String: (SimulatedQuantity, Bool)] = [:]
        for quantity in SimulatedQuantity.forward {
            forward["\(quantity)_mean"] = (quantity, true)
            forward["\(quantity)_std"] = (quantity, false)
        }
        for layer in 0...depth where keep?(layer) ?? true {
            var row: [Cell] = [.integer(layer)]
            for name in SimulationResult.columnNames.dropFirst() {
                if let (quantity, isMean) = forward[name] {
                    let statistic = statistics(quantity)[layer]
                    row.append(Cell(isMean ? statistic.mean : statistic.standardDeviation))
                } else if name == "runs" {
                    row.append(.integer(statistics(.p)[layer].count))
                } else if name == "chi_runs" {
                    row.append(.integer(0))
                } else {
                    row.append(.missing)
                }
            }
            for quantity in BatchQuantity.contract + BatchQuantity.further {
                let statistic = statistics(quantity)[layer]
                row += [Cell(statistic.mean), Cell(statistic.standardDeviation)]
            }
            table.append(row)
        }
        return table
    }

    public var configurationJSON: JSONValue {
        let c = configuration
        var pairs: [(String, JSONValue)] = [
            ("arch", .string(c.architecture.rawValue)),
            ("activation", .string(c.activation.name)),
        ]
        if let alphaReLU = c.activation as? AlphaReLU { pairs.append(("alpha", .number(alphaReLU.alpha))) }
        pairs += [
            ("sigma_w", .number(c.sigmaW)), ("sigma_b", .number(c.sigmaB)),
            ("sigma_v", .number(c.sigmaV)), ("sigma_a", .number(c.sigmaA)),
            ("p0", .number(c.p0)), ("e0", .number(c.e0)), ("m0", .number(c.inputMean)),
            ("depth", .integer(c.depth)), ("width", .integer(options.width)),
            ("batch", .integer(options.batch)), ("runs", .integer(options.runs)),
            ("seed", .integer(options.seed)), ("mode", .string(options.mode.rawValue)),
            ("weights", .string(c.weights.rawValue)), ("inputs", .string(c.inputs.rawValue)),
            ("soft_rank_tau", .number(c.softRankTau)),
        ]
        if c.architecture == .bnRes { pairs.append(("sublayers", .integer(c.sublayers))) }
        if c.architecture.isChain {
            pairs.append(("skip_gamma", c.skipGamma.isInfinite ? .string("inf") : .number(c.skipGamma)))
        }
        if c.architecture.isBatchNormalized { pairs.append(("bn_epsilon", .number(c.epsilon))) }
        if c.zeroBranches { pairs.append(("zero_branches", .bool(true))) }
        return .object(pairs)
    }

    public func json(keepLayer keep: ((Int) -> Bool)? = nil) -> JSONValue {
        .object([
            ("config", configurationJSON),
            ("columns", table(keepLayer: keep).jsonColumns()),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}
