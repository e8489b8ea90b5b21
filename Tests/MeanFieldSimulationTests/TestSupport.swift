import Foundation
import MeanFieldCore
@testable import MeanFieldSimulation

enum TestSettings {
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
}

/// Statistical checks use fixed seeds; a bound of 4 standard errors keeps the chance that a
/// correct simulator fails any single comparison below 1e-4 (the suite makes a few hundred).
let zBound = 4.0

/// (simulated mean - reference) / standard error of the mean.
func zScore(_ statistic: LayerStatistic, _ reference: Double) -> Double {
    guard let mean = statistic.mean, let error = statistic.standardError, error > 0 else {
        return .nan
    }
    return (mean - reference) / error
}

func simulate(_ configuration: NetworkConfiguration, width: Int, runs: Int, seed: Int = 7,
              mode: SimulationMode = .conditional, backward: BackwardWeights = .independent,
              threads: Int = 2, keepRunTraces: Bool = false) throws -> SimulationResult {
    let options = SimulationOptions(width: width, runs: runs, seed: seed, mode: mode,
                                    backward: backward, threads: threads,
                                    keepRunTraces: keepRunTraces)
    return try Simulator(configuration: configuration, options: options).run()
}

/// Mean-field references from the closed forms of THEORY.md (sections 2-6), computed here
/// independently of any engine.
enum ClosedForm {
    /// Arc-cosine kernel J_1(c) = (sin t + (pi - t) cos t)/pi, t = arccos c.
    static func j1(_ c: Double) -> Double {
        let t = acos(min(max(c, -1), 1))
        return (sin(t) + (Double.pi - t) * cos(t)) / Double.pi
    }

    /// erf transforms: V erf(q) = (2/pi) asin(2q/(1+2q)), W erf(q, lambda) =
    /// (2/pi) asin(2 lambda/(1+2q)), V erf'(q) = (4/pi)/sqrt(1+4q).
    static func vErf(_ q: Double) -> Double { 2 / Double.pi * asin(2 * q / (1 + 2 * q)) }
    static func wErf(_ q: Double, _ lambda: Double) -> Double {
        2 / Double.pi * asin(2 * lambda / (1 + 2 * q))
    }
    static func vErfPrime(_ q: Double) -> Double { 4 / Double.pi / (1 + 4 * q).squareRoot() }

    /// Per-layer (p, gamma, e) for layers 0...L and chi^l/chi^L for layers 0...L.
    struct Trajectory {
        var p: [Double] = []
        var gamma: [Double] = []
        var chiRatio: [Double] = []
        var e: [Double] { zip(gamma, p).map { $0 / $1 } }
    }

    /// The recurrences of section 2 and 3 given per-layer transforms:
    /// forward(q, lambda) -> (V phi(q), W phi(q, lambda)); slope(q) = V phi'(q).
    static func trajectory(_ c: NetworkConfiguration,
                           transforms: (Double, Double) -> (Double, Double),
                           slope: (Double) -> Double) -> Trajectory {
        var t = Trajectory()
        var p = c.p0
        var gamma = c.e0 * c.p0
        t.p.append(p)
        t.gamma.append(gamma)
        var factors: [Double] = []
        for _ in 1...c.depth {
            let q = c.sigmaW * c.sigmaW * p + c.sigmaB * c.sigmaB
            let lambda = c.sigmaW * c.sigmaW * gamma + c.sigmaB * c.sigmaB
            let (v, w) = transforms(q, lambda)
            switch c.architecture {
            case .feedforward:
                p = v
                gamma = w
                factors.append(c.sigmaW * c.sigmaW * slope(q))
            case .reducedResidual:
                p += v
                gamma += w
                factors.append(1 + c.sigmaW * c.sigmaW * slope(q))
            case .fullResidual:
                let sv2 = c.sigmaV * c.sigmaV
                let sa2 = c.sigmaA * c.sigmaA
                p += sv2 * v + sa2
                gamma += sv2 * w + sa2
                factors.append(1 + sv2 * c.sigmaW * c.sigmaW * slope(q))
            }
            t.p.append(p)
            t.gamma.append(gamma)
        }
        // chi^{l-1} = chi^l * factor_l, so chi^l/chi^L = product of factors l+1..L.
        t.chiRatio = [Double](repeating: 1, count: c.depth + 1)
        for layer in stride(from: c.depth - 1, through: 0, by: -1) {
            t.chiRatio[layer] = t.chiRatio[layer + 1] * factors[layer]
        }
        return t
    }
}

/// Two-sample Kolmogorov-Smirnov statistic D = sup |F1 - F2|.
func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> Double {
    let x = a.sorted()
    let y = b.sorted()
    var i = 0
    var j = 0
    var d = 0.0
    while i < x.count && j < y.count {
        let v = min(x[i], y[j])
        while i < x.count && x[i] <= v { i += 1 }
        while j < y.count && y[j] <= v { j += 1 }
        d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    return d
}

/// Critical value of D at significance alpha (asymptotic): sqrt(-ln(alpha/2)/2) sqrt((n+m)/(nm)).
func kolmogorovSmirnovCritical(_ n: Int, _ m: Int, alpha: Double) -> Double {
    (-log(alpha / 2) / 2).squareRoot() * (Double(n + m) / Double(n * m)).squareRoot()
}

func sampleMean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
func sampleVariance(_ x: [Double]) -> Double {
    let m = sampleMean(x)
    return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
}

/// m4 / m2^2 (3 for a normal sample).
func sampleKurtosis(_ x: [Double]) -> Double {
    let m = sampleMean(x)
    let m2 = x.reduce(0) { $0 + pow($1 - m, 2) } / Double(x.count)
    let m4 = x.reduce(0) { $0 + pow($1 - m, 4) } / Double(x.count)
    return m4 / (m2 * m2)
}
