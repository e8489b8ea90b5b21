/// One cell of an output table. Missing cells ("does not apply") print as empty CSV fields and
/// JSON null; non-finite numbers are never written (they print as missing).
public enum Cell: Sendable, Equatable {
    case number(Double)
    case integer(Int)
    case text(String)
    case missing

    public init(_ value: Double?) {
        if let value, value.isFinite { self = .number(value) } else { self = .missing }
    }

    public var doubleValue: Double? {
        switch self {
        case .number(let x): return x
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
}

/// A rectangular table with named columns, written as CSV, JSON (column-oriented) or an
/// aligned text table.
public struct Table: Sendable {
    public var columnNames: [String]
    public private(set) var rows: [[Cell]] = []

    public init(columns: [String]) { columnNames = columns }

    public mutating func append(_ row: [Cell]) {
        precondition(row.count == columnNames.count,
                     "row has \(row.count) cells for \(columnNames.count) columns")
        rows.append(row)
    }

    public var rowCount: Int { rows.count }

    public func column(_ name: String) -> [Cell]? {
        guard let index = columnNames.firstIndex(of: name) else { return nil }
        return rows.map { $0[index] }
    }

    /// Rows kept by `keep(rowIndex)`.
    public func filteredRows(_ keep: (Int) -> Bool) -> Table {
        var table = Table(columns: columnNames)
        table.rows = rows.indices.filter(keep).map { rows[$0] }
        return table
    }
}

// MARK: - Formatting

public enum NumberFormat {
    /// Shortest text that reads back as the same double (Swift's round-trip description), so
    /// CSV and JSON lose nothing; the accuracy of the value itself is stated separately.
    public static func roundTrip(_ x: Double) -> String {
        if x == 0 { return "0.0" }
        return "\(x)"
    }

    /// `digits` significant digits, for human-readable tables.
    public static func significant(_ x: Double, digits: Int) -> String {
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e-4 && magnitude < 1e9 {
            return trimmed(String(format: "%.\(digits)g", x))
        }
        return String(format: "%.\(max(digits - 1, 0))e", x)
    }

    private static func trimmed(_ s: String) -> String { s }
}

extension Cell {
    func csvText() -> String {
        switch self {
        case .number(let x): return NumberFormat.roundTrip(x)
        case .integer(let i): return String(i)
        case .text(let s): return CSVText.quote(s)
        case .missing: return ""
        }
    }

    var json: JSONValue {
        switch self {
        case .number(let x): return .number(x)
        case .integer(let i): return .integer(i)
        case .text(let s): return .string(s)
        case .missing: return .null
        }
    }
}

enum CSVText {
    static func quote(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}

extension Table {
    public func csv() -> String {
        var out = columnNames.map(CSVText.quote).joined(separator: ",") + "\n"
        for row in rows {
            out += row.map { $0.csvText() }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// `{"name": [values...], ...}` in column order.
    public func jsonColumns() -> JSONValue {
        .object(columnNames.enumerated().map { index, name in
            (name, .array(rows.map { $0[index].json }))
        })
    }

    /// An aligned text table with `digits` significant digits.
    public func text(digits: Int = 10) -> String {
        let cells: [[String]] = rows.map { row in
            row.map { cell in
                switch cell {
                case .number(let x): return NumberFormat.significant(x, digits: digits)
                case .integer(let i): return String(i)
                case .text(let s): return s
                case .missing: return "-"
                }
            }
        }
        var widths = columnNames.map(\.count)
        for row in cells {
            for (i, s) in row.enumerated() { widths[i] = max(widths[i], s.count) }
        }
        func line(_ fields: [String]) -> String {
            fields.enumerated().map { i, s in
                String(repeating: " ", count: widths[i] - s.count) + s
            }.joined(separator: "  ")
        }
        var out = line(columnNames) + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }
}

import Foundation
