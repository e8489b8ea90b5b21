import CMeanFieldKernels
import MeanFieldCore

/// Conditional mode for the common case: a pair of inputs through ff, rrn or frn. The same law
/// and the same random numbers at the same addresses as `ConditionalWeightSampling` in
/// `NetworkRun` (Docs/simulator.md), organized for memory traffic: at width 1e5 every N-vector
/// is 800 KB, beyond L2, and the general path's ~60 BLAS-sized passes per layer cost more than
/// its arithmetic. Here a layer is four fused passes forward and two backward, each working
/// through chunks small enough that its normals, pre-activations and partial results stay in L1.
///
/// - Bases are never stored: Q is recomputed from the layer's input (kept anyway, as x or phi)
///   and a few scalars (`PairBasis`), with the same floating-point operations each time.
/// - Z (the forward products' normals) is kept for the backward pass when memory allows
///   (`NetworkRun.storesNormals`), else regenerated from its stream: the same numbers.
/// - The complements' normals are drawn once, kept in one N-vector until the next pass.
/// - The passes' inner loops are C kernels with an AVX2 path (CMeanFieldKernels,
///   pair_passes.c: sums, projections, tied-transpose updates), four units at a time.
struct PairConditionalRun {
    /// Units per chunk: the chunk's normals and temporaries (seven arrays, 112 KB) stay in L2.
    static let chunk = 2048

    static func applies(_ configuration: NetworkConfiguration, _ options: SimulationOptions) -> Bool {
        options.mode == .conditional && options.batch == 2
            && [Architecture.feedforward, .reducedResidual, .fullResidual]
                .contains(configuration.architecture)
    }

    let network: NetworkRun

    private var n: Int { network.options.width }

