import Foundation
import MeanFieldCore
import MeanFieldNumerics

/// Iterates the mean-field recurrences of THEORY.md sections 2-3 for one configuration.
///
/// State: p, gamma, d = p - gamma (its own recurrence: s = 2d and 1 - e = d/p keep full
/// precision when the inputs are nearly identical), and for RRN with a non-odd activation the
/// coordinate mean m. Each is a compensated sum (1e5 layers lose no digits). For positively
/// homogeneous activations (ReLU, alpha-ReLU, linear) the state is stored divided by 2^k with
/// k adjusted by exact powers of two, so exponential growth never overflows internally; rows
/// are emitted while their values fit in a double, and the backward pass always sees the
/// whole depth.
public struct TheoryEngine {
    public let configuration: NetworkConfiguration
    private let transforms: any GaussianTransforms
    private let homogeneity: Double?

    /// The relative accuracy the engine states for every value it prints.
    public static let statedRelativeAccuracy = 1e-10

    public init(configuration: NetworkConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        transforms = makeTransforms(for: configuration.activation)
        homogeneity = configuration.activation.homogeneityDegree
    }

    /// Scale steps for homogeneous activations (2^256 keeps q^alpha, alpha <= 2, finite).
    private static let rescaleExponent = 256

    private struct State {
        var exponent = 0                 // values below are true values / 2^exponent
        var length: CompensatedSum       // p
        var overlap: CompensatedSum      // gamma
        var distance: CompensatedSum     // p - gamma
        var coordinateMean: CompensatedSum  // m, stored / 2^(exponent/2)

        mutating func rescale(by shift: Int) {
            length.scale(byPowerOfTwo: -shift)
            overlap.scale(byPowerOfTwo: -shift)
            distance.scale(byPowerOfTwo: -shift)
            coordinateMean.scale(byPowerOfTwo: -shift / 2)
            exponent += shift
        }

        var logLength: Double { log(length.value) + Double(exponent) * M_LN2 }
    }

    /// What the backward pass and the gradient columns need from a selected row.
    private struct PendingGradients {
        var backwardPrefix: CompensatedSum   // sum of ln(backward factor) over layers 1...l
        var lastZeroFactor: Int              // largest j <= l with a zero backward factor
        var logDerivativeMeanSquare: Double? // ln V phi'(q^l)
        var logMeanSquare: Double?           // ln V phi(q^l)
        var logPreviousLength: Double?       // ln p^(l-1)
    }

