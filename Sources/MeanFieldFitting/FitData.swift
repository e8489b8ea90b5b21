import Foundation
import MeanFieldCore
import MeanFieldIO

/// Points (x_i, y_i) to fit, with optional standard errors of y_i and an optional limit
/// (the fit then models |y - limit|, the distance to a fixed point).
///
/// Errors name the command-line options (`x`, `y`, `stderr`, `limit`, `from`, `to`), so that
/// library users and the CLI see the same messages.
public struct FitData: Sendable {
    public let x: [Double]
    /// The measured values as given (before the limit is subtracted).
    public let y: [Double]
    /// Standard errors of y (not the spread of runs); nil for an unweighted fit.
    public let standardErrors: [Double]?
    /// When set, the fitted quantity is |y - limit|.
    public let limit: Double?
    /// Column names, for messages and reports.
    public let xName: String
    public let yName: String

    public init(x: [Double], y: [Double], standardErrors: [Double]? = nil, limit: Double? = nil,
                xName: String = "x", yName: String = "y") throws {
        guard x.count == y.count else {
            throw InvalidParameter(option: "y", value: yName,
                                   reason: "has \(y.count) values but \(xName) has \(x.count)")
        }
        guard !x.isEmpty else {
            throw InvalidParameter(option: "y", value: yName, reason: "there are no rows with a value")
        }
        if let i = x.firstIndex(where: { !$0.isFinite }) {
            throw InvalidParameter(option: "x", value: xName, reason: "value \(x[i]) is not finite")
        }
        if let i = y.firstIndex(where: { !$0.isFinite }) {
            throw InvalidParameter(option: "y", value: yName,
                                   reason: "value \(y[i]) at \(xName) = \(Self.text(x[i])) is not finite")
        }
        if let limit, !limit.isFinite {
            throw InvalidParameter(option: "limit", value: "\(limit)", reason: "must be finite")
        }
        if let standardErrors {
            guard standardErrors.count == y.count else {
                throw InvalidParameter(option: "stderr", value: "\(standardErrors.count) values",
                                       reason: "\(yName) has \(y.count) values")
            }
            if let i = standardErrors.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
                throw InvalidParameter(
                    option: "stderr", value: Self.text(standardErrors[i]),
                    reason: "standard error at \(xName) = \(Self.text(x[i])) must be positive and finite "
                        + "(leave such rows out with --from/--to)")
            }
        }
        self.init(validatedX: x, y: y, standardErrors: standardErrors, limit: limit, xName: xName, yName: yName)
    }

    public var count: Int { x.count }

    /// The fitted quantity: y, or |y - limit|.
    public var response: [Double] {
        guard let limit else { return y }
        return y.map { abs($0 - limit) }
    }

    /// How the fitted quantity reads in formulas: "p" or "|e - 0.5|".
    public var responseName: String {
        guard let limit else { return yName }
        return "|\(yName) - \(Self.text(limit))|"
    }

    /// The points with from <= x <= to (both inclusive, either may be nil).
    public func window(from: Double?, to: Double?) throws -> FitData {
        let keep = try Self.windowIndices(x, from: from, to: to, xName: xName, yName: yName)
        return try FitData(x: keep.map { x[$0] }, y: keep.map { y[$0] },
                           standardErrors: standardErrors.map { se in keep.map { se[$0] } },
                           limit: limit, xName: xName, yName: yName)
    }

    private static func windowIndices(_ x: [Double], from: Double?, to: Double?, xName: String,
                                      yName: String) throws -> [Int] {
        if let from, let to, from > to {
            throw InvalidParameter(option: "from", value: from, reason: "is greater than --to \(text(to))")
        }
        let keep = x.indices.filter { i in
            (from.map { x[i] >= $0 } ?? true) && (to.map { x[i] <= $0 } ?? true)
        }
        guard keep.isEmpty else { return keep }
        let range = "[\(from.map(text) ?? "-inf"), \(to.map(text) ?? "inf")]"
        if let from {
            throw InvalidParameter(option: "from", value: from, reason: "the window \(xName) in \(range) holds no rows")
        }
        if let to {
            throw InvalidParameter(option: "to", value: to, reason: "the window \(xName) in \(range) holds no rows")
        }
        throw InvalidParameter(option: "y", value: yName, reason: "there are no rows with a value")
    }

    /// The same points fitted as |y - limit|.
    public func subtractingLimit(_ limit: Double?) throws -> FitData {
        try FitData(x: x, y: y, standardErrors: standardErrors, limit: limit, xName: xName, yName: yName)
    }

    /// The same points with other measured values (bootstrap replicates).
    func replacingValues(_ values: [Double]) -> FitData {
        // Fields were validated at construction; only y changes and it is finite by design.
        FitData(validatedX: x, y: values, standardErrors: standardErrors, limit: limit,
                xName: xName, yName: yName)
    }

    private init(validatedX x: [Double], y: [Double], standardErrors: [Double]?, limit: Double?,
                 xName: String, yName: String) {
        self.x = x
        self.y = y
        self.standardErrors = standardErrors
        self.limit = limit
        self.xName = xName
        self.yName = yName
    }

    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}

