import Foundation
import Testing
@testable import MeanFieldTheory
import MeanFieldCore
import MeanFieldNumerics

/// alpha-ReLU: the kernel J_alpha against mpmath's hypergeometric function at 60 digits, the
/// Bessel-K0 form and two-dimensional quadrature against the closed forms, and the identities
/// of THEORY.md section 4.
@Suite struct AlphaReLUTransformTests {
    let reference = try! References.load("transforms_reference.json")

    static func nearPole(_ a: Double) -> Bool { abs(a - 0.5) < 0.01 || abs(a - 1.5) < 0.01 }

    @Test func meanSquareConstantAgainstMpmath() throws {
        for entry in reference["alpha_constants"]!.arrayValue! {
            let a = References.number(entry["alpha"])
            let value = try ArcCosineKernel.meanSquareConstant(order: a)
            #expect(relativeError(value, References.number(entry["c_alpha"])) < 1e-14, "c_\(a)")
        }
    }

    @Test func kernelAgainstMpmath() throws {
        var worstValue = 0.0, worstComplement = 0.0
        for entry in reference["alpha_kernel"]!.arrayValue! {
            let a = References.number(entry["alpha"])
            let oneMinusC = References.number(entry["one_minus_c"])
            let kernel = try ArcCosineKernel(order: a)
            let j = try kernel.evaluate(oneMinusCorrelation: oneMinusC)
            let jRef = References.number(entry["J"]), complementRef = References.number(entry["complement"])
            let valueError = relativeError(j.value, jRef)
            worstValue = max(worstValue, valueError)
            #expect(valueError < 1e-13, "J_\(a)(1 - \(oneMinusC)) = \(j.value) vs \(jRef)")
            // Near a = 1/2, 3/2 the complement comes from direct quadrature.
            let complementError = relativeError(j.complement, complementRef)
            worstComplement = max(worstComplement, complementError)
            #expect(complementError < (Self.nearPole(a) ? 1e-12 : 2e-13),
                    "1 - J_\(a)(1 - \(oneMinusC)) = \(j.complement) vs \(complementRef)")
        }
        print("alpha kernel: worst relative error of J \(worstValue), of 1 - J \(worstComplement)")
    }

    /// D = c_alpha q^alpha (1 - J) through the transforms, including alpha near the poles of
    /// the connection series, where the engine falls back to quadrature of (psi(z) - psi(z'))^2/2.
    @Test func halfSquaredDifferenceNearPoles() throws {
        let constants = Dictionary(uniqueKeysWithValues: reference["alpha_constants"]!.arrayValue!.map {
            (References.number($0["alpha"]), References.number($0["c_alpha"]))
        })
        for entry in reference["alpha_kernel"]!.arrayValue! {
            let a = References.number(entry["alpha"])
            let oneMinusC = References.number(entry["one_minus_c"])
            guard a > 0, oneMinusC >= 1e-10, oneMinusC <= 1 else { continue }
            let q = 3.0
            let transforms = AlphaReLUTransforms(alpha: a)
            let pair = GaussianPair(variance: q, covariance: q * (1 - oneMinusC), distance: q * oneMinusC)
            let d = try transforms.halfSquaredDifference(pair)
            let expected = constants[a]! * pow(q, a) * References.number(entry["complement"])
            #expect(relativeError(d, expected) < 1e-12, "D for alpha = \(a), 1 - c = \(oneMinusC): \(d) vs \(expected)")
        }
    }

    @Test func besselFormAgainstHypergeometric() throws {
        for entry in reference["alpha_kernel"]!.arrayValue! {
            let a = References.number(entry["alpha"])
            let oneMinusC = References.number(entry["one_minus_c"])
            guard a > -0.5, oneMinusC >= 1e-3, oneMinusC <= 1.99 else { continue }
            let kernel = try ArcCosineKernel(order: a)
            let bessel = try kernel.besselForm(c: 1 - oneMinusC)
            #expect(relativeError(bessel, References.number(entry["J"])) < 1e-11,
                    "Bessel form, alpha = \(a), c = \(1 - oneMinusC)")
        }
    }

    /// Closed forms against adaptive two-dimensional quadrature of psi(z) psi(z').
    @Test func closedFormsAgainstTwoDimensionalQuadrature() throws {
        for alpha in [0.3, 0.6, 0.75, 1, 1.3, 2] {
            let closed = AlphaReLUTransforms(alpha: alpha)
            let quadrature = QuadratureTransforms(activation: AlphaReLU(alpha: alpha))
            for (q, c) in [(1.0, 0.5), (2.5, -0.7), (0.4, 0.95), (10, 0.0)] {
                let pair = GaussianPair(variance: q, correlation: c)
                #expect(relativeError(try closed.crossMoment(pair), try quadrature.crossMoment(pair)) < 1e-11,
                        "W, alpha = \(alpha), q = \(q), c = \(c)")
                #expect(relativeError(try closed.halfSquaredDifference(pair),
                                      try quadrature.halfSquaredDifference(pair)) < 1e-11)
                #expect(relativeError(try closed.meanSquare(variance: q), try quadrature.meanSquare(variance: q)) < 1e-11)
                #expect(relativeError(try closed.mean(variance: q), try quadrature.mean(variance: q)) < 1e-11)
                if alpha > 0.75 {
                    #expect(relativeError(try closed.derivativeMeanSquare(variance: q),
                                          try quadrature.derivativeMeanSquare(variance: q)) < 1e-10)
                }
            }
        }
    }

    /// J_a'(c) = a^2/(2a - 1) J_(a-1)(c) for a > 1/2, with J' from a Richardson-extrapolated
    /// central difference (error O(h^6) ~ 1e-12 at h = 1e-2).
    @Test func derivativeIdentity() throws {
        for a in [0.6, 0.75, 1, 1.25, 1.7, 2] {
            let kernel = try ArcCosineKernel(order: a), lower = try ArcCosineKernel(order: a - 1)
            for c in [-0.6, -0.2, 0.1, 0.4, 0.7] {
                func j(_ x: Double) throws -> Double { try kernel.evaluate(oneMinusCorrelation: 1 - x).value }
                func central(_ h: Double) throws -> Double { (try j(c + h) - j(c - h)) / (2 * h) }
                let h = 1e-2
                let d1 = try central(h), d2 = try central(h / 2), d3 = try central(h / 4)
                let r1 = (4 * d2 - d1) / 3, r2 = (4 * d3 - d2) / 3
                let derivative = (16 * r2 - r1) / 15
                let identity = a * a / (2 * a - 1) * (try lower.evaluate(oneMinusCorrelation: 1 - c).value)
                #expect(relativeError(derivative, identity) < 1e-10, "a = \(a), c = \(c)")
            }
        }
    }

    /// E_(a+1) = a^2 (1 - c^2) E_(a-1) + (2a + 1) c E_a with E_a = c_a J_a.
    @Test func threeTermRecurrence() throws {
        for a in [0.55, 0.75, 0.9, 1] {
            let lower = try ArcCosineKernel(order: a - 1), middle = try ArcCosineKernel(order: a),
                upper = try ArcCosineKernel(order: a + 1)
            for c in [-0.9, -0.4, 0, 0.3, 0.8, 0.99] {
                func e(_ k: ArcCosineKernel) throws -> Double {
                    k.meanSquareConstant * (try k.evaluate(oneMinusCorrelation: 1 - c).value)
                }
                let lhs = try e(upper)
                let rhs = a * a * (1 - c * c) * (try e(lower)) + (2 * a + 1) * c * (try e(middle))
                #expect(relativeError(lhs, rhs) < 1e-13, "a = \(a), c = \(c)")
            }
        }
    }

    /// The trap alpha = 0.51: V' = alpha^2 c_(alpha - 1) q^(alpha - 1) with c_(-0.49) =
    /// 2^(-1.49) Gamma(0.01)/sqrt(pi), and chi undefined (infinite) for alpha <= 1/2.
    @Test func derivativeMeanSquareTraps() throws {
        let constants = Dictionary(uniqueKeysWithValues: reference["alpha_constants"]!.arrayValue!.map {
            (References.number($0["alpha"]), References.number($0["c_alpha"]))
        })
        let t = AlphaReLUTransforms(alpha: 0.51)
        #expect(relativeError(try t.derivativeMeanSquare(variance: 2), 0.51 * 0.51 * constants[-0.49]! * pow(2, -0.49)) < 1e-14)
        #expect(try AlphaReLUTransforms(alpha: 0.5).derivativeMeanSquare(variance: 2) == .infinity)
        #expect(try AlphaReLUTransforms(alpha: 0.3).derivativeMeanSquare(variance: 2) == .infinity)
    }
}

