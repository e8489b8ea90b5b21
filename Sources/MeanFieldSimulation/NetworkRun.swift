import COpenBLAS
import Foundation
import MeanFieldCore

/// One network of the ensemble (THEORY.md section 0): the forward pass of the input batch
/// through fresh random layers, then the backward pass of a random zero-mean read-out
/// gradient g^L ~ N(0, I_N) for input 1 (column 0).
struct NetworkRun {
    /// A run overflows at the first layer where a measured mean square is not finite or
    /// exceeds this (ReLU networks leave the double range near layer 100 at some settings).
    static let overflowLimit = 1e300

    let configuration: NetworkConfiguration
    let options: SimulationOptions
    let run: Int
    let storesNormals: Bool
    /// The worker's memory for per-layer records, reused from run to run.
    let arena: BlockArena
    let progress: (@Sendable (Int) -> Void)?

    /// Progress units per run: one per layer of each pass.
    static func progressUnits(depth: Int) -> Int { 2 * depth }

    func simulate() -> RunTrace {
        if options.fusedPairPath && PairConditionalRun.applies(configuration, options) {
            return PairConditionalRun(network: self).simulate()
        }
        let n = options.width
        let batch = options.batch
        let depth = configuration.depth
        let seed = UInt64(options.seed)
        let architecture = configuration.architecture
        let sampling: WeightSampling = options.mode == .dense
            ? DenseWeightSampling(width: n, seed: seed, run: run)
            : ConditionalWeightSampling(width: n, batch: batch, seed: seed, run: run,
                                        storesNormals: storesNormals, arena: arena)
        let tied = options.backward == .tied
        let keepRecords = tied && options.mode == .conditional
        let matrices = architecture == .fullResidual ? 2 : 1
        // Q has N + 1 rows where a bias is a column of the weights (ConditionalWeightSampling).
        arena.reset(reserving: keepRecords
            ? depth * matrices * ((n + 1) + (storesNormals ? n : 0)) * batch + depth * n
            : depth * n)
        let kernel = ActivationKernel(activation: configuration.activation)
        let scaleW = configuration.sigmaW / Double(n).squareRoot()
        let scaleV = configuration.sigmaV / Double(n).squareRoot()
        var trace = RunTrace(run: run, depth: depth, quantities: SimulatedQuantity.standard)

        // Forward pass.
        let x = InputBatch.make(configuration: configuration, width: n, batch: batch, seed: seed,
                                run: run)
        let h = Block(rows: n, columns: batch)
        let phi = Block(rows: n, columns: batch)
        let biasB = Bias(sigma: configuration.sigmaB, role: .biasB)
        let biasA = Bias(sigma: configuration.sigmaA, role: .biasA)
        // phi'(h) of input 1 for every layer: the backward pass's only per-layer state
        // besides the conditional bases.
        let derivatives = arena.block(rows: n, columns: depth).data
        var recordsW = [ForwardRecord?](repeating: nil, count: depth + 1)
        var recordsV = [ForwardRecord?](repeating: nil, count: depth + 1)
        var phiMeanSquare = [Double](repeating: .nan, count: depth + 1)
        var lengths = [Double](repeating: .nan, count: depth + 1)

        guard measureForward(layer: 0, x, &trace, &lengths) else {
            // Inputs beyond the range (p0 above 1e300): nothing to propagate.
            trace.forwardOverflowLayer = 0
            progress?(2 * depth)
            return trace
        }
        for layer in 1...depth {
            recordsW[layer] = sampling.forward(.w, layer: layer, input: x, output: h,
                                               scale: scaleW, accumulate: false, bias: biasB,
                                               keepRecord: keepRecords)
            kernel.apply(h, values: phi, firstColumnDerivatives: derivatives + (layer - 1) * n)
            phiMeanSquare[layer] = Vectors.dot(phi.column(0), phi.column(0), count: n) / Double(n)
            switch architecture {
            case .feedforward:
                x.copy(from: phi)
            case .reducedResidual:
                cblas_daxpy(Int32(x.count), 1, phi.data, 1, x.data, 1)
            case .fullResidual:
                // x += V phi + a, written straight into the residual stream.
                recordsV[layer] = sampling.forward(.v, layer: layer, input: phi, output: x,
                                                   scale: scaleV, accumulate: true, bias: biasA,
                                                   keepRecord: keepRecords)
            }
            progress?(1)
            if !measureForward(layer: layer, x, &trace, &lengths) {
                trace.forwardOverflowLayer = layer
                // No output, no gradient: the run contributes its earlier layers only.
                progress?(2 * depth - layer)
                return trace
            }
        }

        // Backward pass for input 1: g^{l-1} = J_l^T g^l.
        let g = Block(rows: n, columns: 1)
        let fromBranch = Block(rows: n, columns: 1)
        let delta = Block(rows: n, columns: 1)
        let update = Block(rows: n, columns: 1)
        GaussianStream(seed: seed, run: run, layer: depth, role: .readoutGradient)
            .fill(g.data, count: n)
        var chi = [Double](repeating: .nan, count: depth + 1)
        var chiB = [Double](repeating: .nan, count: depth + 1)
        chi[depth] = Vectors.dot(g.data, g.data, count: n) / Double(n)
        func transpose(_ matrix: WeightMatrix, _ layer: Int, _ record: ForwardRecord?,
                       _ vector: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
                       _ scale: Double) {
            if tied {
                sampling.tiedTranspose(matrix, layer: layer, record: record, gradient: vector,
                                       output: output, scale: scale)
            } else {
                sampling.independentTranspose(matrix, layer: layer, gradient: vector,
                                              output: output, scale: scale)
            }
        }
        for layer in stride(from: depth, through: 1, by: -1) {
            // dE/dphi: g itself (FF, RRN) or V^T g (FRN).
            var dPhi = UnsafePointer(g.data)
            if architecture == .fullResidual {
                transpose(.v, layer, recordsV[layer], g.data, fromBranch.data, scaleV)
                dPhi = UnsafePointer(fromBranch.data)
            }
            let d = derivatives + (layer - 1) * n
            for i in 0..<n { delta.data[i] = dPhi[i] * d[i] }
            chiB[layer] = Vectors.dot(delta.data, delta.data, count: n) / Double(n)
            recordsV[layer] = nil
            transpose(.w, layer, recordsW[layer], delta.data, update.data, scaleW)
            recordsW[layer] = nil
            if architecture == .feedforward {
                g.copy(from: update)
            } else {
                cblas_daxpy(Int32(n), 1, update.data, 1, g.data, 1)
            }
            chi[layer - 1] = Vectors.dot(g.data, g.data, count: n) / Double(n)
            progress?(1)
            if !Self.isRegular(chi[layer - 1]) {
                trace.backwardOverflowLayer = layer - 1
                chi[layer - 1] = .nan
                progress?(layer - 1)
                break
            }
        }
        recordBackward(chi: chi, chiB: chiB, phiMeanSquare: phiMeanSquare, lengths: lengths,
                       into: &trace)
        return trace
    }