    func simulate() -> RunTrace {
        let configuration = network.configuration
        let options = network.options
        let n = options.width
        let depth = configuration.depth
        let architecture = configuration.architecture
        let tied = options.backward == .tied
        let progress = network.progress
        var trace = RunTrace(run: network.run, depth: depth, quantities: SimulatedQuantity.standard)
        let streams = Streams(seed: UInt64(options.seed), run: network.run)
        let scaleW = configuration.sigmaW / Double(n).squareRoot()
        let scaleV = configuration.sigmaV / Double(n).squareRoot()
        let frn = architecture == .fullResidual
        // Biases as one more column of W and V (ConditionalWeightSampling): the inputs' extra
        // coordinate, nil where the bias is drawn and added instead.
        let biasCoordinateW = ConditionalWeightSampling.biasCoordinate(
            Bias(sigma: configuration.sigmaB, role: .biasB), scale: scaleW)
        let biasCoordinateV = ConditionalWeightSampling.biasCoordinate(
            Bias(sigma: configuration.sigmaA, role: .biasA), scale: scaleV)

        // Per-layer state for the backward pass: x^l (tied), phi^l (tied FRN), phi'(h^l) of
        // input 1. Independent weights need only phi'.
        let arena = network.arena
        let matrices = frn ? 2 : 1
        let keepsZ = tied && network.storesNormals
        let slots = tied ? (depth + 1) * 2 * n + (frn ? depth * 2 * n : 0) : 0
        arena.reset(reserving: 7 * n + slots + depth * n + (keepsZ ? depth * matrices * 2 * n : 0))
        // Working vectors: x and phi when no layer is kept, the gradient and the two kept
        // complements of the backward pass (in the arena: no page faults after the first run).
        let working = arena.block(rows: n, columns: 7).data
        let derivatives = arena.block(rows: n, columns: depth).data
        let xSlots = tied ? arena.block(rows: 2 * n, columns: depth + 1).data : nil
        let phiSlots = tied && frn ? arena.block(rows: 2 * n, columns: depth).data : nil
        let zSlots = keepsZ ? arena.block(rows: 2 * n, columns: depth * matrices).data : nil
        /// Where the layer's Z for W or V is kept (nil: regenerated).
        func keptZ(_ layer: Int, _ matrix: WeightMatrix) -> UnsafeMutablePointer<Double>? {
            zSlots.map { $0 + ((layer - 1) * matrices + (matrix == .w ? 0 : 1)) * 2 * n }
        }
        func x(_ layer: Int) -> UnsafeMutablePointer<Double> {
            xSlots.map { $0 + layer * 2 * n } ?? working
        }
        func phi(_ layer: Int) -> UnsafeMutablePointer<Double> {
            phiSlots.map { $0 + (layer - 1) * 2 * n } ?? working + 2 * n
        }
        let scratch = ChunkScratch()
        let kernel = ActivationKernel(activation: configuration.activation)
        var basesW = [PairBasis](repeating: PairBasis(), count: depth + 1)
        var basesV = [PairBasis](repeating: PairBasis(), count: depth + 1)
        var phiMeanSquare = [Double](repeating: .nan, count: depth + 1)
        var lengths = [Double](repeating: .nan, count: depth + 1)

        // Layer 0.
        let input = InputBatch.make(configuration: configuration, width: n, batch: 2,
                                    seed: UInt64(options.seed), run: network.run)
        x(0).update(from: input.data, count: 2 * n)
        var sums = PairSums(x(0), x(0) + n, count: n)
        guard NetworkRun.recordForward(layer: 0, sumFirst: sums.s00, sumSecond: sums.s11,
                                       sumCross: sums.s01, sumDifference: sums.sdd, width: n,
                                       &trace, &lengths) else {
            trace.forwardOverflowLayer = 0
            progress?(2 * depth)
            return trace
        }

        for layer in 1...depth {
            let previous = x(layer - 1)
            let next = x(layer)
            let basisW = PairBasis(previous, previous + n, count: n, sums, bias: biasCoordinateW)
            basesW[layer] = basisW
            let d = derivatives + (layer - 1) * n
            switch architecture {
            case .feedforward, .reducedResidual:
                sums = forwardW(basisW, layer: layer, scale: scaleW, streams: streams,
                                kernel: kernel, scratch: scratch, keptZ: keptZ(layer, .w),
                                previous: previous, next: next, derivatives: d,
                                residual: architecture == .reducedResidual)
            case .fullResidual:
                let p = phi(layer)
                let phiSums = forwardW(basisW, layer: layer, scale: scaleW, streams: streams,
                                       kernel: kernel, scratch: scratch, keptZ: keptZ(layer, .w),
                                       previous: nil, next: p, derivatives: d, residual: false)
                phiMeanSquare[layer] = phiSums.s00 / Double(n)
                let basisV = PairBasis(p, p + n, count: n, phiSums, bias: biasCoordinateV)
                basesV[layer] = basisV
                sums = forwardV(basisV, layer: layer, scale: scaleV, streams: streams,
                                scratch: scratch, keptZ: keptZ(layer, .v), previous: previous,
                                next: next)
            }
            progress?(1)
            guard NetworkRun.recordForward(layer: layer, sumFirst: sums.s00, sumSecond: sums.s11,
                                           sumCross: sums.s01, sumDifference: sums.sdd, width: n,
                                           &trace, &lengths) else {
                trace.forwardOverflowLayer = layer
                progress?(2 * depth - layer)
                return trace
            }
        }

        // Backward pass for input 1.
        let g = working + 4 * n, xiW = working + 5 * n, xiV = working + 6 * n
        GaussianStream(seed: streams.seed, run: network.run, layer: depth, role: .readoutGradient)
            .fill(g, count: n)
        var chi = [Double](repeating: .nan, count: depth + 1)
        var chiB = [Double](repeating: .nan, count: depth + 1)
        // Summed in backwardUpdate's lane order: a gradient passed on unchanged (zero branches)
        // then gives chi^l/chi^L = 1 exactly.
        var gradientLanes = Quad()
        var i = 0
        while i < n {
            let valid = min(4, n - i)
            let value = g.quad(i, valid)
            gradientLanes += value * value
            i += 4
        }
        var gradientSquare = gradientLanes.laneTotal
        chi[depth] = gradientSquare / Double(n)
        // V^T g for the top layer needs Z_V^T g and Q_V^T xi_V first.
        var projectionsV = frn && tied
            ? Projections.of(gradient: g, basis: basesV[depth], input: phi(depth), layer: depth,
                             matrix: .v, keptZ: keptZ(depth, .v), streams: streams,
                             scratch: scratch, keep: xiV, count: n)
            : Projections()
        for layer in stride(from: depth, through: 1, by: -1) {
            let d = derivatives + (layer - 1) * n
            let deltaSquare: Double
            let projectionsW: Projections
            if tied {
                (deltaSquare, projectionsW) = backwardDelta(
                    layer: layer, gradient: g, gradientSquare: gradientSquare, derivatives: d,
                    frn: frn, basisV: basesV[layer], phi: frn ? phi(layer) : nil,
                    projectionsV: projectionsV, xiV: xiV, scaleV: scaleV,
                    basisW: basesW[layer], keptZW: keptZ(layer, .w), input: x(layer - 1),
                    xiW: xiW, streams: streams, scratch: scratch)
            } else {
                deltaSquare = independentDelta(layer: layer, gradient: g,
                                               gradientSquare: gradientSquare, derivatives: d,
                                               frn: frn, scaleV: scaleV, streams: streams,
                                               scratch: scratch)
                projectionsW = Projections()
            }
            chiB[layer] = deltaSquare / Double(n)
            let nextV = frn && tied && layer > 1
            (gradientSquare, projectionsV) = backwardUpdate(
                layer: layer, gradient: g, deltaSquare: deltaSquare, keepsGradient: architecture != .feedforward,
                tied: tied, basisW: basesW[layer], input: tied ? x(layer - 1) : nil,
                projectionsW: projectionsW, xiW: xiW, scaleW: scaleW,
                nextV: nextV ? (basesV[layer - 1], phi(layer - 1), keptZ(layer - 1, .v)) : nil,
                xiV: xiV,
                streams: streams, scratch: scratch)
            chi[layer - 1] = gradientSquare / Double(n)
            progress?(1)
            if !NetworkRun.isRegular(chi[layer - 1]) {
                trace.backwardOverflowLayer = layer - 1
                chi[layer - 1] = .nan
                progress?(layer - 1)
                break
            }
        }
        network.recordBackward(chi: chi, chiB: chiB, phiMeanSquare: phiMeanSquare,
                               lengths: lengths, into: &trace)
        return trace
    }

