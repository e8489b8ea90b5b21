import Foundation
import MeanFieldIO

extension Comparison {
    /// The CSV columns of shared/CLI.md, long format: one row per layer and quantity.
    public static let columnNames = ["layer", "quantity", "theory", "mc_mean", "mc_sem", "z"]

    /// Rows of the layers kept by `keep` (all when nil); `relativeError` adds a rel_error
    /// column (the text table).
    public func table(keepLayer keep: ((Int) -> Bool)? = nil, relativeError: Bool = false) -> Table {
        var table = Table(columns: Self.columnNames + (relativeError ? ["rel_error"] : []))
        for row in rows where keep?(row.layer) ?? true {
            var cells: [Cell] = [.integer(row.layer), .text(row.quantity.rawValue), Cell(row.theory),
                                 Cell(row.mean), Cell(row.standardError), Cell(row.z)]
            if relativeError { cells.append(Cell(row.relativeError)) }
            table.append(cells)
        }
        return table
    }

    /// {"config", "columns", "summary", "warnings"}; `maxZ` is recorded with its verdict.
    public func json(keepLayer keep: ((Int) -> Bool)? = nil, maxZ: Double? = nil) -> JSONValue {
        .object([
            ("config", simulation.configurationJSON),
            ("columns", table(keepLayer: keep).jsonColumns()),
            ("summary", summary(keepLayer: keep).json(maxZ: maxZ)),
            ("warnings", .array(warnings.map(JSONValue.string))),
        ])
    }

    /// The theory's and the simulation's warnings.
    public var warnings: [String] { theory.warnings + simulation.warnings }
}

extension ComparisonSummary {
    /// True when no |z| exceeds `maxZ`.
    public func passes(maxZ: Double) -> Bool { (worst?.absZ ?? 0) <= maxZ }

    public func json(maxZ: Double? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("quantities", .object(quantities.map { summary in
                (summary.quantity.rawValue, .object([
                    ("layers_compared", .integer(summary.layersCompared)),
                    ("max_abs_z", .finite(summary.maxAbsZ)),
                    ("max_abs_z_layer", summary.maxAbsZLayer.map(JSONValue.integer) ?? .null),
                    ("share_abs_z_within_3", .finite(summary.shareWithin3)),
                    ("median_relative_error", .finite(summary.medianRelativeError)),
                    ("layers_with_incomplete_runs", .integer(summary.incompleteLayers)),
                ]))
            })),
            ("max_abs_z", .finite(worst?.absZ)),
            ("width", .integer(width)),
            ("runs", .integer(runs)),
            ("overflowed_runs", .integer(overflowedRuns)),
            ("heavy_tailed_gradients", .bool(heavyTailedGradients)),
            ("notes", .array(notes.map(JSONValue.string))),
        ]
        if let maxZ {
            pairs += [("max_z", .number(maxZ)), ("passed", .bool(passes(maxZ: maxZ)))]
        }
        return .object(pairs)
    }

    /// The text form (stderr for the table and CSV formats).
    public func text(maxZ: Double? = nil) -> String {
        var table = Table(columns: ["quantity", "compared", "max_abs_z", "at_layer", "within_3",
                                    "median_rel_error"])
        for summary in quantities {
            table.append([.text(summary.quantity.rawValue), .integer(summary.layersCompared),
                          Cell(summary.maxAbsZ), summary.maxAbsZLayer.map(Cell.integer) ?? .missing,
                          summary.shareWithin3.map { .text(String(format: "%.0f%%", 100 * $0)) } ?? .missing,
                          Cell(summary.medianRelativeError)])
        }
        var out = "summary: width \(width), \(runs) runs, \(overflowedRuns) overflowed; z = (mc_mean - theory)/mc_sem\n"
        out += table.text(digits: 3)
        for note in notes { out += "note: \(note)\n" }
        if let maxZ {
            out += passes(maxZ: maxZ)
                ? "check passed: every |z| <= \(Comparison.format(maxZ))\n"
                : "check failed: |z| = \(Comparison.format(worst!.absZ)) > \(Comparison.format(maxZ)) (\(worst!.quantity.rawValue) at layer \(worst!.layer))\n"
        }
        return out
    }
}