extension FitData {
    /// Reads columns of a CSV file (any source: theory, simulate, a user's measurements).
    ///
    /// Rows whose y field is empty are skipped (theory leaves fields empty where a quantity
    /// does not apply). `standardError` names a column of standard errors of y; when `runs`
    /// is given it is read as a spread of runs (simulate's `X_std`) and divided by sqrt(runs).
    /// The window [from, to] applies before the values are checked, so rows outside it (say,
    /// layer 0 with a zero spread) do not matter.
    public init(csv: CSVData, x xColumn: String, y yColumn: String, standardError: String? = nil,
                runs: Int? = nil, from: Double? = nil, to: Double? = nil) throws {
        if let runs, runs < 1 {
            throw InvalidParameter(option: "runs", value: runs, reason: "must be at least 1")
        }
        if let runs, standardError == nil {
            throw InvalidParameter(option: "runs", value: runs,
                                   reason: "converts a spread column into standard errors; give it with --stderr COLUMN")
        }
        let xs = try Self.column(csv, xColumn, option: "x")
        let ys = try Self.column(csv, yColumn, option: "y")
        let ses = try standardError.map { try Self.column(csv, $0, option: "stderr") }
        var x: [Double] = [], y: [Double] = [], se: [Double] = []
        for row in ys.indices {
            guard let value = ys[row] else { continue }
            guard let position = xs[row] else {
                throw InvalidParameter(option: "x", value: xColumn,
                                       reason: "row \(row + 2) of \(csv.source) has a \(yColumn) value but no \(xColumn)")
            }
            if let ses, let standardError {
                guard let error = ses[row] else {
                    throw InvalidParameter(option: "stderr", value: standardError,
                                           reason: "row \(row + 2) of \(csv.source) has a \(yColumn) value but no \(standardError)")
                }
                se.append(error / Double(runs ?? 1).squareRoot())
            }
            x.append(position)
            y.append(value)
        }
        let keep = try Self.windowIndices(x, from: from, to: to, xName: xColumn, yName: yColumn)
        try self.init(x: keep.map { x[$0] }, y: keep.map { y[$0] },
                      standardErrors: standardError == nil ? nil : keep.map { se[$0] },
                      xName: xColumn, yName: yColumn)
    }

    private static func column(_ csv: CSVData, _ name: String, option: String) throws -> [Double?] {
        guard csv.index(of: name) != nil else {
            throw InvalidParameter(option: option, value: name,
                                   reason: "no such column in \(csv.source) (columns: \(csv.columnNames.joined(separator: ", ")))")
        }
        do {
            return try csv.numbers(name)
        } catch let error as CSVError {
            throw InvalidParameter(option: option, value: name, reason: error.message)
        }
    }
}
