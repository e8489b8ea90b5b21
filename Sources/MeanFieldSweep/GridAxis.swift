import Foundation
import MeanFieldCore

/// One axis of a sweep grid: a parameter and its values, in order.
///
/// Syntax (`--grid`): `NAME=START:STOP:COUNT` (COUNT evenly spaced values, both ends
/// included), `NAME=START:STOP:COUNT:log` (evenly spaced in log), or `NAME=V1,V2,...`.
/// Depth values are rounded to integers and repeated values dropped.
public struct GridAxis: Sendable, Equatable {
    public let parameter: SweepParameter
    public let values: [Double]

    public init(parameter: SweepParameter, values: [Double]) {
        self.parameter = parameter
        self.values = values
    }

    /// The largest grid a sweep accepts (points over all axes): beyond it the output alone
    /// would not fit in memory.
    public static let maximumPoints = 50_000_000

    public init(parsing text: String, option: String = "grid") throws {
        func fail(_ reason: String) -> InvalidParameter {
            InvalidParameter(option: option, value: text, reason: reason)
        }
        guard let equals = text.firstIndex(of: "=") else {
            throw fail("expected NAME=START:STOP:COUNT[:log] or NAME=V1,V2,...")
        }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        guard let parameter = SweepParameter(rawValue: name) else {
            throw fail("unknown parameter '\(name)' (one of \(SweepParameter.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let spec = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        func number(_ field: Substring) throws -> Double {
            let trimmed = field.trimmingCharacters(in: .whitespaces)
            guard let x = Double(trimmed), x.isFinite else { throw fail("'\(trimmed)' is not a finite number") }
            return x
        }
        var values: [Double]
        if spec.contains(":") {
            let fields = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3 || fields.count == 4 else {
                throw fail("expected START:STOP:COUNT or START:STOP:COUNT:log")
            }
            let start = try number(fields[0]), stop = try number(fields[1])
            guard let count = Int(fields[2].trimmingCharacters(in: .whitespaces)), count >= 1 else {
                throw fail("COUNT '\(fields[2])' must be an integer >= 1")
            }
            guard count <= Self.maximumPoints else { throw fail("COUNT must be at most \(Self.maximumPoints)") }
            var logarithmic = false
            if fields.count == 4 {
                guard fields[3].trimmingCharacters(in: .whitespaces) == "log" else {
                    throw fail("the fourth field must be 'log', not '\(fields[3])'")
                }
                guard start > 0, stop > 0 else { throw fail("a log-spaced axis needs START > 0 and STOP > 0") }
                logarithmic = true
            }
            if count == 1 && start != stop { throw fail("COUNT 1 needs START = STOP") }
            values = Self.spaced(from: start, to: stop, count: count, logarithmic: logarithmic)
        } else {
            values = try spec.split(separator: ",", omittingEmptySubsequences: false).map(number)
        }
        guard !values.isEmpty else { throw fail("no values") }
        if parameter.isInteger {
            for value in values where value < 0.5 {
                throw fail("\(parameter.rawValue) values must be at least 1 (got \(value))")
            }
            var seen = Set<Double>()
            values = values.map { $0.rounded() }.filter { seen.insert($0).inserted }
        }
        self.parameter = parameter
        self.values = values
    }

    /// COUNT values from start to stop, both ends exact.
    static func spaced(from start: Double, to stop: Double, count: Int, logarithmic: Bool) -> [Double] {
        guard count > 1 else { return [start] }
        let last = Double(count - 1)
        return (0..<count).map { i in
            if i == 0 { return start }
            if i == count - 1 { return stop }
            let t = Double(i) / last
            return logarithmic ? exp(log(start) + t * (log(stop) - log(start))) : start + t * (stop - start)
        }
    }

    /// Checks each value against the parameter's domain, applied to `base`.
    public func validate(against base: NetworkConfiguration, text: String) throws {
        for value in values {
            var configuration = base
            try parameter.apply(value, to: &configuration)
            do {
                try configuration.validate()
            } catch let error as InvalidParameter {
                throw InvalidParameter(option: "grid", value: text,
                                       reason: "\(parameter.rawValue) = \(InvalidParameter.display(value)): \(error.reason)")
            }
        }
    }
}

extension InvalidParameter {
    /// A number as error messages show it (integers without a fraction).
    static func display(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }
}
