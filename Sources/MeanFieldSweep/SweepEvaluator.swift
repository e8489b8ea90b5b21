import MeanFieldCore
import MeanFieldTheory

/// Why a value is or is not there.
public enum ValueStatus: String, Sendable, CaseIterable {
    /// Computed.
    case ok
    /// Does not apply (q at layer 0, chi_v outside FRN, chi where V phi' is infinite).
    case missing
    /// The engine stopped at or before this layer (values beyond the double range, a failed
    /// integral); the sweep's warnings name the layer and quantity.
    case failed
}

public struct QuantityValue: Sendable, Equatable {
    public var value: Double?
    public var status: ValueStatus

    public init(value: Double?, status: ValueStatus) {
        self.value = value
        self.status = status
    }
}

/// The values of one grid point, in the plan's quantity order.
public struct PointValues: Sendable, Equatable {
    public var point: Int
    public var values: [QuantityValue]
}

/// The points of one unit and the engine's warnings for it.
public struct UnitResult: Sendable {
    public var unit: Int
    public var points: [PointValues]
    public var warnings: [String]
}

/// Evaluates quantities with the theory engine.
public enum SweepEvaluator {
    /// The quantities of `configuration` (its depth ignored) at each depth in `depths`, from one
    /// engine run to the largest depth: forward columns are read directly; gradient columns
    /// relative to a lower top layer L are ln(chi^m/chi^Lmax) - ln(chi^L/chi^Lmax). Where that
    /// is impossible (the run failed before L, or chi^L vanishes) depth L gets its own run.
    public static func evaluate(_ configuration: NetworkConfiguration, depths: [Int],
                                quantities: [QuantitySpec]) throws -> (values: [[QuantityValue]], warnings: [String]) {
        guard let maximumDepth = depths.max() else { return ([], []) }
        var config = configuration
        config.depth = maximumDepth
        var needed = Set<Int>()
        for depth in depths {
            needed.insert(depth)
            for quantity in quantities { needed.insert(quantity.layer.resolve(depth: depth)) }
        }
        let curve = try TheoryEngine(configuration: config).run(keepLayer: { needed.contains($0) })
        var rows: [Int: TheoryRow] = [:]
        for row in curve.rows { rows[row.layer] = row }
        var warnings = curve.warnings
        let anyGradient = curve.rows.contains { $0.logChi != nil }

        var results: [[QuantityValue]] = []
        for depth in depths {
            let failedBefore = curve.failure.map { $0.layer <= depth } ?? false
            let topMissingGradient = rows[depth].map { $0.logChi == nil } ?? true
            if depth != maximumDepth && (failedBefore || (topMissingGradient && anyGradient)) {
                var own = configuration
                own.depth = depth
                let (values, ownWarnings) = try evaluate(own, depths: [depth], quantities: quantities)
                results.append(values[0])
                for warning in ownWarnings where !warnings.contains(warning) { warnings.append(warning) }
                continue
            }
            let shift = depth == maximumDepth ? 0 : rows[depth]?.logChi
            results.append(quantities.map { quantity in
                let layer = quantity.layer.resolve(depth: depth)
                guard let row = rows[layer] else {
                    return QuantityValue(value: nil, status: curve.failure != nil ? .failed : .missing)
                }
                guard var value = quantity.column.value(in: row) else {
                    return QuantityValue(value: nil, status: .missing)
                }
                if quantity.column.isRelativeToTop {
                    guard let shift else { return QuantityValue(value: nil, status: .missing) }
                    value -= shift
                }
                return QuantityValue(value: value, status: .ok)
            })
        }
        return (results, warnings)
    }

    /// One unit of a plan.
    public static func evaluate(_ plan: SweepPlan, unit: Int) throws -> UnitResult {
        let points = plan.points(ofUnit: unit)
        let configuration = try plan.configuration(of: points[0])
        let (values, warnings) = try evaluate(configuration, depths: points.map(plan.depth(of:)),
                                              quantities: plan.quantities)
        return UnitResult(unit: unit,
                          points: zip(points, values).map { PointValues(point: $0, values: $1) },
                          warnings: warnings)
    }
}