    // MARK: - Forward passes

    /// h = scale Z R + b for the layer's W, then phi. `next` receives phi (FRN: the branch;
    /// FF: x^l) or x^{l-1} + phi (RRN, `residual`, reading `previous`); returns the pair sums
    /// of what was written.
    private func forwardW(_ basis: PairBasis, layer: Int, scale: Double, streams: Streams,
                          kernel: ActivationKernel, scratch: ChunkScratch,
                          keptZ: UnsafeMutablePointer<Double>?,
                          previous: UnsafeMutablePointer<Double>?,
                          next: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>,
                          residual: Bool) -> PairSums {
        let n = self.n
        let a00 = scale * basis.r00, a01 = scale * basis.r01, a11 = scale * basis.r11
        let h0 = scratch.h0, h1 = scratch.h1
        var sums = PairSums()
        forEachChunk(basis, matrix: .w, layer: layer, sigma: network.configuration.sigmaB,
                     streams: streams, scratch: scratch, keptZ: keptZ) { start, count, z0, z1, bias in
            if let b = bias {
                for i in 0..<count {
                    h0[i] = a00 * z0[i] + b[i]
                    h1[i] = (a01 * z0[i] + a11 * z1[i]) + b[i]
                }
            } else {
                for i in 0..<count {
                    h0[i] = a00 * z0[i]
                    h1[i] = a01 * z0[i] + a11 * z1[i]
                }
            }
            let out0 = next + start, out1 = next + n + start
            if residual {
                let phi0 = scratch.phi0, phi1 = scratch.phi1
                kernel.applyPair(h0, h1, count: count, values0: phi0, values1: phi1,
                                 derivatives: derivatives + start)
                let in0 = previous! + start, in1 = previous! + n + start
                for i in 0..<count {
                    out0[i] = in0[i] + phi0[i]
                    out1[i] = in1[i] + phi1[i]
                }
            } else {
                kernel.applyPair(h0, h1, count: count, values0: out0, values1: out1,
                                 derivatives: derivatives + start)
            }
            sums.add(out0, out1, count: count)
        }
        return sums
    }

