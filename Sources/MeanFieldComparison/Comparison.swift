import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldSimulation
import MeanFieldTheory

/// One quantity at one layer: the infinite-width value, the mean over runs and its standard
/// error, and the z-score (mean - theory)/sem.
public struct ComparisonRow: Sendable, Equatable {
    /// Why a row has no z-score.
    public enum MissingZ: String, Sendable {
        /// The theory gives no value here (gradients when V phi' diverges, layers past a
        /// theory overflow).
        case noTheory = "no-theory"
        /// Some runs have no value at this layer (they overflowed): the others are a biased
        /// sample, so no z is formed.
        case incompleteRuns = "incomplete-runs"
        /// The runs agree to rounding (layer 0, chi^L/chi^L, identical inputs): the value is
        /// fixed by construction, not estimated.
        case noSpread = "no-spread"
    }

    public let layer: Int
    public let quantity: ComparedQuantity
    public let theory: Double?
    public let mean: Double?
    /// Standard error of the mean over runs: sd/sqrt(runs).
    public let standardError: Double?
    /// Runs with a finite value at this layer.
    public let runs: Int
    public let z: Double?
    /// (mean - theory)/|theory|; nil when the theory is 0 or missing.
    public let relativeError: Double?
    public let missingZ: MissingZ?
}

/// Theory against simulation for one configuration: per layer and quantity, z-scores with
/// the standard error of the mean over runs. Build it with `Comparison.run`, or from a
/// theory curve and a simulation made with `keepRunTraces`.
public struct Comparison: Sendable {
    public let theory: TheoryCurve
    public let simulation: SimulationResult
    /// Layer-major, quantities in `ComparedQuantity` order; only those that apply.
    public let rows: [ComparisonRow]

    /// Runs below this relative spread agree to rounding (a Monte Carlo spread this small
    /// would need N ~ 1e18).
    static let roundingSpread = 1e-9

    public var configuration: NetworkConfiguration { simulation.configuration }
    public var options: SimulationOptions { simulation.options }

    /// Runs the theory and the simulation (run traces kept: gradients are compared as ratios
    /// built from each run's logs). Throws `InvalidParameter` for bad options.
    public static func run(configuration: NetworkConfiguration, options: SimulationOptions,
                           availableMemory: Int? = SystemMemory.available(),
                           progress: (@Sendable (Int) -> Void)? = nil) throws -> Comparison {
        var options = options
        options.keepRunTraces = true
        let simulator = try Simulator(configuration: configuration, options: options,
                                      availableMemory: availableMemory)
        let curve = try TheoryEngine(configuration: configuration).run()
        return Comparison(theory: curve, simulation: simulator.run(progress: progress))
    }

    /// Progress units of `run` (the simulation's).
    public static func progressUnits(configuration: NetworkConfiguration,
                                     options: SimulationOptions) -> Int {
        options.runs * 2 * configuration.depth
    }

    public init(theory: TheoryCurve, simulation: SimulationResult) {
        precondition(simulation.runTraces != nil, "Comparison needs the simulation's run traces")
        self.theory = theory
        self.simulation = simulation
        let traces = simulation.runTraces!
        let totalRuns = simulation.options.runs
        let theoryRows = Dictionary(uniqueKeysWithValues: theory.rows.map { ($0.layer, $0) })
        let quantities = ComparedQuantity.allCases.filter {
            !$0.fullResidualOnly || simulation.configuration.architecture == .fullResidual
        }
        var rows: [ComparisonRow] = []
        for layer in 0...simulation.depth {
            let theoryRow = theoryRows[layer]
            for quantity in quantities where !(quantity.startsAtLayerOne && layer == 0) {
                let values = traces.map { $0[quantity.simulated]![layer] }
                rows.append(Self.row(layer: layer, quantity: quantity, values: values,
                                     theory: theoryRow.flatMap(quantity.theory),
                                     scale: theoryRow?.p, totalRuns: totalRuns))
            }
        }
        self.rows = rows
    }

    /// Forward quantities: statistics of the values. Gradients: statistics of
    /// exp(log value - log theory), so the z-score and the relative error never overflow
    /// (ratios reach e^700 in deep ReLU nets), then scaled back for display.
    private static func row(layer: Int, quantity: ComparedQuantity, values: [Double],
                            theory: Double?, scale: Double?, totalRuns: Int) -> ComparisonRow {
        let logReference = quantity.isGradient ? (theory ?? 0) : 0
        let sample = quantity.isGradient ? values.map { exp($0 - logReference) } : values
        let statistic = LayerStatistic(values: sample)
        let unit = quantity.isGradient ? exp(logReference) : 1
        let theoryValue = quantity.isGradient ? theory.map(exp) : theory
        func display(_ x: Double?) -> Double? {
            guard let x else { return nil }
            let value = x * unit
            return value.isFinite ? value : nil
        }
        let standardError = statistic.standardError
        var relativeError: Double? = nil
        if let mean = statistic.mean, let theory {
            if quantity.isGradient {
                relativeError = mean - 1
            } else if theory != 0 {
                relativeError = (mean - theory) / abs(theory)
            }
        }
        // The natural size of the quantity, against which a spread counts as rounding.
        let size: Double
        switch quantity {
        case .p, .gamma, .s: size = max(abs(scale ?? 0), abs(statistic.mean ?? 0))
        case .e: size = 1
        default: size = abs(statistic.mean ?? 0)
        }
        var z: Double? = nil
        var missing: ComparisonRow.MissingZ? = nil
        if theory == nil {
            missing = .noTheory
        } else if statistic.count < totalRuns {
            missing = .incompleteRuns
        } else if let sd = statistic.standardDeviation, sd > roundingSpread * size,
                  let mean = statistic.mean, let standardError {
            z = (mean - (quantity.isGradient ? 1 : theory!)) / standardError
        } else {
            missing = .noSpread
        }
        return ComparisonRow(layer: layer, quantity: quantity, theory: theoryValue,
                             mean: display(statistic.mean), standardError: display(standardError),
                             runs: statistic.count, z: z, relativeError: relativeError,
                             missingZ: missing)
    }
}
