import Foundation
import Testing
@testable import MeanFieldTheory
import MeanFieldCore
import MeanFieldIO

/// Whole curves against independent references: the exact ReLU FRN solution, and curves
/// iterated by Tests/References/curves_reference.py (mpmath at 30 digits for erf and
/// alpha-ReLU, a dense two-dimensional Gauss–Legendre grid for tanh).
@Suite struct CurveTests {
    /// ReLU FRN (THEORY.md section 6): p^l = (1+r)^l (p^0 + beta/r) - beta/r and
    /// chi^(l-1)/chi^l = 1 + r exactly, r = sigma_v^2 sigma_w^2/2, beta = sigma_v^2 sigma_b^2/2 + sigma_a^2.
    /// r is small enough that 1e5 layers stay in the double range.
    @Test func reluFullResidualExactSolutionAtDepth100000() throws {
        let (sw, sb, sv, sa) = (0.3, 0.5, 0.3, 0.2)
        let depth = 100_000
        let config = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(), sigmaW: sw,
                                          sigmaB: sb, sigmaV: sv, sigmaA: sa, p0: 1.7, e0: 0.3, depth: depth)
        let curve = try TheoryEngine(configuration: config).run()
        #expect(curve.failure == nil)
        #expect(curve.rows.count == depth + 1)
        let r = sv * sv * sw * sw / 2, beta = sv * sv * sb * sb / 2 + sa * sa
        let logGrowth = log1p(r)
        var worst = 0.0
        for row in curve.rows {
            let l = Double(row.layer)
            let p = exp(l * logGrowth) * (1.7 + beta / r) - beta / r
            worst = max(worst, relativeError(row.p, p))
            #expect(relativeError(row.p, p) < 1e-12, "p at layer \(row.layer)")
            let logChi = Double(depth - row.layer) * logGrowth
            #expect(abs(row.logChi! - logChi) <= 1e-12 * max(abs(logChi), 1), "log chi at \(row.layer)")
            if row.layer >= 1 {
                let previous = exp((l - 1) * logGrowth) * (1.7 + beta / r) - beta / r
                let q = sw * sw * previous + sb * sb
                // chi_b = sigma_v^2 chi V'(q), V' = 1/2; chi_W = chi_b p^(l-1); chi_V = chi q/2; chi_a = chi.
                let logChiB = logChi + log(sv * sv / 2)
                #expect(abs(row.logChiB! - logChiB) <= 1e-12 * max(abs(logChiB), 1))
                #expect(abs(row.logChiW! - (logChiB + log(previous))) <= 1e-12 * max(abs(logChiB), 1))
                #expect(abs(row.logChiV! - (logChi + log(q / 2))) <= 1e-12 * max(abs(logChi), 1))
                #expect(row.logChiA! == row.logChi!)
            }
        }
        print("ReLU FRN, 1e5 layers: worst relative error of p \(worst)")
    }

    /// Exponential growth beyond the double range: the rows before the first layer whose p
    /// exceeds it are kept and exact, the failure names that layer, and the gradients are
    /// still relative to the true top layer L.
    @Test func reluFullResidualOverflowKeepsEarlierRows() throws {
        let (sw, sv) = (1.5, 1.5)
        let depth = 2000
        let config = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(), sigmaW: sw,
                                          sigmaV: sv, p0: 1, e0: 0.5, depth: depth)
        let curve = try TheoryEngine(configuration: config).run()
        let r = sv * sv * sw * sw / 2
        let logGrowth = log1p(r)
        // First layer with (1 + r)^l > DBL_MAX.
        let firstBad = Int((log(Double.greatestFiniteMagnitude) / logGrowth).rounded(.down)) + 1
        let failure = try #require(curve.failure)
        #expect(failure.layer == firstBad)
        #expect(failure.quantity == "p")
        #expect(curve.rows.count == firstBad)
        for row in curve.rows {
            let l = Double(row.layer)
            #expect(relativeError(row.p, exp(l * logGrowth)) < 1e-12)
            #expect(abs(row.logChi! - Double(depth - row.layer) * logGrowth) <= 1e-12 * Double(depth) * logGrowth)
        }
    }

    /// alpha > 1 blows up at finite depth: failure reported, forward rows kept, gradients empty.
    @Test func alphaAboveOneBlowsUp() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: AlphaReLU(alpha: 1.5),
                                          depth: 500)
        let curve = try TheoryEngine(configuration: config).run()
        let failure = try #require(curve.failure)
        #expect(failure.layer > 1 && failure.layer < 500)
        #expect(curve.rows.allSatisfy { $0.p.isFinite && $0.p > 0 && $0.e.isFinite })
        #expect(curve.rows.allSatisfy { $0.logChi == nil })
        #expect(curve.warnings.contains { $0.contains("gradient") })
    }

    /// alpha <= 1/2: the mean-field chi does not exist; forward columns are still produced.
    @Test func alphaAtMostOneHalfHasNoGradients() throws {
        for alpha in [0.3, 0.5] {
            let config = NetworkConfiguration(architecture: .fullResidual, activation: AlphaReLU(alpha: alpha),
                                              depth: 50)
            let curve = try TheoryEngine(configuration: config).run()
            #expect(curve.failure == nil)
            #expect(curve.rows.count == 51)
            #expect(curve.rows.allSatisfy { $0.logChi == nil && $0.logChiB == nil && $0.p > 0 })
            #expect(curve.warnings.contains { $0.contains("infinite") })
        }
    }

    static func configuration(_ entry: JSONValue) throws -> NetworkConfiguration {
        let config = entry["config"]!
        func number(_ key: String, _ fallback: Double) -> Double { config[key]?.doubleValue ?? fallback }
        let activation: any Activation
        switch config["activation"]!.stringValue! {
        case "erf": activation = Erf()
        case "tanh": activation = Tanh()
        default: activation = number("alpha", 1) == 1 ? ReLU() : AlphaReLU(alpha: number("alpha", 1))
        }
        return NetworkConfiguration(
            architecture: Architecture(rawValue: config["arch"]!.stringValue!)!, activation: activation,
            sigmaW: number("sw", 1), sigmaB: number("sb", 0), sigmaV: number("sv", 1), sigmaA: number("sa", 0),
            p0: number("p0", 1), e0: number("e0", 0.5), inputMean: number("m0", 0),
            depth: Int(number("depth", 1)))
    }

    /// Every column at the reference layers, to the stated accuracy of 1e-10 relative (log_chi
    /// near the top, where it tends to 0, to 1e-10 absolute).
    @Test(arguments: ["erf-frn", "erf-rrn", "erf-ff", "alpha-frn-0.75", "alpha-frn-0.6", "alpha-rrn-0.75",
                      "relu-rrn", "relu-ff", "tanh-frn", "tanh-frn-biased", "tanh-rrn", "tanh-ff"])
    func againstReferenceCurve(_ name: String) throws {
        let reference = try References.load("curves_reference.json")
        let entry = try #require(reference[name], "reference \(name) missing: run Tests/References/curves_reference.py")
        let config = try Self.configuration(entry)
        let rows = entry["rows"]!.arrayValue!
        let layers = Set(rows.map { Int($0["layer"]!.doubleValue!) })
        let curve = try TheoryEngine(configuration: config).run(keepLayer: { layers.contains($0) })
        #expect(curve.failure == nil)
        let computed = Dictionary(uniqueKeysWithValues: curve.rows.map { ($0.layer, $0) })
        var worst = 0.0
        for expected in rows {
            let layer = Int(expected["layer"]!.doubleValue!)
            let row = try #require(computed[layer])
            let values: [(String, Double?)] = [
                ("p", row.p), ("q", row.q), ("gamma", row.gamma), ("lambda", row.lambda), ("e", row.e),
                ("c", row.c), ("s", row.s), ("log_chi", row.logChi), ("log_chi_w", row.logChiW),
                ("log_chi_b", row.logChiB), ("log_chi_v", row.logChiV), ("log_chi_a", row.logChiA),
            ]
            for (column, value) in values {
                let reference = expected[column]
                guard let reference, reference != .null else {
                    #expect(value == nil, "\(name) \(column) at layer \(layer) should be empty")
                    continue
                }
                let target = References.number(reference)
                let got = try #require(value, "\(name) \(column) at layer \(layer) missing")
                let error = column.hasPrefix("log_chi") && abs(target) < 1
                    ? abs(got - target) : relativeError(got, target)
                worst = max(worst, error)
                #expect(error < 1e-10, "\(name) \(column) at layer \(layer): \(got) vs \(target)")
            }
        }
        print("\(name): worst error \(worst) over \(rows.count) layers")
    }

    /// Traps of the issue: e0 = 1 stays exactly 1 (s exactly 0); with an odd activation and no
    /// biases e0 = 0 stays 0 and e0 = -1 stays -1; a non-odd activation leaves e0 = -1 as the
    /// closed form says (ReLU: W(q, -q) = 0, so e^1 = -p^0/p^1 = -1/(1 + r)).
    @Test func exactCorrelationTraps() throws {
        let activations: [any Activation] = [Tanh(), ReLU(), AlphaReLU(alpha: 0.75), Erf(), GELU()]
        for activation in activations {
            for arch in Architecture.allCases {
                let config = NetworkConfiguration(architecture: arch, activation: activation, sigmaW: 1.1,
                                                  sigmaB: 0.2, sigmaV: 0.9, sigmaA: 0.1, p0: 1.3, e0: 1, depth: 300)
                let curve = try TheoryEngine(configuration: config).run()
                #expect(curve.rows.allSatisfy { $0.e == 1 && $0.s == 0 }, "e0 = 1, \(activation) \(arch)")
            }
        }
        for activation in [Tanh(), Erf()] as [any Activation] {
            for e0 in [0.0, -1.0] {
                let config = NetworkConfiguration(architecture: .fullResidual, activation: activation,
                                                  e0: e0, depth: 300)
                let curve = try TheoryEngine(configuration: config).run()
                #expect(curve.rows.allSatisfy { $0.e == e0 }, "e0 = \(e0), \(activation)")
            }
        }
        let relu = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(), sigmaW: 0.8,
                                        sigmaV: 1.2, e0: -1, depth: 5)
        let curve = try TheoryEngine(configuration: relu).run()
        let r = 1.2 * 1.2 * 0.8 * 0.8 / 2
        #expect(relativeError(curve.rows[1].e, -1 / (1 + r)) < 1e-15)
        #expect(curve.rows.allSatisfy { $0.e > -1 || $0.layer == 0 })
    }

    /// alpha = 0.51: the gradient constant involves Gamma(0.01); the curve must be finite and
    /// its chi factors match 1 + sigma_v^2 sigma_w^2 alpha^2 c_(alpha-1) q^(alpha-1).
    @Test func alphaJustAboveOneHalf() throws {
        let alpha = 0.51
        let config = NetworkConfiguration(architecture: .fullResidual, activation: AlphaReLU(alpha: alpha), depth: 200)
        let curve = try TheoryEngine(configuration: config).run()
        #expect(curve.failure == nil)
        let constant = try ArcCosineKernel.meanSquareConstant(order: alpha - 1)
        for index in 1..<curve.rows.count {
            let row = curve.rows[index], q = row.q!
            let factor = 1 + alpha * alpha * constant * pow(q, alpha - 1)
            let step = curve.rows[index - 1].logChi! - row.logChi!
            #expect(relativeError(step, log(factor)) < 1e-12)
        }
    }
}
