import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldIO
import MeanFieldSimulation

/// Labatie 2019's classification of a network at initialization (section 3.2): pathological
/// when the sensitivity explodes exponentially (the signal drowns in noise) or the signal
/// becomes one-dimensional; well-behaved when S grows as a power law while the signal keeps
/// many directions and a near-Gaussian distribution.
public enum Regime: String, Sendable {
    case explodingSensitivity = "exploding-sensitivity"
    case rankCollapse = "rank-collapse"
    case wellBehaved = "well-behaved"
    case undetermined

    /// nil for undetermined.
    public var isPathological: Bool? {
        switch self {
        case .explodingSensitivity, .rankCollapse: return true
        case .wellBehaved: return false
        case .undetermined: return nil
        }
    }
}

/// The thresholds of `RegimeReport.classify` (options of `simulate --regime`).
public struct RegimeThresholds: Sendable, Equatable {
    /// S is exploding when the exponential law wins and its rate per layer is at least this.
    public var exponentialRate: Double
    /// AIC margin a law needs over the other (Burnham & Anderson's 2).
    public var aicMargin: Double
    /// One-dimensional signal: the final effective rank is at most this.
    public var collapsedRank: Double
    /// Healthy rank: the final effective rank is at least this fraction of the largest
    /// possible, min(N, M - 1) for M inputs centered over the batch.
    public var healthyRankFraction: Double
    /// Near-Gaussian: the final mu4 (kurtosis) within this of 3.
    public var kurtosisTolerance: Double
    /// "Final" values: averages over this last fraction of the layers (at least one layer).
    public var tailFraction: Double
    /// First layer of the sensitivity fit (at most a quarter of the depth): the first layers
    /// carry the transient from the input distribution, and Labatie's power law (Theorem 4,
    /// eq. 14) is a statement about l + 1 >> 1.
    public var fitFrom: Int

    public init(exponentialRate: Double = 0.01, aicMargin: Double = 2, collapsedRank: Double = 2,
                healthyRankFraction: Double = 0.1, kurtosisTolerance: Double = 1,
                tailFraction: Double = 0.1, fitFrom: Int = 10) {
        self.exponentialRate = exponentialRate
        self.aicMargin = aicMargin
        self.collapsedRank = collapsedRank
        self.healthyRankFraction = healthyRankFraction
        self.kurtosisTolerance = kurtosisTolerance
        self.tailFraction = tailFraction
        self.fitFrom = fitFrom
    }

    public func validate() throws {
        let checks: [(String, Double, Bool, String)] = [
            ("regime-rate", exponentialRate, exponentialRate >= 0, "must be >= 0"),
            ("regime-aic-margin", aicMargin, aicMargin >= 0, "must be >= 0"),
            ("regime-collapsed-rank", collapsedRank, collapsedRank >= 1, "must be >= 1"),
            ("regime-healthy-rank", healthyRankFraction,
             healthyRankFraction > 0 && healthyRankFraction <= 1, "must lie in (0, 1]"),
            ("regime-kurtosis-tolerance", kurtosisTolerance, kurtosisTolerance > 0, "must be > 0"),
            ("regime-tail", tailFraction, tailFraction > 0 && tailFraction <= 1, "must lie in (0, 1]"),
        ]
        for (option, value, valid, reason) in checks where !(value.isFinite && valid) {
            throw InvalidParameter(option: option, value: value, reason: reason)
        }
        guard fitFrom >= 1 else {
            throw InvalidParameter(option: "regime-from", value: fitFrom, reason: "must be at least 1")
        }
    }
}

/// The evidence and verdict for one simulated network.
public struct RegimeReport: Sendable {
    public let regime: Regime
    public let reasons: [String]
    /// Fits of S^l = exp(mean ln S^l) over the window, log scale.
    public let exponential: FitResult
    public let power: FitResult
    /// AIC(power) - AIC(exponential): positive favours exponential growth.
    public let deltaAIC: Double
    public let finalLogSensitivity: Double
    public let finalSensitivityFactor: Double?
    public let finalEffRank: Double?
    public let maximumRank: Int
    public let finalMu4: Double?
    public let window: ClosedRange<Int>
    public let thresholds: RegimeThresholds

