import MeanFieldCore
import MeanFieldIO

/// Part i of n of a grid (`--shard i/n`, i = 0...n-1), for job arrays: unit u belongs to
/// shard u mod n.
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw InvalidParameter(option: "shard", value: text, reason: "expected I/N, e.g. 0/8 (I counts from 0)")
        }
        guard count >= 1, index >= 0, index < count else {
            throw InvalidParameter(option: "shard", value: text, reason: "needs N >= 1 and 0 <= I < N")
        }
        self.init(index: index, count: count)
    }

    public var text: String { "\(index)/\(count)" }
}

/// The numbering of a grid's points (row-major: the first axis varies slowest) and their
/// grouping into units: points that differ only in depth.
public struct GridLayout: Sendable {
    public let axes: [GridAxis]
    public let pointCount: Int
    private let strides: [Int]
    private let depthAxis: Int?

    public init(axes: [GridAxis]) throws {
        var seen = Set<SweepParameter>()
        for axis in axes where !seen.insert(axis.parameter).inserted {
            throw InvalidParameter(option: "grid", value: axis.parameter.rawValue, reason: "given twice")
        }
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, product <= GridAxis.maximumPoints else {
                throw InvalidParameter(option: "grid", value: axis.parameter.rawValue,
                                       reason: "the grid has more than \(GridAxis.maximumPoints) points")
            }
            count = product
        }
        self.axes = axes
        pointCount = count
        var strides = [Int](repeating: 1, count: axes.count)
        for i in stride(from: axes.count - 2, through: 0, by: -1) {
            strides[i] = strides[i + 1] * axes[i + 1].values.count
        }
        self.strides = strides
        depthAxis = axes.firstIndex { $0.parameter == .depth }
    }

    /// Index of each axis's value at a point.
    public func axisIndices(of point: Int) -> [Int] {
        zip(strides, axes).map { stride, axis in (point / stride) % axis.values.count }
    }

    public func coordinates(of point: Int) -> [Double] {
        zip(axisIndices(of: point), axes).map { index, axis in axis.values[index] }
    }

    /// The depth coordinate of a point, or nil when depth is not an axis.
    public func depthCoordinate(of point: Int) -> Int? {
        guard let depthAxis else { return nil }
        return Int(axes[depthAxis].values[axisIndices(of: point)[depthAxis]])
    }

    public var depthValues: [Int]? { depthAxis.map { axes[$0].values.map { Int($0) } } }

    public var unitCount: Int {
        guard let depthAxis else { return pointCount }
        return pointCount / axes[depthAxis].values.count
    }

    /// The points of a unit, in increasing order.
    public func points(ofUnit unit: Int) -> [Int] {
        guard let depthAxis else { return [unit] }
        // Row-major over the other axes: split the unit index around the depth axis.
        let depthStride = strides[depthAxis], depthCount = axes[depthAxis].values.count
        let outer = unit / depthStride, inner = unit % depthStride
        return (0..<depthCount).map { j in outer * depthStride * depthCount + j * depthStride + inner }
    }

    public func unit(of point: Int) -> Int {
        guard let depthAxis else { return point }
        let depthStride = strides[depthAxis], depthCount = axes[depthAxis].values.count
        return (point / (depthStride * depthCount)) * depthStride + point % depthStride
    }
}

/// A grid sweep: the fixed configuration, the axes, the quantities.
///
/// The forward pass does not depend on L, so one engine run to the largest depth serves all
/// points of a unit (gradients relative to a lower top layer L are differences of prefix
/// sums). Units are what is parallelized, journaled and sharded.
public struct SweepPlan: Sendable {
    public let base: NetworkConfiguration
    public let layout: GridLayout
    public let quantities: [QuantitySpec]
    public let shard: Shard?
    /// The fixed options as the caller describes them (JSON `config`); part of the identity
    /// of the sweep for resuming and merging.
    public let configurationDescription: JSONValue

    public var axes: [GridAxis] { layout.axes }
    public var pointCount: Int { layout.pointCount }
    public var unitCount: Int { layout.unitCount }

    public init(base: NetworkConfiguration, axes: [GridAxis], quantities: [QuantitySpec],
                shard: Shard? = nil, configurationDescription: JSONValue) throws {
        guard !quantities.isEmpty else {
            throw InvalidParameter(option: "quantity", value: "(none)", reason: "give at least one quantity, e.g. --quantity log_chi@0")
        }
        layout = try GridLayout(axes: axes)
        self.base = base
        self.quantities = quantities
        self.shard = shard
        self.configurationDescription = configurationDescription
        let depths = layout.depthValues ?? [base.depth]
        for quantity in quantities { try quantity.validate(depths: depths) }
    }

    public func coordinates(of point: Int) -> [Double] { layout.coordinates(of: point) }
    public func depth(of point: Int) -> Int { layout.depthCoordinate(of: point) ?? base.depth }
    public func points(ofUnit unit: Int) -> [Int] { layout.points(ofUnit: unit) }
    public func unit(of point: Int) -> Int { layout.unit(of: point) }

    /// The configuration of a point (its depth included).
    public func configuration(of point: Int) throws -> NetworkConfiguration {
        var configuration = base
        for (axis, value) in zip(axes, coordinates(of: point)) {
            try axis.parameter.apply(value, to: &configuration)
        }
        return configuration
    }

    /// The units this run computes (all of them, or those of its shard).
    public var ownUnits: [Int] {
        guard let shard else { return Array(0..<unitCount) }
        return Array(stride(from: shard.index, to: unitCount, by: shard.count))
    }

    /// The points this run writes, in output order.
    public var ownPoints: [Int] {
        guard let shard else { return Array(0..<pointCount) }
        return (0..<pointCount).filter { unit(of: $0) % shard.count == shard.index }
    }

    // MARK: Identity

    /// What must agree for a journal to be resumed or shards to be merged.
    public var identity: JSONValue {
        .object([
            ("config", configurationDescription),
            ("grid", .array(axes.map { axis in
                .object([("name", .string(axis.parameter.rawValue)),
                         ("values", .array(axis.values.map(JSONValue.number)))])
            })),
            ("quantities", .array(quantities.map { .string($0.text) })),
        ])
    }

    /// A point's coordinates as output cells (depth as an integer).
    public func coordinateCells(of point: Int) -> [Cell] {
        zip(axes, coordinates(of: point)).map { axis, value in
            axis.parameter.isInteger ? Cell.integer(Int(value)) : Cell.number(value)
        }
    }

    /// The output's column names: the axes, then quantity, layer, value, status.
    public var columnNames: [String] {
        axes.map(\.parameter.columnName) + ["quantity", "layer", "value", "status"]
    }
}
