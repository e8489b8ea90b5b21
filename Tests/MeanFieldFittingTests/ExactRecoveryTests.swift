import Foundation
import Testing
@testable import MeanFieldFitting

/// Noiseless curves built from known parameters: every law must return them (reference: the
/// parameters themselves), in both residual scales, weighted or not.
struct ExactRecoveryTests {
    struct Curve: CustomTestStringConvertible, Sendable {
        let law: GrowthLaw
        /// In the law's notation (`law.parameterNames`).
        let truth: [Double]
        let x: [Double]
        let f: @Sendable (Double) -> Double
        var testDescription: String { law.rawValue }
    }

    /// x = 1..10^4 on a geometric grid, as layers of a deep residual net.
    static let layers = (0...60).map { (pow(10, Double($0) / 15)).rounded() }.reduce(into: [Double]()) {
        if $0.last != $1 { $0.append($1) }
    }

    static let curves: [Curve] = [
        Curve(law: .power, truth: [2.5, 1.7], x: layers) { 2.5 * pow($0, 1.7) },
        Curve(law: .power, truth: [0.04, -0.45], x: layers) { 0.04 * pow($0, -0.45) },
        Curve(law: .exponential, truth: [0.3, 0.15], x: (0...80).map(Double.init)) { 0.3 * exp(0.15 * $0) },
        Curve(law: .exponential, truth: [7, -0.02], x: (0...200).map(Double.init)) { 7 * exp(-0.02 * $0) },
        Curve(law: .expSqrt, truth: [-1.2, 0.8], x: (0...400).map(Double.init)) { exp(-1.2 + 0.8 * $0.squareRoot()) },
        // |e - e*| of a tanh FRN: delta* = 0.42 near 1/2, with both corrections present.
        Curve(law: .powerCorrected, truth: [0.8, 0.42, -0.3, 0.5], x: layers) {
            0.8 * pow($0, -0.42) - 0.3 / $0.squareRoot() + 0.5 / $0
        },
        Curve(law: .powerCorrected, truth: [1.5, 0.3, 0.6, -0.9], x: layers.filter { $0 >= 3 }) {
            1.5 * pow($0, -0.3) + 0.6 / $0.squareRoot() - 0.9 / $0
        },
    ]

    @Test(arguments: curves, ResidualScale.allCases)
    func recoversParameters(_ curve: Curve, scale: ResidualScale) throws {
        let y = curve.x.map(curve.f)
        let fit = try GrowthLawFit.fit(x: curve.x, y: y, law: curve.law, scale: scale)
        for (parameter, truth) in zip(fit.parameters, curve.truth) {
            #expect(abs(parameter.value - truth) <= 1e-11 * max(abs(truth), 1),
                    "\(parameter.name) = \(parameter.value), truth \(truth)")
        }
        #expect(fit.exponent.value == fit.parameters[1].value)
        // The curve reproduced everywhere: the residuals vanish to rounding.
        for x in curve.x {
            #expect(abs(fit.predict(x) - curve.f(x)) <= 1e-11 * curve.f(x))
        }
        #expect(fit.rSquared.map { $0 > 1 - 1e-15 } ?? false)
    }

    /// Weights change nothing on a noiseless curve: the same minimum, zero residual.
    @Test(arguments: curves)
    func recoversParametersWeighted(_ curve: Curve) throws {
        let y = curve.x.map(curve.f)
        let errors = y.enumerated().map { i, value in value * (0.01 + 0.002 * Double(i % 5)) }
        let fit = try GrowthLawFit.fit(x: curve.x, y: y, law: curve.law, standardErrors: errors)
        #expect(fit.scale == .linear && fit.isWeighted)
        for (parameter, truth) in zip(fit.parameters, curve.truth) {
            #expect(abs(parameter.value - truth) <= 1e-11 * max(abs(truth), 1),
                    "\(parameter.name) = \(parameter.value), truth \(truth)")
        }
    }

    /// --limit: |y - limit| = C x^k for a quantity approaching its fixed point from below.
    @Test func recoversApproachToLimit() throws {
        let x = Self.layers
        let limit = 0.8
        let e = x.map { limit - 0.2 * pow($0, -0.4) }
        let data = try FitData(x: x, y: e, limit: limit)
        let fit = try GrowthLawFit.fit(data, law: .power)
        #expect(abs(fit.exponent.value - -0.4) <= 1e-9)
        #expect(abs(fit.prefactor - 0.2) <= 1e-9 * 0.2)
    }

    /// The reported summary keys follow the documented conventions.
    @Test func reportsRateAndPrefactorByLaw() throws {
        let x = (1...30).map(Double.init)
        let exponential = try GrowthLawFit.fit(x: x, y: x.map { 3 * exp(0.2 * $0) }, law: .exponential)
        #expect(abs(exponential.rate! - 0.2) <= 1e-10 && abs(exponential.prefactor - 3) <= 1e-9)
        let expSqrt = try GrowthLawFit.fit(x: x, y: x.map { exp(0.5 + 1.5 * $0.squareRoot()) }, law: .expSqrt)
        #expect(abs(expSqrt.rate! - 1.5) <= 1e-10 && abs(expSqrt.prefactor - exp(0.5)) <= 1e-9)
        #expect(abs(expSqrt.parameters[0].value - 0.5) <= 1e-10)
        let power = try GrowthLawFit.fit(x: x, y: x.map { 3 * pow($0, 2) }, law: .power)
        #expect(power.rate == nil && abs(power.prefactor - 3) <= 1e-9)
    }
}

/// Exact exponential data with prefactor 1: ln C = 0 must not defeat the convergence test
/// (a relative step criterion alone cannot accept any step at a zero parameter).
@Test func exponentialWithUnitPrefactor() throws {
    for last in [100, 200, 700, 1700] {
        let x = (1...last).map(Double.init)
        let fit = try GrowthLawFit.fit(x: x, y: x.map { pow(1.5, $0 / Double(last) * 100) }, law: .exponential)
        #expect(abs(fit.rate! - log(1.5) * 100 / Double(last)) < 1e-12 * log(1.5) * 100 / Double(last))
        #expect(abs(fit.prefactor - 1) < 1e-10)
    }
}
