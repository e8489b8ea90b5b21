import Foundation

public struct CSVError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// A CSV file read into named columns of text. Any CSV with a header row works (ours, or a
/// user's own measurements).
public struct CSVData: Sendable {
    public let columnNames: [String]
    public let rows: [[String]]
    public let source: String

    public init(text: String, source: String = "input") throws {
        self.source = source
        var records = try Self.parseRecords(text)
        records.removeAll { $0.count == 1 && $0[0].trimmingCharacters(in: .whitespaces).isEmpty }
        records.removeAll { $0.first?.hasPrefix("#") == true }
        guard let header = records.first else {
            throw CSVError(message: "\(source): empty CSV file (no header row)")
        }
        columnNames = header.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Array(records.dropFirst())
        for (i, row) in rows.enumerated() where row.count != columnNames.count {
            throw CSVError(message: "\(source): row \(i + 2) has \(row.count) fields, the header has \(columnNames.count)")
        }
    }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError(message: "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVError(message: "\(path) is not UTF-8 text")
        }
        try self.init(text: text, source: path)
    }

    public func index(of column: String) -> Int? { columnNames.firstIndex(of: column) }

    /// The column as numbers; empty fields are nil. Throws on text that is not a number.
    public func numbers(_ column: String) throws -> [Double?] {
        guard let index = index(of: column) else {
            throw CSVError(message: "\(source): no column '\(column)' (columns: \(columnNames.joined(separator: ", ")))")
        }
        return try rows.enumerated().map { i, row in
            let field = row[index].trimmingCharacters(in: .whitespaces)
            if field.isEmpty { return nil }
            guard let x = Double(field), x.isFinite else {
                throw CSVError(message: "\(source): row \(i + 2), column '\(column)': '\(field)' is not a finite number")
            }
            return x
        }
    }

    /// RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines.
    static func parseRecords(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"": inQuotes = true
                case ",": record.append(field); field = ""
                case "\r": continue
                case "\n": record.append(field); records.append(record); record = []; field = ""
                default: field.unicodeScalars.append(c)
                }
            }
        }
        if inQuotes { throw CSVError(message: "unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