    /// Runs layers 1...L. `keepLayer` selects the rows to return (all by default);
    /// `progress` is called with the number of layers done.
    public func run(keepLayer: ((Int) -> Bool)? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> TheoryCurve {
        let config = configuration
        let depth = config.depth
        let sigmaW2 = config.sigmaW * config.sigmaW
        let sigmaB2 = config.sigmaB * config.sigmaB
        let sigmaV2 = config.effectiveSigmaV * config.effectiveSigmaV
        let sigmaA2 = config.effectiveSigmaA * config.effectiveSigmaA
        let architecture = config.architecture
        let needMean = architecture == .reducedResidual && !config.activation.isOdd
        let degree = homogeneity ?? 1

        var warnings: [String] = []
        var state = State(
            length: CompensatedSum(config.p0),
            overlap: CompensatedSum(config.e0 * config.p0),
            distance: CompensatedSum(config.p0 * (1 - config.e0)),
            coordinateMean: CompensatedSum(config.inputMean))

        var rows: [TheoryRow] = []
        var pending: [PendingGradients] = []
        var failure: NumericalFailure? = nil
        var backwardPrefix = CompensatedSum()
        var lastZeroFactor = 0
        var gradientsDiverge = false
        var computationStopped = false

        func keep(_ layer: Int) -> Bool { failure == nil && (keepLayer?(layer) ?? true) }

        // Layer 0.
        if keep(0) {
            if let row = representableRow(layer: 0, state: state, preactivation: nil,
                                          failure: &failure) {
                rows.append(row)
                pending.append(PendingGradients(backwardPrefix: backwardPrefix,
                                                lastZeroFactor: 0, logDerivativeMeanSquare: nil,
                                                logMeanSquare: nil, logPreviousLength: nil))
            }
        }

        for layer in 1...depth {
            // This layer's pair and moments are in units of 2^unitsExponent (before rescaling).
            let unitsExponent = state.exponent
            let scale = Double(sign: .plus, exponent: -unitsExponent, significand: 1)
            let lengthBefore = state.length.value
            let logPreviousLength = state.logLength
            // Pre-activation pair of this layer, in units of 2^exponent.
            let pair = GaussianPair(
                variance: sigmaW2 * lengthBefore + sigmaB2 * scale,
                covariance: sigmaW2 * state.overlap.value + sigmaB2 * scale,
                distance: sigmaW2 * state.distance.value)
            guard pair.variance.isFinite, pair.covariance.isFinite, pair.distance.isFinite else {
                failure = failure ?? NumericalFailure(
                    layer: layer, quantity: "q", reason: "exceeds the double range")
                computationStopped = true
                break
            }
            var moments: LayerMoments
            do {
                moments = try transforms.layerMoments(pair, needMean: needMean)
            } catch {
                failure = failure ?? NumericalFailure(
                    layer: layer, quantity: "Gaussian transforms",
                    reason: "failed at q = \(pair.variance * pow(2, Double(state.exponent))): \(error)")
                computationStopped = true
                break
            }
            // Exact symmetries, so that e0 = 1 stays exactly 1 (and s exactly 0), and, with an
            // odd activation and no biases, e0 = 0 stays 0 and e0 = -1 stays -1.
            if pair.distance == 0 {
                moments.crossMoment = moments.meanSquare
                moments.halfSquaredDifference = 0
            } else if config.activation.isOdd && pair.covariance == 0 {
                moments.crossMoment = 0
                moments.halfSquaredDifference = moments.meanSquare
            } else if config.activation.isOdd && pair.covariance == -pair.variance
                        && pair.distance == 2 * pair.variance {
                moments.crossMoment = -moments.meanSquare
                moments.halfSquaredDifference = 2 * moments.meanSquare
            }
            // Homogeneous rescaling: T(2^k Q) = 2^(k degree) T(Q); state units are 2^k.
            let growth = unitsExponent == 0 ? 1 : exp2(Double(unitsExponent) * (degree - 1))
            let meanSquare = moments.meanSquare * growth
            let crossMoment = moments.crossMoment * growth
            let difference = moments.halfSquaredDifference * growth

            switch architecture {
            case .feedforward:
                state.length = CompensatedSum(meanSquare)
                state.overlap = CompensatedSum(crossMoment)
                state.distance = CompensatedSum(difference)
            case .fullResidual, .reducedResidual:
                var meanTerm = 0.0
                if needMean {
                    let mu = moments.mean * growth.squareRoot()
                    meanTerm = 2 * mu * state.coordinateMean.value
                    state.coordinateMean.add(mu)
                }
                state.length.add(sigmaV2 * meanSquare + sigmaA2 * scale)
                state.length.add(meanTerm)
                state.overlap.add(sigmaV2 * crossMoment + sigmaA2 * scale)
                state.overlap.add(meanTerm)
                state.distance.add(sigmaV2 * difference)
            }

            // Backward factor chi^(l-1)/chi^l (THEORY.md section 3).
            let derivative = moments.derivativeMeanSquare
            var logDerivative: Double? = nil
            if derivative.isInfinite {
                gradientsDiverge = true
            } else {
                let logGrowth = Double(unitsExponent) * (degree - 1) * M_LN2
                logDerivative = log(derivative) + logGrowth
                let logFactor: Double
                switch architecture {
                case .feedforward:
                    logFactor = log(sigmaW2) + logDerivative!
                case .reducedResidual, .fullResidual:
                    let gain = sigmaV2 * sigmaW2
                    if unitsExponent == 0 {
                        logFactor = log1p(gain * derivative)
                    } else {
                        logFactor = Self.softplus(log(gain) + logDerivative!)
                    }
                }
                if logFactor == -.infinity {
                    lastZeroFactor = layer
                } else {
                    backwardPrefix.add(logFactor)
                }
            }

            // Keep exponents of homogeneous states in range.
            if homogeneity != nil {
                let length = state.length.value
                if length > 0x1p256 {
                    state.rescale(by: Self.rescaleExponent)
                } else if length < 0x1p-256 && length > 0 {
                    state.rescale(by: -Self.rescaleExponent)
                }
            }
            guard state.length.value.isFinite, state.overlap.value.isFinite,
                  state.distance.value.isFinite, state.length.value > 0 || sigmaW2 == 0 && sigmaB2 == 0
            else {
                failure = failure ?? NumericalFailure(
                    layer: layer, quantity: "p", reason: "left the representable range")
                computationStopped = true
                break
            }

            if keep(layer) {
                if let row = representableRow(layer: layer, state: state,
                                              preactivation: (pair, unitsExponent),
                                              failure: &failure)
                {
                    rows.append(row)
                    pending.append(PendingGradients(
                        backwardPrefix: backwardPrefix, lastZeroFactor: lastZeroFactor,
                        logDerivativeMeanSquare: logDerivative,
                        logMeanSquare: moments.meanSquare > 0
                            ? log(moments.meanSquare) + Double(unitsExponent) * degree * M_LN2 : nil,
                        logPreviousLength: logPreviousLength))
                }
            }
            if layer % 1024 == 0 { progress?(layer) }
        }
        progress?(depth)

        // Gradient columns: ln(chi^l/chi^L) = sum of ln factors over (l, L].
        if gradientsDiverge {
            warnings.append("V phi' is infinite (alpha-relu with alpha <= 1/2): the mean-field gradient chi does not exist; gradient columns are empty")
        } else if computationStopped {
            warnings.append("the forward pass stopped at layer \(failure?.layer ?? depth) of \(depth): gradients relative to layer L cannot be formed; gradient columns are empty")
        } else {
            let total = backwardPrefix
            if lastZeroFactor > 0 {
                warnings.append("a backward factor is zero at layer \(lastZeroFactor) (sigma_w = 0?): chi vanishes below it; those gradient entries are empty")
            }
            let logSigmaV2 = log(sigmaV2)
            for index in rows.indices {
                let layer = rows[index].layer
                let gradients = pending[index]
                guard layer >= lastZeroFactor else { continue }
                let logChi = (total.sum - gradients.backwardPrefix.sum)
                    + (total.compensation - gradients.backwardPrefix.compensation)
                rows[index].logChi = logChi
                guard layer >= 1, let logDerivative = gradients.logDerivativeMeanSquare else { continue }
                let logChiB = logChi + logDerivative + (architecture == .fullResidual ? logSigmaV2 : 0)
                rows[index].logChiB = Self.finite(logChiB)
                rows[index].logChiW = Self.finite(logChiB + (gradients.logPreviousLength ?? .nan))
                if architecture == .fullResidual {
                    rows[index].logChiV = Self.finite(logChi + (gradients.logMeanSquare ?? -.infinity))
                    rows[index].logChiA = logChi
                }
            }
            if architecture == .fullResidual && sigmaV2 == 0 {
                warnings.append("sigma_v = 0: chi_b and chi_W vanish; their columns are empty")
            }
        }
        if let alpha = (config.activation as? AlphaReLU)?.alpha, alpha > 0.5, alpha <= 0.75 {
            warnings.append("alpha = \(alpha) <= 3/4: chi is finite but the gradient's variance across runs is infinite, so Monte Carlo estimates of chi converge slowly")
        }
        if let failure {
            warnings.append("values stop being representable at \(failure); rows 0...\(failure.layer - 1) are valid")
        }
        return TheoryCurve(configuration: config, rows: rows, warnings: warnings,
                           failure: failure, relativeAccuracy: Self.statedRelativeAccuracy)
    }

    private static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    /// ln(1 + e^x) without overflow.
    static func softplus(_ x: Double) -> Double {
        x > 30 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// The row of a layer in true units, or nil (and `failure` set) if a value leaves the
    /// double range. `preactivation`: the layer's pair, in units of 2^exponent.
    private func representableRow(layer: Int, state: State,
                                  preactivation: (pair: GaussianPair, exponent: Int)?,
                                  failure: inout NumericalFailure?) -> TheoryRow? {
        func unscaled(_ value: Double, exponent: Int) -> Double {
            value == 0 ? 0 : Double(sign: value < 0 ? .minus : .plus,
                                    exponent: exponent, significand: abs(value))
        }
        func representable(_ x: Double) -> Bool { x == 0 || (x.isFinite && abs(x) >= .leastNormalMagnitude) }
        let p = unscaled(state.length.value, exponent: state.exponent)
        let gamma = unscaled(state.overlap.value, exponent: state.exponent)
        let s = unscaled(2 * state.distance.value, exponent: state.exponent)
        var q: Double? = nil, lambda: Double? = nil, c: Double? = nil
        if let (pair, exponent) = preactivation {
            q = unscaled(pair.variance, exponent: exponent)
            lambda = unscaled(pair.covariance, exponent: exponent)
            c = pair.variance > 0 ? Self.correlation(overlap: pair.covariance, distance: pair.distance,
                                                     length: pair.variance) : nil
        }
        for (name, value) in [("p", p), ("gamma", gamma), ("s", s), ("q", q ?? 0), ("lambda", lambda ?? 0)]
            where !representable(value) {
            failure = NumericalFailure(layer: layer, quantity: name,
                                       reason: value.isFinite ? "underflows the double range" : "exceeds the double range")
            return nil
        }
        guard state.length.value > 0 else {
            failure = NumericalFailure(layer: layer, quantity: "p", reason: "is zero (e undefined)")
            return nil
        }
        return TheoryRow(layer: layer, p: p, q: q, gamma: gamma, lambda: lambda,
                         e: Self.correlation(overlap: state.overlap.value, distance: state.distance.value,
                                             length: state.length.value),
                         c: c, s: s)
    }

    /// gamma/p, taken as 1 - d/p near 1 where d = p - gamma is the accurately carried quantity
    /// (so e <= 1 always, and 1 - e keeps its digits), and bounded by [-1, 1] against rounding.
    private static func correlation(overlap: Double, distance: Double, length: Double) -> Double {
        let oneMinus = distance / length
        let value = oneMinus <= 0.5 ? 1 - oneMinus : overlap / length
        return min(max(value, -1), 1)
    }
}