    /// Classifies from per-layer means (index = layer 0...L): ln S, the sensitivity factor,
    /// the effective rank and mu4; `maximumRank` = min(N, M - 1).
    public static func classify(logSensitivity: [Double?], sensitivityFactor: [Double?],
                                effRank: [Double?], mu4: [Double?], maximumRank: Int,
                                thresholds: RegimeThresholds = RegimeThresholds()) throws -> RegimeReport {
        try thresholds.validate()
        let depth = logSensitivity.count - 1
        let from = min(thresholds.fitFrom, max(1, depth / 4))
        var x: [Double] = []
        var y: [Double] = []
        for layer in from...max(from, depth) where layer <= depth {
            if let value = logSensitivity[layer], value.isFinite {
                x.append(Double(layer))
                y.append(exp(value))
            }
        }
        guard x.count >= 4 else {
            throw InvalidParameter(option: "regime-from", value: thresholds.fitFrom, reason:
                "leaves \(x.count) layers with a sensitivity; the fits need at least 4 (depth \(depth))")
        }
        let data = try FitData(x: x, y: y, xName: "layer", yName: "sensitivity")
        let exponential = try GrowthLawFit.fit(data, law: .exponential, scale: .log)
        let power = try GrowthLawFit.fit(data, law: .power, scale: .log)
        let delta = power.aic - exponential.aic

        let tail = max(1, Int((Double(depth) * thresholds.tailFraction).rounded()))
        func finalMean(_ values: [Double?]) -> Double? {
            let kept = values.suffix(tail).compactMap { $0 }.filter(\.isFinite)
            return kept.isEmpty ? nil : kept.reduce(0, +) / Double(kept.count)
        }
        let rank = finalMean(effRank)
        let kurtosis = finalMean(mu4)
        let factor = finalMean(sensitivityFactor)
        let rate = exponential.exponent.value

        var reasons: [String] = []
        let regime: Regime
        let fmt = { (v: Double) in NumberFormat.significant(v, digits: 4) }
        if delta > thresholds.aicMargin && rate >= thresholds.exponentialRate {
            regime = .explodingSensitivity
            reasons.append("S grows exponentially: rate \(fmt(rate)) per layer >= \(fmt(thresholds.exponentialRate)), AIC favours exponential over power by \(fmt(delta))")
        } else if let rank, rank <= thresholds.collapsedRank {
            regime = .rankCollapse
            reasons.append("one-dimensional signal: final effective rank \(fmt(rank)) <= \(fmt(thresholds.collapsedRank))")
        } else {
            var healthy = true
            if delta < -thresholds.aicMargin {
                reasons.append("S grows as a power law: exponent \(fmt(power.exponent.value)), AIC favours power over exponential by \(fmt(-delta))")
            } else {
                healthy = false
                reasons.append(delta > thresholds.aicMargin
                    ? "S grows exponentially but slowly: rate \(fmt(rate)) < \(fmt(thresholds.exponentialRate)) per layer"
                    : "the fits cannot tell power from exponential growth of S (AIC difference \(fmt(delta)))")
            }
            let needed = thresholds.healthyRankFraction * Double(maximumRank)
            if let rank, rank >= needed {
                reasons.append("many directions: final effective rank \(fmt(rank)) >= \(fmt(needed))")
            } else {
                healthy = false
                reasons.append("final effective rank \(rank.map(fmt) ?? "unknown") < \(fmt(needed)) (\(fmt(thresholds.healthyRankFraction)) of \(maximumRank))")
            }
            if let kurtosis, abs(kurtosis - 3) <= thresholds.kurtosisTolerance {
                reasons.append("near-Gaussian: final mu4 \(fmt(kurtosis)) within \(fmt(thresholds.kurtosisTolerance)) of 3")
            } else {
                healthy = false
                reasons.append("final mu4 \(kurtosis.map(fmt) ?? "unknown") is not within \(fmt(thresholds.kurtosisTolerance)) of 3")
            }
            regime = healthy ? .wellBehaved : .undetermined
        }
        let last = logSensitivity.last.flatMap { $0 } ?? .nan
        return RegimeReport(regime: regime, reasons: reasons, exponential: exponential, power: power,
                            deltaAIC: delta, finalLogSensitivity: last,
                            finalSensitivityFactor: factor, finalEffRank: rank,
                            maximumRank: maximumRank, finalMu4: kurtosis,
                            window: Int(x.first!)...Int(x.last!), thresholds: thresholds)
    }

    /// Classifies a batch simulation from its per-layer means.
    public static func classify(_ result: BatchSimulationResult,
                                thresholds: RegimeThresholds = RegimeThresholds()) throws -> RegimeReport {
        func means(_ quantity: SimulatedQuantity) -> [Double?] { result.statistics(quantity).map(\.mean) }
        return try classify(logSensitivity: means(.logSensitivity),
                            sensitivityFactor: means(.sensitivityFactor), effRank: means(.effRank),
                            mu4: means(.mu4),
                            maximumRank: min(result.options.width, result.options.batch - 1),
                            thresholds: thresholds)
    }

    public var json: JSONValue {
        func fitJSON(_ fit: FitResult) -> JSONValue {
            .object([
                ("exponent", .finite(fit.exponent.value)),
                ("exponent_stderr", .finite(fit.exponent.standardError)),
                ("prefactor", .finite(fit.prefactor)), ("aic", .finite(fit.aic)),
                ("r2", .finite(fit.rSquared)),
            ])
        }
        let t = thresholds
        return .object([
            ("regime", .string(regime.rawValue)),
            ("pathological", regime.isPathological.map(JSONValue.bool) ?? .null),
            ("reasons", .array(reasons.map(JSONValue.string))),
            ("sensitivity", .object([
                ("window", .array([.integer(window.lowerBound), .integer(window.upperBound)])),
                ("preferred_law", .string(deltaAIC > 0 ? "exponential" : "power")),
                ("delta_aic_power_minus_exponential", .finite(deltaAIC)),
                ("exponential", fitJSON(exponential)), ("power", fitJSON(power)),
                ("final_log_sensitivity", .finite(finalLogSensitivity)),
                ("final_factor", .finite(finalSensitivityFactor)),
            ])),
            ("final_eff_rank", .finite(finalEffRank)), ("maximum_rank", .integer(maximumRank)),
            ("final_mu4", .finite(finalMu4)),
            ("thresholds", .object([
                ("rate", .number(t.exponentialRate)), ("aic_margin", .number(t.aicMargin)),
                ("collapsed_rank", .number(t.collapsedRank)),
                ("healthy_rank", .number(t.healthyRankFraction)),
                ("kurtosis_tolerance", .number(t.kurtosisTolerance)),
                ("tail", .number(t.tailFraction)), ("from", .integer(t.fitFrom)),
            ])),
        ])
    }

    /// Comment lines for table and CSV output.
    public var text: String {
        var lines = ["# regime: \(regime.rawValue)" + (regime.isPathological.map { $0 ? " (pathological)" : " (not pathological)" } ?? "")]
        for reason in reasons { lines.append("#   \(reason)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
