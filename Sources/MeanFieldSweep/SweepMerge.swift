import Foundation
import MeanFieldCore
import MeanFieldIO

/// Joins the outputs of `sweep --shard i/n` (i = 0...n-1) into the file an unsharded sweep
/// writes, byte for byte, after checking that they belong to the same sweep, that every shard
/// is there once and that each holds exactly its rows.
/// Shard files that cannot be merged (bad input: exit status 2), naming the file.
public struct SweepMergeError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let reason: String
    public var description: String { "cannot merge \(file): \(reason)" }
}

public enum SweepMerge {
    struct ShardFile {
        let path: String
        let sweep: JSONValue
        let shard: Shard
        let csv: CSVData
    }

    public static func merge(files: [String]) throws -> [UInt8] {
        guard !files.isEmpty else {
            throw SweepMergeError(file: "(no files)", reason: "give the files written by sweep --shard I/N")
        }
        let shards = try files.map(read)
        let first = shards[0]
        let count = first.shard.count
        var byIndex: [Int: ShardFile] = [:]
        for file in shards {
            guard file.sweep == first.sweep else {
                throw SweepMergeError(file: file.path, reason: "belongs to a different sweep than \(first.path) (options, grid or quantities differ)")
            }
            guard file.shard.count == count else {
                throw SweepMergeError(file: file.path, reason: "is shard \(file.shard.text), but \(first.path) is shard \(first.shard.text)")
            }
            if let other = byIndex[file.shard.index] {
                throw SweepMergeError(file: file.path, reason: "shard \(file.shard.text) is also in \(other.path)")
            }
            byIndex[file.shard.index] = file
        }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw SweepMergeError(file: files.joined(separator: " "), reason: "incomplete: shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) missing")
        }
        let (layout, quantities) = try gridLayout(of: first.sweep, path: first.path)

        // Rows come in point order within each shard; point p lives in shard unit(p) mod n.
        var cursors = [Int](repeating: 0, count: count)
        var rows: [[String]] = []
        rows.reserveCapacity(layout.pointCount * quantities.count)
        for point in 0..<layout.pointCount {
            let index = layout.unit(of: point) % count
            let file = byIndex[index]!
            let coordinates = layout.coordinates(of: point)
            for quantity in quantities {
                let rowNumber = cursors[index]
                guard rowNumber < file.csv.rows.count else {
                    throw SweepMergeError(file: file.path, reason: "ends early: no row for point \(point) (\(quantity)); the shard did not finish")
                }
                let row = file.csv.rows[rowNumber]
                let matches = zip(coordinates, row).allSatisfy { Double($1) == $0 } && row[coordinates.count] == quantity
                guard matches else {
                    throw SweepMergeError(file: file.path, reason: "row \(rowNumber + 2) is not point \(point) (\(quantity)) of the grid")
                }
                rows.append(row)
                cursors[index] += 1
            }
        }
        for (index, file) in byIndex where cursors[index] != file.csv.rows.count {
            throw SweepMergeError(file: file.path, reason: "has \(file.csv.rows.count - cursors[index]) rows beyond its share of the grid")
        }
        var table = Table(columns: first.csv.columnNames)
        for row in rows { table.append(row.map { $0.isEmpty ? .missing : .text($0) }) }
        return table.csvBytes()
    }

    static func read(_ path: String) throws -> ShardFile {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else {
            throw SweepMergeError(file: path, reason: "cannot be read")
        }
        let firstLine = text.prefix { $0 != "\n" }
        guard firstLine.hasPrefix("# "), let header = try? JSONValue.parse(String(firstLine.dropFirst(2))),
              header["meanfield_sweep"] != nil, let sweep = header["sweep"],
              let shardText = header["shard"]?.stringValue, let shard = try? Shard(parsing: shardText) else {
            throw SweepMergeError(file: path, reason: "is not the output of sweep --shard (no '# {\"meanfield_sweep\"...' first line)")
        }
        let csv: CSVData
        do {
            csv = try CSVData(text: text, source: path)
        } catch let error as CSVError {
            throw SweepMergeError(file: path, reason: error.message)
        }
        return ShardFile(path: path, sweep: sweep, shard: shard, csv: csv)
    }

    /// The grid of a sweep identity (enough to place rows; the network is not rebuilt).
    static func gridLayout(of sweep: JSONValue, path: String) throws -> (GridLayout, [String]) {
        func bad() -> SweepMergeError {
            SweepMergeError(file: path, reason: "has a malformed sweep header")
        }
        guard let grid = sweep["grid"]?.arrayValue, let quantities = sweep["quantities"]?.arrayValue else { throw bad() }
        let axes = try grid.map { axis in
            guard let name = axis["name"]?.stringValue, let parameter = SweepParameter(rawValue: name),
                  let values = axis["values"]?.arrayValue?.compactMap(\.doubleValue), !values.isEmpty else { throw bad() }
            return GridAxis(parameter: parameter, values: values)
        }
        return (try GridLayout(axes: axes), quantities.compactMap(\.stringValue))
    }
}
