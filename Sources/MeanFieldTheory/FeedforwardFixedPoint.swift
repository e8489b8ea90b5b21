import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// Order-to-chaos phase of a vanilla feedforward net (Poole et al. 2016, Schoenholz et al. 2017).
public enum FeedforwardPhase: String, Sendable {
    case ordered, chaotic, critical
}

/// The FF fixed point and depth scales of THEORY.md section 7, in the p-q convention:
/// q* = sigma_w^2 V phi(q*) + sigma_b^2; chi_1 = sigma_w^2 V phi'(q*); c* = 1 is stable iff
/// chi_1 < 1; chi_c = sigma_w^2 E[phi'(z) phi'(z')] at (q*, c*); xi_c = -1/ln chi_c;
/// xi_q = -1/ln(chi_1 + sigma_w^2 E[phi''(z) phi(z)]).
public struct FeedforwardFixedPoint: Sendable, Equatable {
    /// nil when the length map has no finite fixed point (q grows without bound).
    public var qStar: Double?
    public var cStar: Double?
    public var chi1: Double?
    public var chiC: Double?
    /// Depth scales; nil where they are infinite (a factor >= 1) or undefined.
    public var xiQ: Double?
    public var xiC: Double?
    public var phase: FeedforwardPhase?
    public var notes: [String] = []

    /// Tolerance on |chi_1 - 1| below which the net is reported as critical.
    public static let criticalTolerance = 1e-10

