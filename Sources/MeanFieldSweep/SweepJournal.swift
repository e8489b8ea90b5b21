import Foundation
import MeanFieldCore
import MeanFieldIO
import Synchronization

/// The journal of a running sweep (`OUTPUT.partial`): a header line naming the sweep, then
/// one JSON line per finished unit, each appended with a single write(2) as the unit
/// finishes. An interrupted sweep leaves at most a torn last line, which is dropped on resume.
public final class SweepJournal: Sendable {
    public let path: String
    private let descriptor: Mutex<Int32>

    public static func path(forOutput output: String) -> String { output + ".partial" }

    /// Header of a journal (and of shard files): the plan's identity and its shard.
    static func header(_ plan: SweepPlan) -> JSONValue {
        .object([
            ("meanfield_sweep", .integer(1)),
            ("sweep", plan.identity),
            ("shard", plan.shard.map { .string($0.text) } ?? .null),
        ])
    }

    /// Opens a journal for appending. `resume`: keep the finished units of an existing journal
    /// of the same sweep (returned); otherwise start a new journal.
    public init(path: String, plan: SweepPlan, resume: Bool) throws {
        self.path = path
        let headerLine = Self.header(plan).serialized() + "\n"
        var completed: [Int: UnitResult] = [:]
        var flags = O_WRONLY | O_CREAT | O_APPEND
        if resume, let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            let bytes = [UInt8](data)
            // Keep whole lines only: a torn last line would swallow the next append.
            let end = (bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            let lines = bytes[..<end].split(separator: UInt8(ascii: "\n"))
            guard let first = lines.first,
                  String(decoding: first, as: UTF8.self) + "\n" == headerLine else {
                throw InvalidParameter(option: "resume", value: path, reason:
                    "the journal belongs to a different sweep (network options, grid, quantities or shard differ); remove it or run without --resume")
            }
            for line in lines.dropFirst() {
                if let result = Self.decode(String(decoding: line, as: UTF8.self), plan: plan) {
                    completed[result.unit] = result
                }
            }
            if end < bytes.count { truncate(path, off_t(end)) }
        } else {
            flags |= O_TRUNC
        }
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        descriptor = Mutex(fd)
        completedUnits = completed
        if completed.isEmpty && (flags & O_TRUNC != 0 || lseek(fd, 0, SEEK_END) == 0) {
            try append(headerLine)
        }
    }

    /// Units finished by an earlier run (resume only).
    public let completedUnits: [Int: UnitResult]

    public func record(_ result: UnitResult) throws {
        try append(Self.encode(result).serialized() + "\n")
    }

    private func append(_ line: String) throws {
        let bytes = Array(line.utf8)
        try descriptor.withLock { fd in
            let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
            guard written == bytes.count else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Flushes and closes; `remove` deletes the file (the sweep is complete).
    public func close(remove: Bool) {
        descriptor.withLock { fd in
            if fd >= 0 {
                fsync(fd)
                Foundation.close(fd)
                fd = -1
            }
        }
        if remove { unlink(path) }
    }

    static func encode(_ result: UnitResult) -> JSONValue {
        .object([
            ("unit", .integer(result.unit)),
            ("points", .array(result.points.map { point in
                .array([.integer(point.point),
                        .array(point.values.map { JSONValue.finite($0.value) }),
                        .array(point.values.map { .string($0.status.rawValue) })])
            })),
            ("warnings", .array(result.warnings.map(JSONValue.string))),
        ])
    }

    /// A unit line, or nil when it is torn or does not fit the plan (then it is recomputed).
    static func decode(_ line: String, plan: SweepPlan) -> UnitResult? {
        guard let json = try? JSONValue.parse(line), case .integer(let unit)? = json["unit"],
              unit >= 0, unit < plan.unitCount, let points = json["points"]?.arrayValue,
              let warnings = json["warnings"]?.arrayValue else { return nil }
        let expected = plan.points(ofUnit: unit)
        guard points.count == expected.count else { return nil }
        var decoded: [PointValues] = []
        for (entry, point) in zip(points, expected) {
            guard let fields = entry.arrayValue, fields.count == 3, case .integer(point) = fields[0],
                  let values = fields[1].arrayValue, let statuses = fields[2].arrayValue,
                  values.count == plan.quantities.count, statuses.count == values.count else { return nil }
            var quantities: [QuantityValue] = []
            for (value, status) in zip(values, statuses) {
                guard let status = status.stringValue.flatMap(ValueStatus.init(rawValue:)) else { return nil }
                let number = value.doubleValue
                guard number != nil || value == .null else { return nil }
                quantities.append(QuantityValue(value: number, status: status))
            }
            decoded.append(PointValues(point: point, values: quantities))
        }
        return UnitResult(unit: unit, points: decoded, warnings: warnings.compactMap(\.stringValue))
    }
}
