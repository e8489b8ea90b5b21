import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// J_a(c) = E[psi_a(u) psi_a(v)] / E[psi_a(u)^2] for standard normals u, v with correlation c,
/// psi_a(x) = x^a for x > 0 (THEORY.md section 4), and its complement 1 - J_a(c), both to full
/// relative precision. Order a > -1/2 (a = alpha for W, a = alpha - 1 for E[phi' phi']).
///
/// Evaluation:
/// - a = 0, 1, 2: the arc-cosine closed forms (Cho & Saul), with the complements rearranged
///   into sums of positive terms (no cancellation as c -> 1).
/// - c >= 1/2: the connection formula of 2F1 around x = 1 (DLMF 15.8.4) with t = (1 - c)/2,
///     J = x^(a+1/2) [2F1(1/2, 1/2; 1/2 - a; t) + K t^(a+1/2) 2F1(a+1, a+1; a+3/2; t)],
///   summed as series in t <= 1/4 (geometric convergence), and the complement formed as
///   -expm1(...) - K (...) so that J(1) = 1 exactly. Its two terms have poles at a = 1/2, 3/2
///   that cancel. Within 0.01 of those the complement is integrated directly,
///   (1 - J) c_a = E[(psi(z) - psi(z'))^2]/2 at q = 1 (nested adaptive quadrature): GSL's
///   2F1 is not used there, because near x = 1 with c - a - b an integer it returns values
///   off by up to 2.5e-4 (a = 3/2, 1 - c = 1e-3) with a small error estimate.
/// - otherwise: the hypergeometric form through GSL (x <= 3/4, where its series converges),
///     J = ((1+c)/2)^(a+1/2) G_a 2F1(1/2, 1/2; a+3/2; (1+c)/2), G_a = Gamma(a+1)^2/(Gamma(a+1/2) Gamma(a+3/2)).
/// The Bessel-K0 integral form is available as an independent evaluation (`besselForm`).
public struct ArcCosineKernel: Sendable {
    public let order: Double
    /// c_a = 2^(a-1) Gamma(a + 1/2) / sqrt(pi) = E[psi_a(u)^2].
    public let meanSquareConstant: Double
    private let hypergeometricPrefactor: Double   // G_a
    private let connectionCoefficient: Double     // K
    /// The connection series cancels near a = 1/2 and 3/2.
    private let connectionIsStable: Bool

    public init(order a: Double) throws {
        precondition(a > -0.5, "J_a needs a > -1/2")
        order = a
        meanSquareConstant = try Self.meanSquareConstant(order: a)
        hypergeometricPrefactor = exp(2 * (try SpecialFunctions.logGamma(a + 1))
            - (try SpecialFunctions.logGamma(a + 0.5)) - (try SpecialFunctions.logGamma(a + 1.5)))
        let nearPole = abs(a - 0.5) < 0.01 || abs(a - 1.5) < 0.01
        connectionIsStable = !nearPole
        if nearPole || Self.isExactOrder(a) {
            connectionCoefficient = 0
        } else {
            // K = Gamma(a+1)^2 Gamma(-a-1/2) / (pi Gamma(a+1/2)).
            let g1 = try SpecialFunctions.gamma(a + 1)
            connectionCoefficient = g1 * g1 * (try SpecialFunctions.gamma(-a - 0.5))
                / (.pi * (try SpecialFunctions.gamma(a + 0.5)))
        }
    }

    /// c_a = 2^(a-1) Gamma(a + 1/2)/sqrt(pi).
    public static func meanSquareConstant(order a: Double) throws -> Double {
        switch a {           // exact for the arc-cosine orders: c_0 = c_1 = 1/2, c_2 = 3/2
        case 0, 1: return 0.5
        case 2: return 1.5
        default: break
        }
        return exp((a - 1) * M_LN2 + (try SpecialFunctions.logGamma(a + 0.5))) / Double.pi.squareRoot()
    }

    static func isExactOrder(_ a: Double) -> Bool { a == 0 || a == 1 || a == 2 }

    /// (J_a(c), 1 - J_a(c)) for c = 1 - oneMinusC in [-1, 1].
    public func evaluate(oneMinusCorrelation oneMinusC: Double) throws -> (value: Double, complement: Double) {
        let c = 1 - oneMinusC
        if oneMinusC <= 0 { return (1, 0) }
        if oneMinusC >= 2 { return (0, 1) }   // psi(u) psi(-u) = 0
        if Self.isExactOrder(order) { return arcCosine(oneMinusC: oneMinusC, c: c) }
        let t = 0.5 * oneMinusC
        if t <= 0.25 {
            if connectionIsStable { return connectionSeries(t: t) }
            let complement = try integratedComplement(oneMinusC: oneMinusC)
            return (1 - complement, complement)
        }
        let value = try hypergeometricForm(c: c)
        return (value, 1 - value)
    }