@Suite struct ClosedFormTransformTests {
    /// erf closed forms against the general quadrature path of the same activation.
    @Test func erfAgainstQuadrature() throws {
        let closed = ErfTransforms(), quadrature = QuadratureTransforms(activation: Erf())
        for q in [0.01, 0.5, 3, 40, 1e4] {
            #expect(relativeError(try closed.meanSquare(variance: q), try quadrature.meanSquare(variance: q)) < 1e-12)
            #expect(relativeError(try closed.derivativeMeanSquare(variance: q),
                                  try quadrature.derivativeMeanSquare(variance: q)) < 1e-12)
            #expect(relativeError(try closed.secondDerivativeMoment(variance: q)!,
                                  try quadrature.secondDerivativeMoment(variance: q)!) < 1e-11)
            for c in [-0.95, -0.3, 0.2, 0.7, 0.999] {
                let pair = GaussianPair(variance: q, correlation: c)
                #expect(relativeError(try closed.crossMoment(pair), try quadrature.crossMoment(pair)) < 1e-12)
                #expect(relativeError(try closed.halfSquaredDifference(pair),
                                      try quadrature.halfSquaredDifference(pair)) < 1e-12, "D erf q = \(q) c = \(c)")
                #expect(relativeError(try closed.derivativeCrossMoment(pair),
                                      try quadrature.derivativeCrossMoment(pair)) < 1e-11)
            }
        }
    }

    /// The difference form of erf's D at 1 - c = 1e-12 against its first-order expansion
    /// D = delta V'(q) (1 + O(delta)).
    @Test func erfDifferenceAtNearlyEqualInputs() throws {
        let closed = ErfTransforms()
        for q in [0.3, 7.0] {
            let delta = 1e-12 * q
            let pair = GaussianPair(variance: q, covariance: q - delta, distance: delta)
            let expected = delta * (try closed.derivativeMeanSquare(variance: q))
            #expect(relativeError(try closed.halfSquaredDifference(pair), expected) < 1e-10)
        }
    }
}