    /// x^l = x^{l-1} + scale Z R + a for the layer's V (FRN); returns the pair sums of x^l.
    private func forwardV(_ basis: PairBasis, layer: Int, scale: Double, streams: Streams,
                          scratch: ChunkScratch, keptZ: UnsafeMutablePointer<Double>?,
                          previous: UnsafeMutablePointer<Double>,
                          next: UnsafeMutablePointer<Double>) -> PairSums {
        let n = self.n
        let a00 = scale * basis.r00, a01 = scale * basis.r01, a11 = scale * basis.r11
        var sums = PairSums()
        forEachChunk(basis, matrix: .v, layer: layer, sigma: network.configuration.sigmaA,
                     streams: streams, scratch: scratch, keptZ: keptZ) { start, count, z0, z1, bias in
            let in0 = previous + start, in1 = previous + n + start
            let out0 = next + start, out1 = next + n + start
            // The general path's order of operations (its accumulate, then the bias), so that
            // the two agree to rounding even where the dynamics amplify differences.
            if let a = bias {
                for i in 0..<count {
                    out0[i] = (in0[i] + a00 * z0[i]) + a[i]
                    out1[i] = ((in1[i] + a01 * z0[i]) + a11 * z1[i]) + a[i]
                }
            } else {
                for i in 0..<count {
                    out0[i] = in0[i] + a00 * z0[i]
                    out1[i] = (in1[i] + a01 * z0[i]) + a11 * z1[i]
                }
            }
            sums.add(out0, out1, count: count)
        }
        return sums
    }

    /// The chunks of the layer's W or V product with its inputs: Z's rows (kept or drawn)
    /// and the bias (N(0, sigma^2), shared by the pair; nil when there is none or the basis
    /// has it as a column): `body(start, count, z0, z1, bias)`.
    private func forEachChunk(_ basis: PairBasis, matrix: WeightMatrix, layer: Int, sigma: Double,
                              streams: Streams, scratch: ChunkScratch,
                              keptZ: UnsafeMutablePointer<Double>?,
                              _ body: (Int, Int, UnsafePointer<Double>, UnsafePointer<Double>,
                                       UnsafePointer<Double>?) -> Void) {
        let n = self.n
        let z = streams.stream(layer, matrix.forwardRole)
        let bias = streams.stream(layer, matrix == .w ? .biasB : .biasA)
        let b = scratch.bias
        var start = 0
        while start < n {
            let count = min(Self.chunk, n - start)
            let (z0, z1) = scratch.normals(z, rank: basis.rank, start: start, count: count,
                                           width: n, kept: keptZ, draw: true)
            let drawn = sigma > 0 && !basis.augmented
            if drawn { bias.fill(b, count: count, from: start, scale: sigma) }
            body(start, count, z0, z1, drawn ? UnsafePointer(b) : nil)
            start += count
        }
    }

    // MARK: - Backward passes

