import Foundation
import Testing
@testable import MeanFieldNumerics

@Suite struct CompensatedSumTests {
    /// 1e6 additions of 0.1 to 1e8: plain summation drifts by ~1e-6 relative to the exact
    /// decimal value; the compensated sum stays within one rounding of the exact result.
    @Test func manySmallTerms() {
        var compensated = CompensatedSum(1e8)
        var plain = 1e8
        for _ in 0..<1_000_000 {
            compensated.add(0.1)
            plain += 0.1
        }
        let exact = 1e8 + 1_000_000 * 0.1   // 100100000.0 (0.1's rounding error: ~5.5e-12 in total)
        #expect(abs(compensated.value - exact) <= 1e-7)
        #expect(abs(plain - exact) > 1e-4)
    }

    @Test func cancellationIsExact() {
        var sum = CompensatedSum()
        for term in [1e16, 1.0, -1e16, 1.0] { sum.add(term) }
        #expect(sum.value == 2)
    }

    @Test func powerOfTwoScalingIsExact() {
        var sum = CompensatedSum(3)
        sum.add(1e-17)
        sum.scale(byPowerOfTwo: 300)
        sum.scale(byPowerOfTwo: -300)
        #expect(sum.sum == 3 && sum.compensation == 1e-17)
    }
}

@Suite struct QuadratureTests {
    /// Int_0^1 x^(-1/2) dx = 2 needs QAGS (end-point singularity).
    @Test func singularIntegrand() throws {
        let integrator = AdaptiveIntegrator(relativeTolerance: 1e-12)
        let result = try integrator.integrateSingular(from: 0, to: 1) { x in 1 / x.squareRoot() }
        #expect(abs(result.value - 2) < 1e-11)
    }

    /// Int_-8^8 e^{-x^2/2} |x| dx over panels split at the kink = 2 (1 - e^{-32}).
    @Test func panelsWithAKink() throws {
        let integrator = AdaptiveIntegrator(relativeTolerance: 1e-13)
        let result = try integrator.integrate(breakpoints: [-8, -1, 0, 1, 8]) { x in exp(-x * x / 2) * abs(x) }
        #expect(abs(result.value - 2 * (1 - exp(-32.0))) < 1e-13)
    }

    @Test func semiInfiniteRange() throws {
        let integrator = AdaptiveIntegrator(relativeTolerance: 1e-13)
        let result = try integrator.integrate(from: 0) { x in exp(-x) }
        #expect(abs(result.value - 1) < 1e-13)
    }

    /// GSL's abort handler is off: an impossible tolerance is a thrown GSLError, not a crash.
    @Test func failureIsAThrownError() {
        let integrator = AdaptiveIntegrator(relativeTolerance: 1e-15, intervalLimit: 5)
        #expect(throws: GSLError.self) {
            _ = try integrator.integrate(from: 0, to: 1) { x in sin(1 / (x + 1e-6)) }
        }
    }

    @Test func nonFiniteIntegrandIsAnError() {
        let integrator = AdaptiveIntegrator()
        #expect(throws: GSLError.self) {
            _ = try integrator.integrate(from: 0, to: 1) { _ in .nan }
        }
    }

    @Test func fixedGaussLegendreIsExactForPolynomials() {
        let rule = CompositeGaussLegendre(breakpoints: [0, 0.5, 2], order: 5)
        // Degree 9 is integrated exactly by 5 points: Int_0^2 x^9 dx = 102.4.
        #expect(abs(rule.integrate { pow($0, 9) } - 102.4) < 1e-12)
    }
}

@Suite struct SpecialFunctionTests {
    @Test func gammaValues() throws {
        #expect(abs(try SpecialFunctions.gamma(0.5) - Double.pi.squareRoot()) < 1e-15)
        #expect(abs(try SpecialFunctions.logGamma(101) - 363.73937555556347) < 1e-12)
    }

    @Test func domainErrorsThrow() {
        #expect(throws: GSLError.self) { _ = try SpecialFunctions.gamma(-2) }
    }

    /// 2F1(1/2, 1/2; 3/2; x^2) = asin(x)/x.
    @Test func hypergeometricIdentity() throws {
        for x in [0.1, 0.5, 0.8] {
            let f = try SpecialFunctions.hypergeometric2F1(0.5, 0.5, 1.5, x * x)
            #expect(abs(f.value - asin(x) / x) < 1e-14)
        }
    }

    /// e^x K0(x) ~ sqrt(pi/(2x)) (1 - 1/(8x) + 9/(128 x^2)) for large x.
    @Test func besselK0Asymptotics() throws {
        let x = 400.0
        let expansion = (Double.pi / (2 * x)).squareRoot() * (1 - 1 / (8 * x) + 9 / (128 * x * x) - 225 / (3072 * x * x * x))
        #expect(abs(try SpecialFunctions.besselK0Scaled(x) - expansion) < 1e-12)
    }
}

@Suite struct RootFindingTests {
    @Test func fullPrecisionRoot() throws {
        let root = try findRoot(in: 1, 2) { $0 * $0 - 2 }
        #expect(abs(root - 2.0.squareRoot()) <= 2 * 2.0.squareRoot().ulp)
    }

    @Test func unbracketedRootThrows() {
        #expect(throws: RootFindingError.self) { _ = try findRoot(in: 2, 3) { $0 * $0 - 2 } }
    }
}
