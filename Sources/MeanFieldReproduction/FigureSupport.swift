import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldIO
import MeanFieldPlot
import MeanFieldTheory

/// The network of the paper's Fig. 1, A.1 and A.2. The extracted caption lost its symbols;
/// we read its numbers as variances (the appendix says its sigmas denote variances, and 1.69
/// and .49 are 1.3^2 and 0.7^2): sigma_v^2 = 1.5, sigma_a^2 = 0.5, sigma_w^2 = 1.69, sigma_b^2 = 0.49.
enum PaperNetwork {
    static let sigmaV2 = 1.5, sigmaA2 = 0.5, sigmaW2 = 1.69, sigmaB2 = 0.49

    static func configuration(activation: any Activation = Tanh(), depth: Int, p0: Double = 1,
                              e0: Double = 0.5) -> NetworkConfiguration {
        NetworkConfiguration(architecture: .fullResidual, activation: activation, sigmaW: sigmaW2.squareRoot(),
                             sigmaB: sigmaB2.squareRoot(), sigmaV: sigmaV2.squareRoot(), sigmaA: sigmaA2.squareRoot(),
                             p0: p0, e0: e0, depth: depth)
    }

    /// "sigma_v^2 = 1.5, ..." for captions.
    static let text = "σ_v^2 = 1.5, σ_a^2 = 0.5, σ_w^2 = 1.69, σ_b^2 = 0.49"
    static let plainText = "sigma_v^2 = 1.5, sigma_a^2 = 0.5, sigma_w^2 = 1.69, sigma_b^2 = 0.49"

    static let json: JSONValue = .object([
        ("arch", .string("frn")), ("sigma_v2", .number(sigmaV2)), ("sigma_a2", .number(sigmaA2)),
        ("sigma_w2", .number(sigmaW2)), ("sigma_b2", .number(sigmaB2)),
    ])
}

enum FigureSupport {
    /// About `count` layers from 1 to `depth`, evenly spaced in log (every layer where they
    /// are denser): enough for a smooth log-log curve, small data files.
    static func logSpacedLayers(upTo depth: Int, count: Int = 400) -> [Int] {
        var layers = Set<Int>()
        for i in 0..<count {
            let layer = Int(pow(Double(depth), Double(i) / Double(count - 1)).rounded())
            layers.insert(min(max(layer, 1), depth))
        }
        return layers.sorted()
    }

    /// The engine's rows at the given layers (all when nil), failing loudly if it stopped.
    static func curve(_ configuration: NetworkConfiguration, layers: [Int]? = nil) throws -> [TheoryRow] {
        let keep = layers.map(Set.init)
        let curve = try TheoryEngine(configuration: configuration).run(keepLayer: keep.map { set in { set.contains($0) } })
        if let failure = curve.failure {
            throw NumericalFailure(layer: failure.layer, quantity: failure.quantity, reason: failure.reason)
        }
        return curve.rows
    }

    /// C x^slope through the curve's last point: a reference line for comparing slopes on
    /// log-log axes ("shifted vertically", as in the paper).
    static func anchoredPowerLaw(x: [Double], through point: (x: Double, y: Double), slope: Double) -> [Double?] {
        x.map { point.y * pow($0 / point.x, slope) }
    }

    /// The log-log slope of y against x over x in [from, to], by the least-squares power law
    /// of MeanFieldFitting (log scale: relative residuals).
    static func logLogSlope(x: [Double], y: [Double], from: Double, to: Double) throws -> (value: Double, standardError: Double?) {
        let window = zip(x, y).filter { $0.0 >= from && $0.0 <= to && $0.1 > 0 }
        let fit = try GrowthLawFit.fit(x: window.map(\.0), y: window.map(\.1), law: .power)
        return (fit.exponent.value, fit.exponent.standardError)
    }

    static func number(_ x: Double, digits: Int = 4) -> String { NumberFormat.significant(x, digits: digits) }
}