    /// delta = (V^T g or g) * phi'(h) with tied weights, |delta|^2, and for the next pass the
    /// projections of delta and of the W complement (kept in `xiW`).
    private func backwardDelta(layer: Int, gradient g: UnsafeMutablePointer<Double>,
                               gradientSquare: Double, derivatives d: UnsafeMutablePointer<Double>,
                               frn: Bool, basisV: PairBasis, phi: UnsafeMutablePointer<Double>?,
                               projectionsV: Projections, xiV: UnsafeMutablePointer<Double>,
                               scaleV: Double, basisW: PairBasis,
                               keptZW: UnsafeMutablePointer<Double>?,
                               input: UnsafeMutablePointer<Double>,
                               xiW: UnsafeMutablePointer<Double>, streams: Streams,
                               scratch: ChunkScratch) -> (Double, Projections) {
        let n = self.n
        let gLength = gradientSquare.squareRoot()
        // V^T g = scaleV (|g| xi + Q (Z^T g - |g| Q^T xi)).
        let (cV0, cV1) = projectionsV.coefficients(length: gLength)
        let zW = streams.stream(layer, .weightW)
        let complementW = streams.stream(layer, .complementW)
        var deltaSquare = Quad()
        var projections = ProjectionLanes()
        var kernelBasisV = basisV.kernel, kernelBasisW = basisW.kernel
        let delta = scratch.h0
        var start = 0
        while start < n {
            let count = min(Self.chunk, n - start)
            let dc = d + start, gc = g + start
            if frn {
                mf_pair_tied_branch(delta, dc, &kernelBasisV, phi! + start, phi! + n + start,
                                    xiV + start, scaleV, gLength, cV0, cV1, Int64(count))
            } else {
                for i in 0..<count { delta[i] = gc[i] * dc[i] }
            }
            let (z0, z1) = scratch.normals(zW, rank: basisW.rank, start: start, count: count,
                                           width: n, kept: keptZW, draw: false)
            complementW.fill(xiW + start, count: count, from: start)
            deltaSquare.withLanes { squares in
                projections.add(delta, z0: z0, z1: z1, basis: &kernelBasisW, input0: input + start,
                                input1: input + n + start, xi: xiW + start, count: count,
                                squares: squares)
            }
            start += count
        }
        var total = projections.total
        basisW.addExtraRow(complementW, width: n, to: &total)
        return (deltaSquare.laneTotal, total)
    }

    /// Independent weights: V~^T g ~ N(0, scaleV^2 |g|^2 I) exactly, so delta needs no basis;
    /// only |delta|^2 is kept (W~^T delta ~ N(0, scaleW^2 |delta|^2 I)).
    private func independentDelta(layer: Int, gradient g: UnsafeMutablePointer<Double>,
                                  gradientSquare: Double, derivatives d: UnsafeMutablePointer<Double>,
                                  frn: Bool, scaleV: Double, streams: Streams,
                                  scratch: ChunkScratch) -> Double {
        let n = self.n
        let xi = scratch.z0
        let factor = scaleV * gradientSquare.squareRoot()
        let stream = streams.stream(layer, .independentV)
        var deltaSquare = Quad()
        var start = 0
        while start < n {
            let count = min(Self.chunk, n - start)
            let dc = d + start, gc = g + start
            if frn {
                stream.fill(xi, count: count, from: start, scale: factor)
                var i = 0
                while i < count {
                    let valid = min(4, count - i)
                    let value = xi.quad(i, valid) * dc.quad(i, valid)
                    deltaSquare += value * value
                    i += 4
                }
            } else {
                var i = 0
                while i < count {
                    let valid = min(4, count - i)
                    let value = gc.quad(i, valid) * dc.quad(i, valid)
                    deltaSquare += value * value
                    i += 4
                }
            }
            start += count
        }
        return deltaSquare.laneTotal
    }

