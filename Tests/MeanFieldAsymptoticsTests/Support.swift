import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldTheory
import Testing

enum TestSettings {
    /// 1e6-layer checks run only with MEANFIELD_SLOW_TESTS=1.
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
    /// Deepest curve of the default checks, and of the slow ones.
    static let depths: [Int] = slow ? [1_000, 10_000, 100_000, 1_000_000] : [1_000, 10_000, 100_000]
}

/// Reference values computed by References/asymptotics_reference.py (mpmath, 50 digits).
enum References {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("References")

    static func load(_ name: String) throws -> JSONValue {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try JSONValue.parse(text)
    }

    static func number(_ value: JSONValue?) -> Double {
        if let s = value?.stringValue { return Double(s)! }
        return value!.doubleValue!
    }
}

func relativeError(_ value: Double, _ reference: Double) -> Double {
    reference == 0 ? abs(value) : abs(value - reference) / abs(reference)
}

func configuration(_ architecture: Architecture, _ activation: any Activation, sigmaW: Double = 1,
                   sigmaB: Double = 0, sigmaV: Double = 1, sigmaA: Double = 0, p0: Double = 1,
                   e0: Double = 0.5, depth: Int = 1) -> NetworkConfiguration {
    NetworkConfiguration(architecture: architecture, activation: activation, sigmaW: sigmaW,
                         sigmaB: sigmaB, sigmaV: sigmaV, sigmaA: sigmaA, p0: p0, e0: e0, depth: depth)
}

/// Selected rows of one engine run: layer 0 (for ln chi^0), and each requested layer with the
/// one before it (for per-layer increments).
struct EngineRows {
    let rows: [Int: TheoryRow]
    let curve: TheoryCurve

    init(_ config: NetworkConfiguration, depth: Int, layers: [Int]) throws {
        var config = config
        config.depth = depth
        var keep: Set<Int> = [0]
        for layer in layers { keep.insert(layer); keep.insert(layer - 1) }
        curve = try TheoryEngine(configuration: config).run(keepLayer: { keep.contains($0) })
        rows = Dictionary(uniqueKeysWithValues: curve.rows.map { ($0.layer, $0) })
    }

    subscript(layer: Int) -> TheoryRow { rows[layer]! }

    /// ln(chi^0/chi^l), the gradient ratio as a function of the depth l (the forward pass up to
    /// l does not depend on the total depth, so one run gives every l).
    func logGradientRatio(_ layer: Int) -> Double { rows[0]!.logChi! - rows[layer]!.logChi! }

    /// ln(chi^(l-1)/chi^l), the per-layer backward factor.
    func logBackwardFactor(_ layer: Int) -> Double { rows[layer - 1]!.logChi! - rows[layer]!.logChi! }

    /// p^l - p^(l-1).
    func lengthIncrement(_ layer: Int) -> Double { rows[layer]!.p - rows[layer - 1]!.p }
}

/// Convergence at the predicted order: for an estimate X(l) with X(l) - X_inf = O(g(l)), the
/// deviation at the deeper layer may be at most twice the deviation at the shallower one scaled
/// by g(l2)/g(l1). The factor 2 leaves room for terms one order higher mixing with the
/// leading correction; a wrong X_inf makes the deviation stall at |X_inf error| and fails as
/// soon as that exceeds the allowed bound.
func expectConvergence(_ name: String, estimates: [(layer: Int, value: Double)], limit: Double,
                       order g: (Double) -> Double, sourceLocation: SourceLocation = #_sourceLocation) {
    for (shallow, deep) in zip(estimates, estimates.dropFirst()) {
        let before = abs(shallow.value - limit), after = abs(deep.value - limit)
        let allowed = 2 * before * g(Double(deep.layer)) / g(Double(shallow.layer))
        #expect(after <= allowed,
                "\(name): |X - X_inf| = \(after) at l = \(deep.layer), allowed \(allowed) (\(before) at l = \(shallow.layer)); X = \(deep.value), X_inf = \(limit)",
                sourceLocation: sourceLocation)
    }
}

/// A remainder that converges at O(ln l/l), sampled at successive decades: its differences fall
/// about tenfold per decade once the ln l/l term dominates, but a 1/l term of the other sign
/// can hold that back near a turning point of the remainder, so a factor 2 per decade is
/// required; a wrong leading constant leaves the differences constant or growing. Differences
/// within `floor` (the engine's own accuracy for the quantity) carry no information and pass.
func expectDecadeDifferencesShrink(_ name: String, values: [(layer: Int, value: Double)], floor: Double,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
    let differences = zip(values, values.dropFirst()).map { (layer: $1.layer, value: $1.value - $0.value) }
    for (shallow, deep) in zip(differences, differences.dropFirst()) {
        #expect(abs(deep.value) <= max(abs(shallow.value) / 2, floor),
                "\(name): change \(deep.value) up to l = \(deep.layer) against \(shallow.value) up to l = \(shallow.layer) (floor \(floor))",
                sourceLocation: sourceLocation)
    }
}
