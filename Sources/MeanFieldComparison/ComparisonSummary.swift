import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldSimulation

/// Per quantity: how far the simulation is from the theory over the compared layers.
public struct QuantitySummary: Sendable, Equatable {
    public let quantity: ComparedQuantity
    /// Rows with a z-score.
    public let layersCompared: Int
    public let maxAbsZ: Double?
    /// The layer of the largest |z|.
    public let maxAbsZLayer: Int?
    /// Share of the compared layers with |z| <= 3.
    public let shareWithin3: Double?
    /// Median of |relative error| over the compared layers.
    public let medianRelativeError: Double?
    /// Rows without z because some runs overflowed there.
    public let incompleteLayers: Int
}

/// The verdict of a comparison and what limits it.
public struct ComparisonSummary: Sendable {
    public let quantities: [QuantitySummary]
    public let width: Int
    public let runs: Int
    /// Runs that left the double range (forward or backward) and drop out from there.
    public let overflowedRuns: Int
    /// True for alpha-ReLU with alpha <= 3/4: the per-run gradients have infinite variance.
    public let heavyTailedGradients: Bool
    /// Caveats in words: finite-width bias, heavy tails, overflow, tied weights.
    public let notes: [String]

    /// The largest |z| over all quantities, with its row.
    public var worst: (quantity: ComparedQuantity, layer: Int, absZ: Double)? {
        quantities.compactMap { summary -> (ComparedQuantity, Int, Double)? in
            guard let z = summary.maxAbsZ, let layer = summary.maxAbsZLayer else { return nil }
            return (summary.quantity, layer, z)
        }.max { $0.2 < $1.2 }
    }
}

extension Comparison {
    /// The summary over the layers kept by `keep` (all when nil).
    public func summary(keepLayer keep: ((Int) -> Bool)? = nil) -> ComparisonSummary {
        let selected = rows.filter { keep?($0.layer) ?? true }
        let present = Set(selected.map(\.quantity))
        let quantities = ComparedQuantity.allCases.filter(present.contains).map { quantity in
            Self.summarize(quantity, selected.filter { $0.quantity == quantity })
        }
        let heavyTails = Self.hasHeavyTailedGradients(configuration)
        return ComparisonSummary(
            quantities: quantities, width: options.width, runs: options.runs,
            overflowedRuns: Set(simulation.overflows.map(\.run)).count,
            heavyTailedGradients: heavyTails, notes: notes(heavyTails: heavyTails))
    }

    static func summarize(_ quantity: ComparedQuantity, _ rows: [ComparisonRow]) -> QuantitySummary {
        let compared = rows.filter { $0.z != nil }
        let worst = compared.max { abs($0.z!) < abs($1.z!) }
        let errors = compared.compactMap { $0.relativeError.map(abs) }.sorted()
        var median: Double? = nil
        if !errors.isEmpty {
            let middle = errors.count / 2
            median = errors.count % 2 == 1 ? errors[middle] : (errors[middle - 1] + errors[middle]) / 2
        }
        return QuantitySummary(
            quantity: quantity, layersCompared: compared.count, maxAbsZ: worst.map { abs($0.z!) },
            maxAbsZLayer: worst?.layer,
            shareWithin3: compared.isEmpty ? nil
                : Double(compared.filter { abs($0.z!) <= 3 }.count) / Double(compared.count),
            medianRelativeError: median,
            incompleteLayers: rows.filter { $0.missingZ == .incompleteRuns }.count)
    }

    /// E[phi'(h)^4] diverges for alpha-ReLU with alpha <= 3/4 (THEORY.md section 4), so the
    /// per-run gradients have infinite variance: their standard errors understate the error
    /// and gradient z-scores are not standard normal.
    static func hasHeavyTailedGradients(_ configuration: NetworkConfiguration) -> Bool {
        guard let alpha = (configuration.activation as? AlphaReLU)?.alpha else { return false }
        return alpha <= 0.75
    }

    func notes(heavyTails: Bool) -> [String] {
        let n = options.width
        let depth = configuration.depth
        var notes = [
            "finite width: the simulation estimates the width-\(n) mean, which differs from the infinite-width theory by a bias of order 1/N = \(Self.format(1 / Double(n))) per layer (relative), accumulated over depth (depth/N = \(Self.format(Double(depth) / Double(n)))); the standard error shrinks only like 1/sqrt(N runs), so with many runs a large |z| can be finite-width bias rather than a theory failure: rerun at 4N and see whether the deviation shrinks about 4-fold",
        ]
        if heavyTails {
            let alpha = (configuration.activation as? AlphaReLU)!.alpha
            notes.append(alpha > 0.5
                ? "heavy tails: alpha = \(Self.format(alpha)) <= 3/4, so the per-run gradients have infinite variance (E[phi'^4] diverges): their standard errors understate the uncertainty and gradient z-scores (chi_ratio, chi_*_ratio) are not standard normal; forward quantities are unaffected"
                : "heavy tails: alpha = \(Self.format(alpha)) <= 1/2, so the mean-field chi does not exist (V phi' is infinite) and the simulated gradients grow with the width; gradient rows have no theory")
        }
        let overflowed = Set(simulation.overflows.map(\.run)).count
        if overflowed > 0 {
            notes.append("\(overflowed) of \(options.runs) runs overflowed: where they are missing the remaining runs are a biased sample, so those rows have no z")
        }
        if options.backward == .tied && configuration.architecture == .reducedResidual
            && !configuration.activation.isOdd {
            notes.append("tied backward weights on rrn with a non-odd activation: the gradient-independence assumption behind the theory's chi fails at finite width (a mode along the all-ones direction, Docs/simulator.md); --backward independent tests the theory as stated")
        }
        return notes
    }

    static func format(_ x: Double) -> String { NumberFormat.significant(x, digits: 3) }
}