    /// g^{l-1} = g^l + W^T delta (FF: W^T delta alone); returns |g^{l-1}|^2 and, when
    /// `nextV` is given (tied FRN), the projections V^T g^{l-1} of layer l-1 will need.
    private func backwardUpdate(layer: Int, gradient g: UnsafeMutablePointer<Double>,
                                deltaSquare: Double, keepsGradient: Bool, tied: Bool,
                                basisW: PairBasis, input: UnsafeMutablePointer<Double>?,
                                projectionsW: Projections, xiW: UnsafeMutablePointer<Double>,
                                scaleW: Double,
                                nextV: (basis: PairBasis, phi: UnsafeMutablePointer<Double>,
                                        keptZ: UnsafeMutablePointer<Double>?)?,
                                xiV: UnsafeMutablePointer<Double>, streams: Streams,
                                scratch: ChunkScratch) -> (Double, Projections) {
        let n = self.n
        let deltaLength = deltaSquare.squareRoot()
        let (cW0, cW1) = projectionsW.coefficients(length: deltaLength)
        let independent = streams.stream(layer, .independentW)
        let zV = streams.stream(layer - 1, .weightV)
        let complementV = streams.stream(layer - 1, .complementV)
        let keep: Double = keepsGradient ? 1 : 0
        var gradientSquare = Quad()
        var projections = ProjectionLanes()
        var kernelBasisW = basisW.kernel
        var kernelBasisV = nextV?.basis.kernel ?? MFPairBasis()
        let xiChunk = scratch.bias
        var start = 0
        while start < n {
            let count = min(Self.chunk, n - start)
            let gc = g + start
            if tied {
                gradientSquare.withLanes { squares in
                    mf_pair_tied_update(gc, keep, &kernelBasisW, input! + start, input! + n + start,
                                        xiW + start, scaleW, deltaLength, cW0, cW1, Int64(count),
                                        squares)
                }
            } else {
                independent.fill(xiChunk, count: count, from: start, scale: scaleW * deltaLength)
                var i = 0
                while i < count {
                    let valid = min(4, count - i)
                    let value = keep * gc.quad(i, valid) + xiChunk.quad(i, valid)
                    gc.setQuad(i, valid, value)
                    gradientSquare += value * value
                    i += 4
                }
            }
            if let nextV {
                let (z0, z1) = scratch.normals(zV, rank: nextV.basis.rank, start: start,
                                               count: count, width: n, kept: nextV.keptZ,
                                               draw: false)
                complementV.fill(xiV + start, count: count, from: start)
                projections.add(gc, z0: z0, z1: z1, basis: &kernelBasisV,
                                input0: nextV.phi + start, input1: nextV.phi + n + start,
                                xi: xiV + start, count: count)
            }
            start += count
        }
        var total = projections.total
        if let nextV { nextV.basis.addExtraRow(complementV, width: n, to: &total) }
        return (gradientSquare.laneTotal, total)
    }
}

/// The streams of one run.
struct Streams {
    let seed: UInt64
    let run: Int

    func stream(_ layer: Int, _ role: RandomRole) -> GaussianStream {
        GaussianStream(seed: seed, run: run, layer: layer, role: role)
    }
}

/// Z^T v (two coordinates) and Q^T xi for a tied transpose W^T v = scale (|v| xi +
/// Q (Z^T v - |v| Q^T xi)) (Docs/simulator.md).
struct Projections {
    var z0 = 0.0, z1 = 0.0, xi0 = 0.0, xi1 = 0.0

    /// Q's coefficients in W^T v: Z^T v - |v| Q^T xi.
    func coefficients(length: Double) -> (Double, Double) {
        (z0 - length * xi0, z1 - length * xi1)
    }

    /// For the top layer's V: one pass over g, the layer's phi and its V streams.
    static func of(gradient g: UnsafeMutablePointer<Double>, basis: PairBasis,
                   input: UnsafeMutablePointer<Double>, layer: Int, matrix: WeightMatrix,
                   keptZ: UnsafeMutablePointer<Double>?, streams: Streams, scratch: ChunkScratch, keep xi: UnsafeMutablePointer<Double>,
                   count n: Int) -> Projections {
        var projections = ProjectionLanes()
        var kernelBasis = basis.kernel
        let z = streams.stream(layer, matrix.forwardRole)
        let complement = streams.stream(layer, matrix.complementRole)
        var start = 0
        while start < n {
            let count = min(PairConditionalRun.chunk, n - start)
            let (z0, z1) = scratch.normals(z, rank: basis.rank, start: start, count: count,
                                           width: n, kept: keptZ, draw: false)
            complement.fill(xi + start, count: count, from: start)
            projections.add(g + start, z0: z0, z1: z1, basis: &kernelBasis, input0: input + start,
                            input1: input + n + start, xi: xi + start, count: count)
            start += count
        }
        var total = projections.total
        basis.addExtraRow(complement, width: n, to: &total)
        return total
    }
}