    // MARK: Arc-cosine closed forms, a = 0, 1, 2

    private func arcCosine(oneMinusC: Double, c: Double) -> (value: Double, complement: Double) {
        // theta = arccos c from 1 - c, and pi - theta from 1 + c = 2 - (1 - c) (exact for
        // c < 0 by Sterbenz), so that neither end loses relative precision.
        let onePlusC = 2 - oneMinusC
        let theta: Double, piMinusTheta: Double
        if c >= 0 {
            theta = 2 * asin((0.5 * oneMinusC).squareRoot())
            piMinusTheta = Double.pi - theta
        } else {
            piMinusTheta = 2 * asin((0.5 * onePlusC).squareRoot())
            theta = Double.pi - piMinusTheta
        }
        let sine = (oneMinusC * onePlusC).squareRoot()                  // sin theta
        let thetaMinusSine = Self.thetaMinusSine(theta)
        switch order {
        case 0:
            return (piMinusTheta / .pi, theta / .pi)
        case 1:
            // J_1 = (sin t + (pi - t) cos t)/pi; 1 - J_1 = ((pi - t)(1 - c) + (t - sin t))/pi.
            let complement = (piMinusTheta * oneMinusC + thetaMinusSine) / .pi
            let value: Double
            if piMinusTheta < 0.5 {
                // Near c = -1: sin u - u cos u with u = pi - t, by its series (cancels otherwise).
                value = Self.sineMinusArgumentCosine(piMinusTheta) / .pi
            } else {
                value = (sine + piMinusTheta * c) / .pi
            }
            return (value, complement)
        default:
            // J_2 = (3 sin t cos t + (pi - t)(1 + 2 cos^2 t))/(3 pi);
            // 1 - J_2 = (2 (pi - t)(1 - c^2) + 3 (1 - c) sin t + 3 (t - sin t))/(3 pi).
            let complement = (2 * piMinusTheta * oneMinusC * onePlusC + 3 * oneMinusC * sine
                              + 3 * thetaMinusSine) / (3 * .pi)
            if c > 0 { return (1 - complement, complement) }
            if piMinusTheta < 0.5 {
                return (Self.orderTwoNearAntipodal(piMinusTheta) / (3 * .pi), complement)
            }
            return ((3 * sine * c + piMinusTheta * (1 + 2 * c * c)) / (3 * .pi), complement)
        }
    }

    /// theta - sin theta, by its Taylor series for small theta.
    static func thetaMinusSine(_ theta: Double) -> Double {
        if theta > 0.5 { return theta - sin(theta) }
        let t2 = theta * theta
        var term = theta * t2 / 6, sum = 0.0
        var k = 1.0
        while abs(term) > 1e-18 * abs(sum) || sum == 0 {
            sum += term
            term *= -t2 / ((2 * k + 2) * (2 * k + 3))
            k += 1
            if term == 0 { break }
        }
        return sum
    }

    /// sin u - u cos u = u^3/3 - u^5/30 + ..., by its series (sum of (-1)^k u^(2k+1) 2k/(2k+1)!).
    static func sineMinusArgumentCosine(_ u: Double) -> Double {
        if u == 0 { return 0 }
        let u2 = u * u
        var power = u * u2        // u^(2k+1) / (2k+1)! without the factor 2k, k = 1
        var factorial = 6.0
        var sum = 0.0
        var k = 1.0
        var sign = 1.0
        while true {
            let term = sign * 2 * k * power / factorial
            sum += term
            if abs(term) <= 1e-18 * abs(sum) { break }
            power *= u2
            factorial *= (2 * k + 2) * (2 * k + 3)
            sign = -sign
            k += 1
        }
        return sum
    }

    /// 3 pi J_2 near c = -1, u = pi - theta: with v = 2u it is
    /// sum_{k>=2} (-1)^k (k - 1) v^(2k+1)/(2k+1)! = (4/15) u^5 + ... (the closed form cancels).
    static func orderTwoNearAntipodal(_ u: Double) -> Double {
        let v = 2 * u, v2 = v * v
        var power = v * v2 * v2          // v^5
        var factorial = 120.0            // 5!
        var sum = 0.0
        var k = 2.0
        var sign = 1.0
        while true {
            let term = sign * (k - 1) * power / factorial
            sum += term
            if abs(term) <= 1e-18 * abs(sum) || term == 0 { break }
            power *= v2
            factorial *= (2 * k + 2) * (2 * k + 3)
            sign = -sign
            k += 1
        }
        return sum
    }

