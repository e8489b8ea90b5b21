import Foundation
import Testing
@testable import MeanFieldTheory
import MeanFieldCore
import MeanFieldIO
import MeanFieldNumerics

/// Gaussian transforms against independent references (Tests/References/transforms_reference.py).
@Suite struct TanhTransformTests {
    let reference = try! References.load("transforms_reference.json")

    @Test func oneDimensionalAgainstMpmath() throws {
        let tanh = TanhTransforms()
        for entry in reference["tanh_1d"]!.arrayValue! {
            let q = References.number(entry["q"])
            let v = try tanh.meanSquare(variance: q)
            let vPrime = try tanh.derivativeMeanSquare(variance: q)
            #expect(relativeError(v, References.number(entry["V"])) < 1e-13, "V at q = \(q)")
            #expect(relativeError(vPrime, References.number(entry["Vprime"])) < 1e-12, "V' at q = \(q)")
        }
    }

    @Test func pairsAgainstDenseQuadrature() throws {
        let tanh = TanhTransforms()
        for entry in reference["tanh_pair"]!.arrayValue! {
            let q = References.number(entry["q"])
            let oneMinusC = References.number(entry["one_minus_c"])
            let pair = GaussianPair(variance: q, covariance: q * (1 - oneMinusC), distance: q * oneMinusC)
            let w = try tanh.crossMoment(pair)
            let d = try tanh.halfSquaredDifference(pair)
            let moments = try tanh.layerMoments(pair, needMean: false)
            let wRef = References.number(entry["W"]), dRef = References.number(entry["D"])
            #expect(relativeError(w, wRef) < 1e-12, "W at q = \(q), 1 - c = \(oneMinusC): \(w) vs \(wRef)")
            #expect(relativeError(d, dRef) < 1e-12, "D at q = \(q), 1 - c = \(oneMinusC): \(d) vs \(dRef)")
            #expect(relativeError(moments.crossMoment, wRef) < 1e-12)
            #expect(relativeError(moments.halfSquaredDifference, dRef) < 1e-12)
        }
    }

    /// The fast path (sign decomposition and series) against adaptive nested quadrature, over
    /// the whole region where the fast path is used.
    /// The grid covers the Gauss–Hermite regime (q < 2, and q < 8 with c near 1) as well as
    /// the series regimes.
    @Test func fastPathAgainstAdaptiveQuadrature() throws {
        let tanh = TanhTransforms()
        let general = QuadratureTransforms(activation: Tanh())
        var worst = 0.0
        for q in [1e-6, 1e-3, 0.05, 0.3, 1, 1.5, 1.99, 2.0, 3, 5, 7.9, 10, 20, 30, 45, 100, 300, 399, 401, 1e3, 1e4, 1e5, 1e7] {
            for c in [0.0, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10, -0.3, -0.9, -(1 - 1e-8)] {
                let pair = GaussianPair(variance: q, correlation: c)
                let fast = try tanh.layerMoments(pair, needMean: false)
                let slow = try general.layerMoments(pair, needMean: false)
                let scale = slow.meanSquare
                worst = max(worst, abs(fast.crossMoment - slow.crossMoment) / scale)
                #expect(abs(fast.crossMoment - slow.crossMoment) <= 1e-12 * max(abs(slow.crossMoment), 1e-3 * scale),
                        "W at q = \(q), c = \(c): \(fast.crossMoment) vs \(slow.crossMoment)")
                #expect(relativeError(fast.halfSquaredDifference, slow.halfSquaredDifference) < 1e-12,
                        "D at q = \(q), c = \(c)")
                #expect(relativeError(fast.meanSquare, slow.meanSquare) < 1e-13)
                #expect(relativeError(fast.derivativeMeanSquare, slow.derivativeMeanSquare) < 1e-12)
            }
        }
    }

    /// Large-q expansions (THEORY.md section 5): for a localized f,
    /// E[f(z)] = (2 pi q)^(-1/2) sum_n (-1)^n mu_2n / (n! (2q)^n), mu_k = Int x^k f(x) dx.
    /// sech^2: mu_0 = 2, mu_2 = pi^2/6, mu_4 = 7 pi^4/120; sech^4: mu_0 = 4/3,
    /// mu_2 = (pi^2 - 6)/9, mu_4 = 0.4982631842925307974 (mpmath). Three terms leave a
    /// relative remainder O(q^-3), below 1e-14 at q >= 1e5.
    @Test func largeVarianceExpansions() throws {
        let tanh = TanhTransforms()
        for q in [1e5, 1e6, 1e8] {
            let root = (2 * Double.pi * q).squareRoot()
            let pi2 = Double.pi * .pi
            let v = 1 - (2 - pi2 / 6 / (2 * q) + 7 * pi2 * pi2 / 120 / (8 * q * q)) / root
            let vPrime = (4.0 / 3 - (pi2 - 6) / 9 / (2 * q) + 0.4982631842925307974 / (8 * q * q)) / root
            #expect(relativeError(try tanh.meanSquare(variance: q), v) < 1e-14)
            #expect(relativeError(try tanh.derivativeMeanSquare(variance: q), vPrime) < 1e-12)
            // W -> (2/pi) asin c with an O(1/sqrt q) correction.
            let w = try tanh.crossMoment(GaussianPair(variance: q, correlation: 0.5))
            #expect(abs(w - 2 / .pi * asin(0.5)) < 2 / q.squareRoot())
        }
    }
}

@Suite struct TanhMomentTableTests {
    /// The tabulated moments Int_0^20 f x^j dx against adaptive QAG, j = 0...160.
    @Test func momentsAgainstAdaptiveQuadrature() throws {
        let (remainder, sech2, sech4) = TanhTransforms.tabulateMoments()
        let integrator = AdaptiveIntegrator(relativeTolerance: 1e-13, rule: .gauss61)
        let points = stride(from: 0.0, through: 20, by: 0.25).map { $0 }
        for j in stride(from: 0, through: TanhTransforms.maximumMomentOrder, by: 7) {
            let p = Double(j)
            let r = try integrator.integrate(breakpoints: points) { x in
                let e = exp(-2 * x); return -2 * e / (1 + e) * pow(x, p) }.value
            let s = try integrator.integrate(breakpoints: points) { x in
                let e = exp(-2 * x); return 4 * e / ((1 + e) * (1 + e)) * pow(x, p) }.value
            let s4 = try integrator.integrate(breakpoints: points) { x in
                let e = exp(-2 * x); let v = 4 * e / ((1 + e) * (1 + e)); return v * v * pow(x, p) }.value
            #expect(relativeError(remainder[j], r) < 1e-13, "r moment \(j)")
            #expect(relativeError(sech2[j], s) < 1e-13, "sech^2 moment \(j)")
            #expect(relativeError(sech4[j], s4) < 1e-13, "sech^4 moment \(j)")
        }
    }
}
