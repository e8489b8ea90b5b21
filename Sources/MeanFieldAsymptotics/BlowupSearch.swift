import Foundation
import MeanFieldCore
import MeanFieldTheory

/// Finds the layer where an alpha > 1 net leaves the double range (THEORY.md section 6: "report
/// the layer where it leaves the double range") by running the engine itself, so the answer is
/// exactly where `theory` stops (its exit status 4 names the same layer).
///
/// The engine runs every layer up to its depth, even past the failure, and checks
/// representability only on the rows it keeps. So the depth comes from the scalar length
/// recurrence first (p and q alone, THEORY.md section 2, in plain doubles: the first layer
/// where they overflow bounds the engine's failure from above); the engine then runs to that
/// depth keeping every `stride`-th row, and once more up to its failure keeping every layer
/// after the last good row.
public enum BlowupSearch {
    /// Deepest layer searched (about 1.7e7; ~10 s of alpha-ReLU engine in a release build).
    public static let depthLimit = 1 << 24
    /// Rows kept per coarse run.
    static let coarseRows = 4096

    /// The engine's failure (first unrepresentable layer and quantity), or nil if the values
    /// stay representable through `depthLimit` layers.
    public static func firstUnrepresentableLayer(_ configuration: NetworkConfiguration) throws
        -> NumericalFailure?
    {
        guard var depth = try lengthOverflowLayer(configuration) else { return nil }
        while true {
            var config = configuration
            config.depth = depth
            let stride = max(1, depth / coarseRows)
            let coarse = try TheoryEngine(configuration: config).run(keepLayer: { $0 % stride == 0 })
            if let failure = coarse.failure {
                if stride == 1 { return failure }
                let lastGood = coarse.rows.last?.layer ?? -1
                config.depth = failure.layer
                let fine = try TheoryEngine(configuration: config).run(keepLayer: { $0 > lastGood })
                return fine.failure ?? failure
            }
            // The scalar bound is exact up to rounding; should the engine outlast it, go deeper.
            if depth >= depthLimit { return nil }
            depth = min(2 * depth, depthLimit)
        }
    }

    /// The first layer at which q^l or p^l of the scalar recurrence is infinite, or nil if none
    /// is through `depthLimit`: FF p = V(q); FRN p += sigma_v^2 V(q) + sigma_a^2; RRN
    /// p += V(q) + 2 mu m, m += mu with mu = M(q) (non-odd phi).
    static func lengthOverflowLayer(_ config: NetworkConfiguration) throws -> Int? {
        let transforms = makeTransforms(for: config.activation)
        let sigmaW2 = config.sigmaW * config.sigmaW, sigmaB2 = config.sigmaB * config.sigmaB
        let sigmaV2 = config.effectiveSigmaV * config.effectiveSigmaV
        let sigmaA2 = config.effectiveSigmaA * config.effectiveSigmaA
        let needMean = config.architecture == .reducedResidual && !config.activation.isOdd
        var p = config.p0, mean = config.inputMean
        for layer in 1...depthLimit {
            let q = sigmaW2 * p + sigmaB2
            let v = try transforms.meanSquare(variance: q)
            switch config.architecture {
            case .feedforward:
                p = v
            case .fullResidual, .reducedResidual:
                var meanTerm = 0.0
                if needMean {
                    let mu = try transforms.mean(variance: q)
                    meanTerm = 2 * mu * mean
                    mean += mu
                }
                p += sigmaV2 * v + sigmaA2 + meanTerm
            }
            if !q.isFinite || !p.isFinite { return layer }
        }
        return nil
    }
}