/// Z^T v and Q^T xi as lane sums (mf_pair_projections).
struct ProjectionLanes {
    private var lanes = MFProjectionSums()

    /// Adds units 0 ..< count: v against Z's columns z0, z1 and xi against the basis of the
    /// pair input0, input1; and |v|^2 to `squares` (four lanes) when given.
    mutating func add(_ v: UnsafePointer<Double>, z0: UnsafePointer<Double>,
                      z1: UnsafePointer<Double>, basis: inout MFPairBasis,
                      input0: UnsafePointer<Double>, input1: UnsafePointer<Double>,
                      xi: UnsafePointer<Double>, count: Int,
                      squares: UnsafeMutablePointer<Double>? = nil) {
        mf_pair_projections(v, z0, z1, &basis, input0, input1, xi, Int64(count), &lanes, squares)
    }

    var total: Projections {
        Projections(z0: laneTotal(lanes.z0), z1: laneTotal(lanes.z1), xi0: laneTotal(lanes.xi0),
                    xi1: laneTotal(lanes.xi1))
    }
}

/// Sums over the units of a pair: |x0|^2, x0.x1, |x1|^2 and |x0 - x1|^2 (summed directly:
/// 2(p - gamma) cancels when the inputs are close), as lane sums (mf_pair_sums).
struct PairSums {
    private var lanes = MFPairSums()

    var s00: Double { laneTotal(lanes.s00) }
    var s01: Double { laneTotal(lanes.s01) }
    var s11: Double { laneTotal(lanes.s11) }
    var sdd: Double { laneTotal(lanes.difference) }

    init() {}

    init(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, count: Int) {
        add(x0, x1, count: count)
    }

    /// Units of a chunk (or of the whole vector) starting at a multiple of four.
    mutating func add(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, count: Int) {
        mf_pair_sums(x0, x1, Int64(count), &lanes)
    }
}

/// X = Q R for a pair without storing Q: the operations of `OrthonormalBasis.factorPair`
/// (classical Gram-Schmidt with one reorthogonalization) as a few scalars, so that
///     q0 = a0 x0 + a1 x1,   q1 = ((x1 - c q0) - t q0) / residual
/// is recomputed from the pair, bit for bit the same each time. R comes from the Gram sums and
/// one read pass for the reorthogonalization coefficient t.
struct PairBasis {
    var rank = 0
    /// q0 = a0 x0 + a1 x1: (1/|x0|, 0), or (0, 1/|x1|) when x0 vanishes.
    var a0 = 0.0, a1 = 0.0
    /// c = x0.x1/|x0| and the reorthogonalization's t.
    var coefficient = 0.0, overlap = 0.0
    /// 1/residual for rank 2, else 0 (q1 = 0).
    var inverseResidual = 0.0
    /// R: column 0 = (r00, 0), column 1 = (r01, r11).
    var r00 = 0.0, r01 = 0.0, r11 = 0.0
    /// A bias as one more column of the weights: the pair has the extra row (c, c), whose
    /// basis coordinates q(c, c) are kept (ConditionalWeightSampling).
    var augmented = false
    var extraQ0 = 0.0, extraQ1 = 0.0

    init() {}

