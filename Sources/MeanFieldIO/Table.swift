import Foundation

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
        return x.description
    }

    /// `digits` significant digits (%g style, exponent form outside 1e-4...1e9), for
    /// human-readable tables.
    public static func significant(_ x: Double, digits: Int) -> String {
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e-4 && magnitude < 1e9 { return printf("%.*g", digits, x) }
        return printf("%.*e", max(digits - 1, 0), x)
    }

    /// C formatting through vsnprintf (Foundation's String(format:) is slow on Linux).
    static func printf(_ format: String, _ precision: Int, _ x: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let length = withVaList([Int32(precision), x]) { arguments in
                vsnprintf(buffer.baseAddress!, 64, format, arguments)
            }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!,
                                                           count: Int(min(length, 63))),
                          as: UTF8.self)
        }
    }
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
    public func csv() -> String { String(decoding: csvBytes(), as: UTF8.self) }

    /// The CSV text as UTF-8 bytes (what files and pipes receive, without a String copy).
    public func csvBytes() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity((rows.count + 1) * columnNames.count * 20)
        func append(_ text: String) {
            var text = text
            text.withUTF8 { out.append(contentsOf: $0) }
        }
        for (i, name) in columnNames.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(CSVText.quote(name))
        }
        out.append(UInt8(ascii: "\n"))
        for row in rows {
            for (i, cell) in row.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                switch cell {
                case .missing: break
                default: append(cell.csvText())
                }
            }
            out.append(UInt8(ascii: "\n"))
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
        // Widths in bytes (cells are ASCII apart from user text); String.count is slow.
        var widths = columnNames.map(\.utf8.count)
        for row in cells {
            for (i, s) in row.enumerated() { widths[i] = max(widths[i], s.utf8.count) }
        }
        var out = [UInt8]()
        out.reserveCapacity((cells.count + 1) * widths.reduce(0, +) * 2)
        func line(_ fields: [String]) {
            for (i, field) in fields.enumerated() {
                if i > 0 { out.append(contentsOf: [0x20, 0x20]) }
                let padding = widths[i] - field.utf8.count
                if padding > 0 { out.append(contentsOf: repeatElement(0x20, count: padding)) }
                out.append(contentsOf: field.utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        line(columnNames)
        for row in cells { line(row) }
        return String(decoding: out, as: UTF8.self)
    }
}
