import Foundation
import MeanFieldCore
import MeanFieldNumerics
import Synchronization

/// The parameter a level curve solves for and where to look: `NAME=LO:HI[:N[:log]]`, N scan
/// points (default 24, log-spaced with `log`) to bracket the roots.
public struct SolveSpec: Sendable, Equatable {
    public let parameter: SweepParameter
    public let lower: Double
    public let upper: Double
    public let scanValues: [Double]

    public static let defaultScanCount = 24

    public init(parsing text: String, option: String = "solve") throws {
        func fail(_ reason: String) -> InvalidParameter {
            InvalidParameter(option: option, value: text, reason: reason)
        }
        var fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 2 || fields.count == 3 || fields.count == 4 else {
            throw fail("expected NAME=LO:HI, NAME=LO:HI:N or NAME=LO:HI:N:log")
        }
        if fields.count == 2 { fields.append(String(Self.defaultScanCount)) }
        let axis = try GridAxis(parsing: fields.joined(separator: ":"), option: option)
        guard axis.parameter != .depth else { throw fail("depth is an integer; solve for a continuous parameter") }
        guard axis.values.count >= 2, let lower = axis.values.first, let upper = axis.values.last, lower < upper else {
            throw fail("needs LO < HI and N >= 2 scan points")
        }
        parameter = axis.parameter
        self.lower = lower
        self.upper = upper
        scanValues = axis.values
    }
}

/// Whether a level was found.
public enum LevelStatus: String, Sendable {
    /// One crossing in the scan, refined by Brent's method.
    case ok
    /// Several crossings: the smallest root is reported.
    case multiple
    /// No crossing between LO and HI (or the quantity is missing there).
    case noRoot = "no-root"
}

public struct LevelPoint: Sendable {
    /// Point of the grid (the level curve's other coordinates).
    public let point: Int
    public let level: Double
    public let root: Double?
    public let status: LevelStatus
}

/// For each grid point and level, the value of the solved parameter at which the quantity
/// equals the level: the scan brackets the first crossing, Brent's method (GSL) refines it to
/// `relativeTolerance`, each evaluation an engine run. With `--solve sigma-w` and a depth, the
/// tanh resnet law ln(chi^0/chi^L) ~ A(sigma_w) sqrt(L), A proportional to sigma_w, makes
/// sigma_w^2 L constant along a level curve (Yang & Schoenholz 2017, section 5.1, Fig. 3).
public struct LevelCurveProblem: Sendable {
    public let plan: SweepPlan
    public let solve: SolveSpec
    public let levels: [Double]
    public let relativeTolerance: Double

    public init(plan: SweepPlan, solve: SolveSpec, levels: [Double], relativeTolerance: Double = 1e-9) throws {
        guard plan.quantities.count == 1 else {
            throw InvalidParameter(option: "quantity", value: plan.quantities.map(\.text).joined(separator: ","),
                                   reason: "level curves take exactly one quantity")
        }
        guard !plan.axes.contains(where: { $0.parameter == solve.parameter }) else {
            throw InvalidParameter(option: "solve", value: solve.parameter.rawValue,
                                   reason: "is also a grid axis; the solved parameter must not be gridded")
        }
        guard !levels.isEmpty, levels.allSatisfy(\.isFinite) else {
            throw InvalidParameter(option: "levels", value: levels.map { "\($0)" }.joined(separator: ","),
                                   reason: "give one or more finite levels")
        }
        for value in [solve.lower, solve.upper] {
            var configuration = plan.base
            try solve.parameter.apply(value, to: &configuration)
            do { try configuration.validate() } catch let error as InvalidParameter {
                throw InvalidParameter(option: "solve", value: "\(solve.parameter.rawValue)=\(value)", reason: error.reason)
            }
        }
        self.plan = plan
        self.solve = solve
        self.levels = levels
        self.relativeTolerance = relativeTolerance
    }

    /// Grid points in order, each with every level; `progress` counts finished grid points.
    public func run(threads: Int, progress: (@Sendable (Int) -> Void)? = nil) throws -> [LevelPoint] {
        let results = Mutex([Int: [LevelPoint]]())
        let report: @Sendable (Int) -> Void = progress ?? { _ in }
        try parallelForEach(count: plan.pointCount, threads: threads) { point in
            let found = try solve(point: point)
            results.withLock { $0[point] = found }
            report(1)
        }
        let all = results.withLock { $0 }
        return (0..<plan.pointCount).flatMap { all[$0]! }
    }

    func solve(point: Int) throws -> [LevelPoint] {
        let configuration = try plan.configuration(of: point)
        let quantity = plan.quantities[0]
        let scan = try solve.scanValues.map { x in
            (x, try Self.evaluate(configuration, setting: solve.parameter, to: x, quantity: quantity))
        }
        return try levels.map { level in
            var crossings: [(lower: (Double, Double), upper: (Double, Double))] = []
            for (a, b) in zip(scan, scan.dropFirst()) {
                guard let fa = a.1, let fb = b.1 else { continue }
                let da = fa - level, db = fb - level
                if da == 0 || (da < 0) != (db < 0) && db != 0 { crossings.append(((a.0, fa), (b.0, fb))) }
            }
            guard let first = crossings.first else {
                return LevelPoint(point: point, level: level, root: nil, status: .noRoot)
            }
            let root = try Self.refine(configuration, parameter: solve.parameter, quantity: quantity, level: level,
                                       lower: first.lower, upper: first.upper, relativeTolerance: relativeTolerance)
            return LevelPoint(point: point, level: level, root: root, status: crossings.count > 1 ? .multiple : .ok)
        }
    }

    /// The quantity with `parameter` set to `value` (nil where it is missing or failed).
    public static func evaluate(_ configuration: NetworkConfiguration, setting parameter: SweepParameter,
                                to value: Double, quantity: QuantitySpec) throws -> Double? {
        var config = configuration
        try parameter.apply(value, to: &config)
        let (values, _) = try SweepEvaluator.evaluate(config, depths: [config.depth], quantities: [quantity])
        return values[0][0].value
    }

    /// Brent's method (GSL) for quantity(parameter) = level between two known values that
    /// bracket it; each further evaluation is an engine run.
    public static func refine(_ configuration: NetworkConfiguration, parameter: SweepParameter, quantity: QuantitySpec,
                              level: Double, lower: (x: Double, value: Double), upper: (x: Double, value: Double),
                              relativeTolerance: Double) throws -> Double {
        if lower.value == level { return lower.x }
        if upper.value == level { return upper.x }
        var failure: Error?
        let root = try findRoot(in: lower.x, upper.x, relativeTolerance: relativeTolerance) { x in
            // The solver asks again for the ends: they are known.
            if x == lower.x { return lower.value - level }
            if x == upper.x { return upper.value - level }
            do {
                return (try evaluate(configuration, setting: parameter, to: x, quantity: quantity) ?? .nan) - level
            } catch {
                failure = failure ?? error
                return .nan
            }
        }
        if let failure { throw failure }
        return root
    }
}