    /// `bias`: the extra coordinate c of X' = [X; c 1^T], nil for none.
    init(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, count n: Int, _ sums: PairSums,
         bias: Double? = nil) {
        let extra = bias ?? 0
        let s00 = sums.s00 + extra * extra, s01 = sums.s01 + extra * extra
        let s11 = sums.s11 + extra * extra
        guard s00.isFinite, s01.isFinite, s11.isFinite else {
            // Out of range (an overflowing FRN branch): let NaN reach x, where it is caught.
            rank = 2
            r00 = .nan
            r01 = .nan
            r11 = .nan
            return
        }
        if s00 > 0 {
            let length0 = s00.squareRoot()
            a0 = 1 / length0
            coefficient = s01 / length0
            var lanes = MFOverlapSums()
            mf_pair_overlap(x0, x1, Int64(n), a0, coefficient, &lanes)
            var t = laneTotal(lanes.overlap), vv = laneTotal(lanes.residual)
            if bias != nil {
                let q = extra * a0
                let w = extra - coefficient * q
                t += q * w
                vv += w * w
            }
            overlap = t
            r00 = length0
            r01 = coefficient + t
            // |w - t q0|^2 = |w|^2 - t^2 (t is rounding-sized unless the pair is collinear).
            let residual = max(vv - t * t, 0).squareRoot()
            if residual > OrthonormalBasis.relativeTolerance * s11.squareRoot() && residual > 0 {
                rank = 2
                r11 = residual
                inverseResidual = 1 / residual
            } else {
                rank = 1
            }
        } else if s11 > 0 {
            rank = 1
            let length1 = s11.squareRoot()
            a1 = 1 / length1
            r01 = length1
        }
        if let bias {
            augmented = true
            (extraQ0, extraQ1) = q(bias, bias)
        }
    }

    /// The scalars the C kernels (pair_passes.c, BASIS4) recompute q from, with q's operations.
    var kernel: MFPairBasis {
        MFPairBasis(a0: a0, a1: a1, coefficient: coefficient, overlap: overlap,
                    inverseResidual: inverseResidual)
    }

    @inline(__always) func q(_ x0: Double, _ x1: Double) -> (Double, Double) {
        let q0 = x0 * a0 + x1 * a1
        let w = x1 - coefficient * q0
        return (q0, (w - overlap * q0) * inverseResidual)
    }

    /// Q'^T xi' includes the extra row: adds q(c, c) times normal N of the complement stream.
    func addExtraRow(_ complement: GaussianStream, width n: Int, to projections: inout Projections) {
        guard augmented else { return }
        var xi = 0.0
        complement.fill(&xi, count: 1, from: n)
        projections.xi0 += extraQ0 * xi
        projections.xi1 += extraQ1 * xi
    }
}

/// Chunk-sized work arrays of one run (L1-resident).
final class ChunkScratch {
    let z0: UnsafeMutablePointer<Double>
    let z1: UnsafeMutablePointer<Double>
    let bias: UnsafeMutablePointer<Double>
    let h0: UnsafeMutablePointer<Double>
    let h1: UnsafeMutablePointer<Double>
    let phi0: UnsafeMutablePointer<Double>
    let phi1: UnsafeMutablePointer<Double>
    private let storage: UnsafeMutablePointer<Double>

    init() {
        let size = PairConditionalRun.chunk
        storage = .allocate(capacity: 7 * size)
        storage.initialize(repeating: 0, count: 7 * size)
        z0 = storage
        z1 = storage + size
        bias = storage + 2 * size
        h0 = storage + 3 * size
        h1 = storage + 4 * size
        phi0 = storage + 5 * size
        phi1 = storage + 6 * size
    }

    deinit { storage.deallocate() }

    /// Z's rows start..<start+count for a basis of this rank: column a of the N x rank block
    /// is normals a N ..< (a + 1) N of the stream (as the general path draws it); absent
    /// columns read as zeros. With `kept` (an N x 2 block), drawn into it (`draw`) or read
    /// from it; otherwise drawn into the scratch arrays.
    func normals(_ stream: GaussianStream, rank: Int, start: Int, count: Int, width: Int,
                 kept: UnsafeMutablePointer<Double>?, draw: Bool)
        -> (UnsafePointer<Double>, UnsafePointer<Double>) {
        let first = kept.map { $0 + start } ?? z0
        let second = kept.map { $0 + width + start } ?? z1
        guard kept == nil || draw else { return (UnsafePointer(first), UnsafePointer(second)) }
        if rank >= 1 {
            stream.fill(first, count: count, from: start)
        } else {
            first.update(repeating: 0, count: count)
        }
        if rank >= 2 {
            stream.fill(second, count: count, from: width + start)
        } else {
            second.update(repeating: 0, count: count)
        }
        return (UnsafePointer(first), UnsafePointer(second))
    }
}