    /// p, gamma, e, s of the pair (columns 0 and 1); false when the layer overflowed (any
    /// input's mean square, or gamma or s, is not finite or exceeds the limit).
    private func measureForward(layer: Int, _ x: Block, _ trace: inout RunTrace,
                                _ lengths: inout [Double]) -> Bool {
        let n = Double(x.rows)
        // One pass for the pair: |x|^2, |x'|^2, x.x' and |x - x'|^2 (the difference summed
        // directly: 2(p - gamma) cancels when the inputs are close).
        let first = x.column(0)
        let second = x.column(1)
        var sumFirst = 0.0, sumSecond = 0.0, sumCross = 0.0, sumDifference = 0.0
        for i in 0..<x.rows {
            let a = first[i]
            let b = second[i]
            let d = a - b
            sumFirst += a * a
            sumSecond += b * b
            sumCross += a * b
            sumDifference += d * d
        }
        for k in 2..<max(x.columns, 2) {
            guard Self.isRegular(Vectors.dot(x.column(k), x.column(k), count: x.rows) / n) else {
                return false
            }
        }
        return Self.recordForward(layer: layer, sumFirst: sumFirst, sumSecond: sumSecond,
                                  sumCross: sumCross, sumDifference: sumDifference, width: x.rows,
                                  &trace, &lengths)
    }

    /// p, gamma, e, s from the pair's sums over the N units; false when the layer overflowed.
    static func recordForward(layer: Int, sumFirst: Double, sumSecond: Double, sumCross: Double,
                              sumDifference: Double, width: Int, _ trace: inout RunTrace,
                              _ lengths: inout [Double]) -> Bool {
        let n = Double(width)
        let p = sumFirst / n
        let pPrime = sumSecond / n
        let gamma = sumCross / n
        let s = sumDifference / n
        guard isRegular(p), isRegular(pPrime), isRegular(gamma), isRegular(s) else { return false }
        lengths[layer] = p
        trace.set(.p, layer: layer, p)
        trace.set(.gamma, layer: layer, gamma)
        // sqrt(p) sqrt(p'): p p' itself leaves the double range once p passes 1e154 (e read 0).
        trace.set(.e, layer: layer,
                  p > 0 && pPrime > 0 ? gamma / (p.squareRoot() * pPrime.squareRoot()) : .nan)
        trace.set(.s, layer: layer, s)
        return true
    }

    /// Ratios to chi^L, in logs so that huge or tiny ratios stay representable
    /// (THEORY.md section 3: chi_b = |dE/dh|^2/N, chi_W = chi_b p^{l-1}, chi_V = chi^l
    /// |phi|^2/N, chi_a = chi^l; exact identities for one layer of N x N weights).
    func recordBackward(chi: [Double], chiB: [Double], phiMeanSquare: [Double],
                                lengths: [Double], into trace: inout RunTrace) {
        let depth = configuration.depth
        let logTop = log(chi[depth])
        let frn = configuration.architecture == .fullResidual
        for layer in 0...depth where chi[layer].isFinite && chi[layer] > 0 {
            let logRatio = log(chi[layer]) - logTop
            trace.set(.logChi, layer: layer, logRatio)
            trace.set(.chiRatio, layer: layer, exp(logRatio))
            guard layer >= 1, chiB[layer].isFinite, chiB[layer] > 0 else { continue }
            let logB = log(chiB[layer]) - logTop
            trace.set(.logChiB, layer: layer, logB)
            trace.set(.logChiW, layer: layer, logB + log(lengths[layer - 1]))
            if frn {
                trace.set(.logChiV, layer: layer, logRatio + log(phiMeanSquare[layer]))
                trace.set(.logChiA, layer: layer, logRatio)
            }
        }
    }

    @inline(__always) static func isRegular(_ value: Double) -> Bool {
        value.isFinite && abs(value) <= overflowLimit
    }
}