    // MARK: Connection series around c = 1

    private func connectionSeries(t: Double) -> (value: Double, complement: Double) {
        let a = order
        // F1 - 1 = sum_{n>=1} ((1/2)_n)^2 / ((1/2 - a)_n n!) t^n.
        var term = 1.0, f1MinusOne = 0.0
        for n in 1...200 {
            let m = Double(n)
            term *= (m - 0.5) * (m - 0.5) / ((m - 0.5 - a) * m) * t
            f1MinusOne += term
            if abs(term) <= 1e-17 * abs(f1MinusOne) { break }
        }
        // F2 = sum_n ((a+1)_n)^2 / ((a+3/2)_n n!) t^n.
        var term2 = 1.0, f2 = 1.0
        for n in 1...400 {
            let m = Double(n)
            term2 *= (a + m) * (a + m) / ((a + 0.5 + m) * m) * t
            f2 += term2
            if abs(term2) <= 1e-17 * f2 { break }
        }
        let exponent = a + 0.5
        let logX = log1p(-t)
        // 1 - x^(a+1/2) F1 = -expm1((a+1/2) log x + log1p(F1 - 1)) while F1 is near 1; F1 can
        // be far from 1 (even negative) close to a = 1/2, where no cancellation threatens.
        let firstComplement = f1MinusOne > -0.5
            ? -expm1(exponent * logX + log1p(f1MinusOne))
            : 1 - exp(exponent * logX) * (1 + f1MinusOne)
        let second = connectionCoefficient * exp(exponent * (logX + log(t))) * f2
        let complement = firstComplement - second
        return (1 - complement, complement)
    }

    // MARK: Direct quadrature near the poles

    /// 1 - J_a(c) = E[(psi_a(z) - psi_a(z'))^2] / (2 c_a) at q = 1, by nested quadrature.
    private func integratedComplement(oneMinusC: Double) throws -> Double {
        let quadrature = QuadratureTransforms(activation: AlphaReLU(alpha: order))
        let pair = GaussianPair(variance: 1, covariance: 1 - oneMinusC, distance: oneMinusC)
        return try quadrature.halfSquaredDifference(pair) / meanSquareConstant
    }

    // MARK: Hypergeometric form through GSL

    func hypergeometricForm(c: Double) throws -> Double {
        let a = order
        let x = 0.5 * (1 + c)
        if x <= 0 { return 0 }
        let f = try SpecialFunctions.hypergeometric2F1(0.5, 0.5, a + 1.5, x)
        guard f.error <= 1e-13 * abs(f.value) else {
            return try besselForm(c: c)
        }
        return exp((a + 0.5) * log(x)) * hypergeometricPrefactor * f.value
    }

    // MARK: Bessel-K0 integral form

    /// J_a(c) from c_a J_a(c) = ((1 - c^2)^(a+1/2) / (2 pi)) Int_0^inf t^a e^(c t) K0(t) dt,
    /// |c| < 1 (the density of a product of correlated normals). Integrated with the scaled
    /// K0 (e^t K0(t)) so the integrand is t^a e^(-(1-c) t) e^t K0(t): QAGS on [0, 1] for the
    /// t^a log t singularity, QAG up to the decay length 1/(1-c), QAGIU beyond.
    public func besselForm(c: Double, integrator: AdaptiveIntegrator? = nil) throws -> Double {
        precondition(abs(c) < 1, "the Bessel form needs |c| < 1")
        let a = order
        let quadrature = integrator ?? AdaptiveIntegrator(relativeTolerance: 1e-13)
        let decay = 1 - c
        var failure: Error? = nil
        let integrand: (Double) -> Double = { t in
            if t == 0 { return 0 }
            do {
                return exp(a * log(t) - decay * t) * (try SpecialFunctions.besselK0Scaled(t))
            } catch {
                failure = failure ?? error
                return 0
            }
        }
        var total = try quadrature.integrateSingular(from: 0, to: 1, context: "Bessel form near 0",
                                                     integrand).value
        let knee = max(2, 1 / decay)
        total += try quadrature.integrate(from: 1, to: knee, context: "Bessel form", integrand).value
        total += try quadrature.integrate(from: knee, context: "Bessel form tail", integrand).value
        if let failure { throw failure }
        let prefactor = exp((a + 0.5) * log1p(-c * c)) / (2 * .pi)
        return prefactor * total / meanSquareConstant
    }
}