    /// `correlations`: also solve for c*, chi_c and xi_c (the edge-of-chaos search needs only chi_1).
    public static func solve(_ configuration: NetworkConfiguration,
                             correlations: Bool = true) throws -> FeedforwardFixedPoint {
        let transforms = makeTransforms(for: configuration.activation)
        let sigmaW2 = configuration.sigmaW * configuration.sigmaW
        let sigmaB2 = configuration.sigmaB * configuration.sigmaB
        var result = FeedforwardFixedPoint()

        // Length map q -> sigma_w^2 V(q) + sigma_b^2.
        func lengthMap(_ q: Double) throws -> Double {
            sigmaW2 * (try transforms.meanSquare(variance: q)) + sigmaB2
        }
        // Locate the fixed point the iteration from the input reaches, then bracket it and
        // polish with Brent's method.
        var q = sigmaW2 * configuration.p0 + sigmaB2
        var diverges = false, vanishes = false, settled = false
        for _ in 0..<400 {
            let next = try lengthMap(q)
            if !next.isFinite || next > 1e280 { diverges = true; break }
            if next < 1e-280 { vanishes = true; break }
            settled = abs(next - q) <= 1e-8 * q
            q = next
            if settled { break }
        }
        if diverges {
            result.notes.append("q grows without bound: no finite fixed point")
        } else if vanishes {
            result.qStar = 0
        } else {
            var failure: Error? = nil
            let f: (Double) -> Double = { x in
                do { return try lengthMap(x) - x } catch { failure = failure ?? error; return .nan }
            }
            let atIterate = f(q)
            var lower = q, upper = q
            var width = 1e-8 * q
            // Below an attracting fixed point the map lies above the identity (f > 0), above it
            // below (f < 0).
            while f(lower) < 0 && lower > 0 && width < 1e12 * q { lower = max(q - width, 0); width *= 4 }
            width = 1e-8 * q
            while f(upper) > 0 && width < 1e12 * q { upper = q + width; width *= 4 }
            if let failure { throw failure }
            let fLower = f(lower), fUpper = f(upper)
            if atIterate == 0 {
                result.qStar = q
            } else if fLower <= 0 && fUpper >= 0 || fLower >= 0 && fUpper <= 0 {
                result.qStar = try findRoot(in: min(lower, upper), max(lower, upper), f)
            } else if settled {
                // No sign change near a settled iterate: the map is marginal there (ReLU at
                // sigma_w^2 = 2, sigma_b = 0 fixes every q); the iterate is a fixed point.
                result.qStar = q
                result.notes.append("the length map is marginal: every q near q* is (nearly) fixed")
            } else if fUpper > 0 {
                result.notes.append("q grows without bound: no finite fixed point")
            } else {
                result.qStar = 0
            }
        }

        guard let qStar = result.qStar else {
            // Homogeneous of degree 1 (ReLU, linear): V' does not depend on q.
            if configuration.activation.homogeneityDegree == 1 {
                result.chi1 = sigmaW2 * (try transforms.derivativeMeanSquare(variance: 1))
            }
            result.phase = result.chi1.map(Self.phase)
            return result
        }
        let derivative = try transforms.derivativeMeanSquare(variance: qStar)
        guard derivative.isFinite else {
            result.notes.append("V phi' diverges at q*: chi_1 is infinite")
            result.phase = .chaotic
            return result
        }
        let chi1 = sigmaW2 * derivative
        result.chi1 = chi1
        result.phase = Self.phase(chi1)

        // Correlation map c -> 1 - sigma_w^2 D(q*, (1 - c) q*) / q*; fixed point c* = 1 when
        // chi_1 <= 1, otherwise the root below 1.
        guard correlations else { return result }
        if qStar == 0 {
            result.notes.append("q* = 0: the correlation map is degenerate")
        } else if chi1 <= 1 + Self.criticalTolerance {
            result.cStar = 1
        } else {
            var failure: Error? = nil
            let g: (Double) -> Double = { c in
                let oneMinusC = 1 - c
                let pair = GaussianPair(variance: qStar, covariance: qStar * c,
                                        distance: qStar * oneMinusC)
                do {
                    return oneMinusC - sigmaW2 * (try transforms.halfSquaredDifference(pair)) / qStar
                } catch { failure = failure ?? error; return .nan }
            }
            // g < 0 just below 1 (slope chi_1 > 1), but near the edge of chaos c* is itself
            // close to 1: move the upper end toward 1 until g turns negative.
            var lower = 0.0
            if g(0) < 0 { lower = -1 }
            var gap = 1e-3
            while g(1 - gap) >= 0 && gap > 1e-15 { gap /= 10 }
            if let failure { throw failure }
            if g(1 - gap) >= 0 {
                result.cStar = 1   // indistinguishable from 1 in double precision
            } else {
                result.cStar = g(lower) == 0 ? lower : try findRoot(in: lower, 1 - gap, g)
            }
            if let failure { throw failure }
        }
        if let cStar = result.cStar {
            let pair = GaussianPair(variance: qStar, covariance: qStar * cStar,
                                    distance: qStar * (1 - cStar))
            let chiC = sigmaW2 * (try transforms.derivativeCrossMoment(pair))
            result.chiC = chiC
            if chiC > 0 && chiC < 1 { result.xiC = -1 / log(chiC) }
        }
        if let second = try transforms.secondDerivativeMoment(variance: qStar) {
            let factor = chi1 + sigmaW2 * second
            if factor > 0 && factor < 1 { result.xiQ = -1 / log(factor) }
        }
        return result
    }

    static func phase(_ chi1: Double) -> FeedforwardPhase {
        if abs(chi1 - 1) <= criticalTolerance { return .critical }
        return chi1 < 1 ? .ordered : .chaotic
    }

    /// The edge of chaos: the sigma_w with chi_1 = 1 at the given sigma_b (bracketing root
    /// finder on sigma_w in [lower, upper]).
    public static func criticalSigmaW(activation: any Activation, sigmaB: Double,
                                      lower: Double = 0.05, upper: Double = 20) throws -> Double {
        var failure: Error? = nil
        let chiMinusOne: (Double) -> Double = { sigmaW in
            let config = NetworkConfiguration(architecture: .feedforward, activation: activation,
                                              sigmaW: sigmaW, sigmaB: sigmaB, depth: 1)
            do {
                return (try solve(config, correlations: false).chi1 ?? .nan) - 1
            } catch { failure = failure ?? error; return .nan }
        }
        let root = try findRoot(in: lower, upper, relativeTolerance: 1e-14, chiMinusOne)
        if let failure { throw failure }
        return root
    }
}
