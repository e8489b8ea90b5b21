import Foundation
import MeanFieldCore
import MeanFieldIO
import Synchronization

/// The finished points of a sweep (those of its shard), in output order.
public struct SweepResult: Sendable {
    public let plan: SweepPlan
    public let points: [PointValues]
    /// Engine warnings, each prefixed with the coordinates it concerns.
    public let warnings: [String]
    /// Units taken from the journal instead of computed.
    public let resumedUnits: Int
}

/// Runs a plan's units on `threads` workers. The output order is the grid order whatever
/// the thread count, and each value depends only on its point.
public struct SweepRunner: Sendable {
    public let plan: SweepPlan
    public let threads: Int

    public init(plan: SweepPlan, threads: Int) throws {
        guard threads >= 1 else {
            throw InvalidParameter(option: "threads", value: threads, reason: "must be at least 1")
        }
        self.plan = plan
        self.threads = threads
    }

    /// `journal`: records each finished unit and supplies those of an interrupted run.
    /// `progress` is called with the number of points finished (resumed ones first).
    public func run(journal: SweepJournal? = nil,
                    progress: (@Sendable (Int) -> Void)? = nil) throws -> SweepResult {
        let plan = self.plan
        let own = plan.ownUnits
        let resumed = journal?.completedUnits ?? [:]
        let pending = own.filter { resumed[$0] == nil }
        var initial: [Int: UnitResult] = [:]
        for unit in own { initial[unit] = resumed[unit] }
        let results = Mutex(initial)
        let report: @Sendable (Int) -> Void = progress ?? { _ in }
        report(initial.values.reduce(0) { $0 + $1.points.count })

        try parallelForEach(count: pending.count, threads: threads) { index in
            let result = try SweepEvaluator.evaluate(plan, unit: pending[index])
            if let journal { try journal.record(result) }
            results.withLock { $0[result.unit] = result }
            report(result.points.count)
        }

        let finished = results.withLock { $0 }
        var byPoint: [Int: PointValues] = [:]
        var warnings: [String] = []
        var seen = Set<String>()
        for unit in own {
            guard let result = finished[unit] else { continue }
            for point in result.points { byPoint[point.point] = point }
            let place = describe(point: result.points[0].point, includingDepth: false)
            for warning in result.warnings {
                let text = place.isEmpty ? warning : "at \(place): \(warning)"
                if seen.insert(text).inserted { warnings.append(text) }
            }
        }
        let points = plan.ownPoints.map { byPoint[$0]! }
        return SweepResult(plan: plan, points: points, warnings: warnings,
                           resumedUnits: own.filter { resumed[$0] != nil }.count)
    }

    /// "sigma_w=1.5 depth=100".
    func describe(point: Int, includingDepth: Bool) -> String {
        zip(plan.axes, plan.coordinates(of: point))
            .filter { includingDepth || $0.0.parameter != .depth }
            .map { "\($0.0.parameter.columnName)=\(InvalidParameter.display($0.1))" }
            .joined(separator: " ")
    }
}

extension SweepResult {
    /// The long-format table: one row per point and quantity, the grid coordinates first.
    public var table: Table {
        var table = Table(columns: plan.columnNames)
        for point in points {
            let coordinates = plan.coordinateCells(of: point.point)
            let depth = plan.depth(of: point.point)
            for (quantity, value) in zip(plan.quantities, point.values) {
                table.append(coordinates + [.text(quantity.text),
                                            .integer(quantity.layer.resolve(depth: depth)),
                                            Cell(value.value), .text(value.status.rawValue)])
            }
        }
        return table
    }

    /// The bytes of the output file: the CSV, preceded for a shard by a `#` line holding the
    /// sweep's identity (what `sweep merge` checks).
    public var fileBytes: [UInt8] {
        var bytes: [UInt8] = []
        if plan.shard != nil {
            bytes += Array(("# " + SweepJournal.header(plan).serialized() + "\n").utf8)
        }
        return bytes + table.csvBytes()
    }
}
