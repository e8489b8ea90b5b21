import Foundation
import MeanFieldIO

enum TestSettings {
    /// Slow statistical checks run only with MEANFIELD_SLOW_TESTS=1 (CI sets it).
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
}

/// Reference values computed by the scripts in Tests/References (mpmath and dense
/// quadrature, independent of the engine).
enum References {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("References")

    static func load(_ name: String) throws -> JSONValue {
        let url = directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        return try JSONValue.parse(text)
    }

    static func number(_ value: JSONValue?) -> Double {
        if let s = value?.stringValue { return Double(s)! }
        return value!.doubleValue!
    }
}

func relativeError(_ value: Double, _ reference: Double) -> Double {
    if reference == 0 { return abs(value) }
    return abs(value - reference) / abs(reference)
}
