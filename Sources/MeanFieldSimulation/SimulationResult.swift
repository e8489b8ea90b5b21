import Foundation
import MeanFieldCore
import MeanFieldIO

/// Mean and spread of one quantity at one layer over the runs that reached it with a finite
/// value. `standardDeviation` is the spread of the runs (n - 1 denominator), not the error
/// of the mean (that is standardDeviation / sqrt(count)).
public struct LayerStatistic: Sendable, Equatable {
    public let mean: Double?
    public let standardDeviation: Double?
    public let count: Int

    public var standardError: Double? {
        guard let standardDeviation, count > 0 else { return nil }
        return standardDeviation / Double(count).squareRoot()
    }

    /// Two passes over the values in the given order (run order: thread-independent);
    /// non-finite values are skipped.
    public init(values: [Double]) {
        let finite = values.filter(\.isFinite)
        count = finite.count
        guard count > 0 else {
            mean = nil
            standardDeviation = nil
            return
        }
        let average = finite.reduce(0, +) / Double(count)
        mean = average
        if count >= 2 {
            let squares = finite.reduce(0) { $0 + ($1 - average) * ($1 - average) }
            standardDeviation = (squares / Double(count - 1)).squareRoot()
        } else {
            standardDeviation = nil
        }
    }
}

/// A run that left the double range, and where.
public struct RunOverflow: Sendable, Equatable {
    public enum Pass: String, Sendable { case forward, backward }
    public let run: Int
    public let layer: Int
    public let pass: Pass
}

/// Per-layer statistics over runs (layers 0...L), the overflow record and warnings.
public struct SimulationResult: Sendable {
    public let configuration: NetworkConfiguration
    public let options: SimulationOptions
    public let quantities: [SimulatedQuantity]
    /// statistics[quantity][layer].
    private let statisticsByQuantity: [SimulatedQuantity: [LayerStatistic]]
    public let overflows: [RunOverflow]
    /// Every run's values, when `options.keepRunTraces` was set.
    public let runTraces: [RunTrace]?

    public var depth: Int { configuration.depth }

    init(configuration: NetworkConfiguration, options: SimulationOptions, traces: [RunTrace]) {
        self.configuration = configuration
        self.options = options
        quantities = SimulatedQuantity.standard
        var statistics: [SimulatedQuantity: [LayerStatistic]] = [:]
        for quantity in quantities {
            statistics[quantity] = (0...configuration.depth).map { layer in
                LayerStatistic(values: traces.map { $0.values[quantity]![layer] })
            }
        }
        statisticsByQuantity = statistics
        overflows = traces.compactMap { trace in
            if let layer = trace.forwardOverflowLayer {
                return RunOverflow(run: trace.run, layer: layer, pass: .forward)
            }
            if let layer = trace.backwardOverflowLayer {
                return RunOverflow(run: trace.run, layer: layer, pass: .backward)
            }
            return nil
        }
        runTraces = options.keepRunTraces ? traces : nil
    }

    /// Statistics of `quantity` for layers 0...L (index = layer).
    public func statistics(_ quantity: SimulatedQuantity) -> [LayerStatistic] {
        statisticsByQuantity[quantity] ?? []
    }

    /// Overflow summaries, for stderr and the JSON `warnings`.
    public var warnings: [String] {
        var lines: [String] = []
        for pass in [RunOverflow.Pass.forward, .backward] {
            let hits = overflows.filter { $0.pass == pass }
            guard let first = hits.map(\.layer).min(), let last = hits.map(\.layer).max() else {
                continue
            }
            let range = first == last ? "at layer \(first)" : "between layers \(first) and \(last)"
            let what = pass == .forward
                ? "the forward pass overflowed (a mean square not finite or above 1e300) \(range); those runs contribute only the layers before"
                : "the backward pass overflowed (chi not finite or above 1e300) \(range); those runs contribute no gradient statistics at and below that layer"
            lines.append("\(hits.count) of \(options.runs) runs: \(what) (column runs/chi_runs counts the runs per layer)")
        }
        return lines
    }

    // MARK: - Output

    /// CSV columns (shared/CLI.md): the contract's first 13, then the run counts and the
    /// parameter-gradient log ratios (empty where they do not apply).
    public static let columnNames: [String] = {
        var names = ["layer"]
        for quantity in [SimulatedQuantity.p, .gamma, .e, .s, .chiRatio, .logChi] {
            names += ["\(quantity)_mean", "\(quantity)_std"]
        }
        names += ["runs", "chi_runs"]
        for quantity in [SimulatedQuantity.logChiW, .logChiB, .logChiV, .logChiA] {
            names += ["\(quantity)_mean", "\(quantity)_std"]
        }
        return names
    }()

    /// One row per layer kept by `keep` (all when nil).
    public func table(keepLayer keep: ((Int) -> Bool)? = nil) -> Table {
        var table = Table(columns: Self.columnNames)
        for layer in 0...depth where keep?(layer) ?? true {
            var row: [Cell] = [.integer(layer)]
            for quantity in [SimulatedQuantity.p, .gamma, .e, .s, .chiRatio, .logChi] {
                let statistic = statistics(quantity)[layer]
                row += [Cell(statistic.mean), Cell(statistic.standardDeviation)]
            }
            row += [.integer(statistics(.p)[layer].count), .integer(statistics(.logChi)[layer].count)]
            for quantity in [SimulatedQuantity.logChiW, .logChiB, .logChiV, .logChiA] {
                let statistic = statistics(quantity)[layer]
                row += [Cell(statistic.mean), Cell(statistic.standardDeviation)]
            }
            table.append(row)
        }
        return table
    }

    /// The `config` object of the JSON output: everything that determines the numbers (the
    /// thread count does not).
    public var configurationJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("arch", .string(configuration.architecture.rawValue)),
            ("activation", .string(configuration.activation.name)),
        ]
        if let alphaReLU = configuration.activation as? AlphaReLU {
            pairs.append(("alpha", .number(alphaReLU.alpha)))
        }
        pairs += [
            ("sigma_w", .number(configuration.sigmaW)), ("sigma_b", .number(configuration.sigmaB)),
            ("sigma_v", .number(configuration.sigmaV)), ("sigma_a", .number(configuration.sigmaA)),
            ("p0", .number(configuration.p0)), ("e0", .number(configuration.e0)),
            ("m0", .number(configuration.inputMean)), ("depth", .integer(configuration.depth)),
            ("width", .integer(options.width)), ("runs", .integer(options.runs)),
            ("seed", .integer(options.seed)), ("mode", .string(options.mode.rawValue)),
            ("backward", .string(options.backward.rawValue)), ("batch", .integer(options.batch)),
        ]
        return .object(pairs)
    }

    /// {"config": ..., "columns": ..., "warnings": [...]}, like `theory`.
    public func json(keepLayer keep: ((Int) -> Bool)? = nil) -> JSONValue {
        .object([
            ("config", configurationJSON),
            ("columns", table(keepLayer: keep).jsonColumns()),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}
