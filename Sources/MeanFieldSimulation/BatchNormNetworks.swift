import COpenBLAS
import Foundation
import MeanFieldCore

/// How the batch engine builds its M inputs.
public enum InputDistribution: String, CaseIterable, Sendable {
    /// `InputBatch`: exact lengths p0, pairwise correlations e0 and coordinate mean m0.
    case structured
    /// i.i.d. N(0, p0) entries (Daneshmand et al. 2020 feed Gaussian data); e0, m0 unused.
    case gaussian
}

/// A network of the batch engine: the companion papers' architectures (THEORY.md section 8)
/// and ff, rrn, frn, all simulated on a batch of M inputs with a first-order input noise.
public struct BatchNetworkConfiguration: Sendable {
    public var architecture: ArchitectureName
    public var activation: any Activation
    public var sigmaW: Double
    public var sigmaB: Double
    public var sigmaV: Double
    public var sigmaA: Double
    public var p0: Double
    public var e0: Double
    public var inputMean: Double
    /// Layers; for bn-res, residual units.
    public var depth: Int
    /// H, the sub-layers BN -> phi -> dense of a bn-res unit.
    public var sublayers: Int
    /// gamma of the chains H <- N(H + gamma phi(W H)); infinity: no skip, H <- N(phi(W H)).
    public var skipGamma: Double
    /// Batch-norm fuzz: nil gives 1e-3 for bn-ff and bn-res (the Keras default Labatie's
    /// experiments use) and 0 for bn-chain (Daneshmand et al. divide by the exact RMS).
    public var bnEpsilon: Double?
    public var weights: WeightDistribution
    /// The last weight matrix of each residual branch is zero (V and a for frn, the last
    /// dense of a bn-res unit): the skip path alone carries the signal (Blumenfeld et al. 2020).
    public var zeroBranches: Bool
    public var inputs: InputDistribution
    /// Threshold of the soft rank, in (0, 1].
    public var softRankTau: Double

    public init(architecture: ArchitectureName, activation: any Activation, sigmaW: Double = 1,
                sigmaB: Double = 0, sigmaV: Double = 1, sigmaA: Double = 0, p0: Double = 1,
                e0: Double = 0.5, inputMean: Double = 0, depth: Int, sublayers: Int = 2,
                skipGamma: Double = .infinity, bnEpsilon: Double? = nil,
                weights: WeightDistribution = .gaussian, zeroBranches: Bool = false,
                inputs: InputDistribution = .structured, softRankTau: Double = 0.5) {
        self.architecture = architecture
        self.activation = activation
        self.sigmaW = sigmaW
        self.sigmaB = sigmaB
        self.sigmaV = sigmaV
        self.sigmaA = sigmaA
        self.p0 = p0
        self.e0 = e0
        self.inputMean = inputMean
        self.depth = depth
        self.sublayers = sublayers
        self.skipGamma = skipGamma
        self.bnEpsilon = bnEpsilon
        self.weights = weights
        self.zeroBranches = zeroBranches
        self.inputs = inputs
        self.softRankTau = softRankTau
    }

    /// The same network as an engine configuration describes it (ff, rrn, frn).
    public init(_ network: NetworkConfiguration) {
        self.init(architecture: ArchitectureName(network.architecture),
                  activation: network.activation, sigmaW: network.sigmaW,
                  sigmaB: network.sigmaB, sigmaV: network.sigmaV, sigmaA: network.sigmaA,
                  p0: network.p0, e0: network.e0, inputMean: network.inputMean,
                  depth: network.depth)
    }

    public var epsilon: Double { bnEpsilon ?? (architecture == .bnChain ? 0 : 1e-3) }

    /// The input parameters as `InputBatch` reads them (the architecture is not used).
    var inputConfiguration: NetworkConfiguration {
        NetworkConfiguration(architecture: .feedforward, activation: activation, sigmaW: sigmaW,
                             sigmaB: sigmaB, sigmaV: sigmaV, sigmaA: sigmaA, p0: p0, e0: e0,
                             inputMean: inputMean, depth: depth)
    }

    /// Weight matrices of one run, each with its own random stream.
    var weightLayers: Int { architecture == .bnRes ? depth * sublayers : depth }

    /// Checks the parameters on their own and against the batch and width.
    public func validate(width: Int, batch: Int) throws {
        try inputConfiguration.validate()
        if architecture.isBatchNormalized && batch < 2 {
            throw InvalidParameter(option: "batch", value: batch, reason:
                "must be at least 2 for \(architecture.rawValue): batch norm normalizes each channel over the batch")
        }
        guard sublayers >= 1 else {
            throw InvalidParameter(option: "sublayers", value: sublayers,
                                   reason: "must be at least 1 (sub-layers per residual unit)")
        }
        guard !skipGamma.isNaN, skipGamma >= 0 else {
            throw InvalidParameter(option: "skip-gamma", value: skipGamma,
                                   reason: "must be >= 0, or inf for no skip connection")
        }
        guard softRankTau.isFinite, softRankTau > 0, softRankTau <= 1 else {
            throw InvalidParameter(option: "soft-rank-tau", value: softRankTau,
                                   reason: "must lie in (0, 1]")
        }
        if let bnEpsilon {
            guard bnEpsilon.isFinite, bnEpsilon >= 0 else {
                throw InvalidParameter(option: "bn-epsilon", value: bnEpsilon,
                                       reason: "must be a finite number >= 0")
            }
        }
        if architecture.isChain && sigmaB != 0 {
            throw InvalidParameter(option: "sigma-b", value: sigmaB, reason:
                "the chains H <- N(H + gamma phi(W H)) have no bias (Daneshmand et al. 2020)")
        }
        if zeroBranches && architecture != .frn && architecture != .bnRes {
            throw InvalidParameter(option: "zero-branches", value: architecture.rawValue, reason:
                "applies to frn and bn-res, whose branches end in a weight matrix")
        }
        if weights == .looksLinear {
            guard architecture == .ff, activation is ReLU else {
                throw InvalidParameter(option: "weights", value: weights.rawValue, reason:
                    "looks-linear needs --arch ff --activation relu (Blumenfeld et al. 2020)")
            }
            guard width % 2 == 0 else {
                throw InvalidParameter(option: "width", value: width,
                                       reason: "must be even for looks-linear weights ([x; -x])")
            }
            guard sigmaB == 0 else {
                throw InvalidParameter(option: "sigma-b", value: sigmaB,
                                       reason: "must be 0 for looks-linear weights")
            }
        }
        let inputWidth = weights == .looksLinear ? width / 2 : width
        if inputs == .structured {
            try InputBatch.validate(configuration: inputConfiguration, batch: batch)
            let minimum = InputBatch.minimumWidth(configuration: inputConfiguration, batch: batch)
            guard inputWidth >= minimum else {
                throw InvalidParameter(option: "width", value: width, reason:
                    "must be at least \(weights == .looksLinear ? 2 * minimum : minimum) for "
                        + "\(batch) structured inputs (or use --inputs gaussian)")
            }
        }
    }
}

/// One network of the batch engine: the batch's signal x and its first-order noise dx
/// propagated together (Labatie 2019 eqs. 1-2, 9-12), measured after every layer.
///
/// The state is one N x 2M block: signal in columns 0..<M, noise in M..<2M, so one weight
/// product serves both. Batch norm is in test mode, its statistics those of the batch
/// (Labatie section 6): z = (y - m_c)/sqrt(v_c + eps), dz = dy/sqrt(v_c + eps). The noise is
/// linear in dx^0, so it is rescaled to mean square 1 after every layer and the factor kept
/// in log space (S reaches 1e13 and beyond, dx itself would leave the double range).
struct BatchNetworkRun {
    let configuration: BatchNetworkConfiguration
    let options: SimulationOptions
    let run: Int
    let progress: (@Sendable (Int) -> Void)?
    /// Time the parts of the run (`CostLedger`).
    var timing = false
    /// Start from these N x M blocks (column-major signal and noise) instead of the generated
    /// inputs: tests compare the noise with finite differences.
    var presetInputs: (signal: [Double], noise: [Double])? = nil

    func simulate() -> (RunTrace, CostLedger) {
        let ledger = CostLedger(enabled: timing)
        var state = RunState(configuration: configuration, options: options, run: run,
                             ledger: ledger)
        return (state.simulate(progress: progress, preset: presetInputs), ledger)
    }

    /// The trace, the final signal and the final noise at its true scale.
    func propagate() -> (trace: RunTrace, signal: [Double], noise: [Double]) {
        var state = RunState(configuration: configuration, options: options, run: run,
                             ledger: CostLedger(enabled: false))
        let trace = state.simulate(progress: nil, preset: presetInputs)
        let count = state.n * state.m
        let signal = Array(UnsafeBufferPointer(start: state.signal(state.state), count: count))
        let scale = exp(0.5 * state.noiseLogOffset)
        let noise = Array(UnsafeBufferPointer(start: state.noise(state.state), count: count)).map { $0 * scale }
        return (trace, signal, noise)
    }
}

/// The mutable side of a run: blocks, products, measurements and the trace.
private struct RunState {
    let configuration: BatchNetworkConfiguration
    let options: SimulationOptions
    let run: Int
    let n: Int
    let m: Int
    let seed: UInt64
    let kernel: ActivationKernel
    let ledger: CostLedger
    let product: BatchWeightProduct
    let measurements: BatchMeasurements
    /// Signal and noise of the layer's output (N x 2M).
    let state: Block
    /// Working blocks: pre-activations, branch, activation values.
    let pre: Block
    let branch: Block
    let derivative: Block
    let biasScratch: Block
    var trace: RunTrace
    /// ln mu_2 of the true noise = noiseLogOffset + ln(mean square of the stored noise).
    var noiseLogOffset = 0.0
    var logChiInput = Double.nan
    var logChiPrevious = Double.nan

    init(configuration: BatchNetworkConfiguration, options: SimulationOptions, run: Int,
         ledger: CostLedger) {
        self.ledger = ledger
        self.configuration = configuration
        self.options = options
        self.run = run
        n = options.width
        m = options.batch
        seed = UInt64(options.seed)
        kernel = ActivationKernel(activation: configuration.activation)
        product = BatchWeightProduct(width: n, columns: 2 * m, distribution: configuration.weights,
                                     mode: options.mode, seed: seed, run: run, ledger: ledger)
        measurements = BatchMeasurements(channels: n, batch: m, ledger: ledger)
        state = Block(rows: n, columns: 2 * m)
        pre = Block(rows: n, columns: 2 * m)
        branch = Block(rows: n, columns: 2 * m)
        derivative = Block(rows: n, columns: m)
        biasScratch = Block(rows: n, columns: 1)
        trace = RunTrace(run: run, depth: configuration.depth, quantities: BatchQuantity.all)
    }

    func signal(_ block: Block) -> UnsafeMutablePointer<Double> { block.data }
    func noise(_ block: Block) -> UnsafeMutablePointer<Double> { block.data + n * m }

    // MARK: The forward pass

    mutating func simulate(progress: (@Sendable (Int) -> Void)?,
                           preset: (signal: [Double], noise: [Double])?) -> RunTrace {
        if let preset {
            signal(state).update(from: preset.signal, count: n * m)
            noise(state).update(from: preset.noise, count: n * m)
        } else {
            makeInputs()
        }
        guard recordLayer(0, rankSignal: signal(state), rankNoise: noise(state)) else {
            trace.forwardOverflowLayer = 0
            progress?(configuration.depth)
            return trace
        }
        let depth = configuration.depth
        for layer in 1...depth {
            let regular: Bool
            switch configuration.architecture {
            case .ff, .rrn, .frn: regular = denseLayer(layer)
            case .bnFF: regular = batchNormLayer(layer)
            case .bnRes: regular = residualUnit(layer)
            case .bnChain, .linearChain: regular = chainLayer(layer)
            }
            progress?(1)
            if !regular {
                trace.forwardOverflowLayer = layer
                progress?(depth - layer)
                return trace
            }
        }
        return trace
    }

    /// x^0 and dx^0 ~ N(0, I) per input; looks-linear nets get x^0 = phi([u; -u]) and its
    /// noise from du, so that their pre-activations are [v; -v] (Blumenfeld et al. 2020).
    mutating func makeInputs() {
        let looksLinear = configuration.weights == .looksLinear
        let width = looksLinear ? n / 2 : n
        let base: Block
        switch configuration.inputs {
        case .structured:
            base = InputBatch.make(configuration: configuration.inputConfiguration, width: width,
                                   batch: m, seed: seed, run: run)
        case .gaussian:
            base = Block(rows: width, columns: m)
            GaussianStream(seed: seed, run: run, layer: 0, role: .inputDirections)
                .fill(base.data, count: width * m, scale: configuration.p0.squareRoot())
        }
        let baseNoise = Block(rows: width, columns: m)
        GaussianStream(seed: seed, run: run, layer: 0, role: .inputNoise)
            .fill(baseNoise.data, count: width * m)
        if !looksLinear {
            signal(state).update(from: base.data, count: n * m)
            noise(state).update(from: baseNoise.data, count: n * m)
            return
        }
        for k in 0..<m {
            let u = base.column(k)
            let du = baseNoise.column(k)
            let x = signal(state) + k * n
            let dx = noise(state) + k * n
            for i in 0..<width {
                let positive = u[i] > 0
                x[i] = positive ? u[i] : 0
                x[i + width] = positive ? 0 : -u[i]
                // phi'(u) du and phi'(-u) (-du), with ReLU' = 1 on (0, inf) only.
                dx[i] = positive ? du[i] : 0
                dx[i + width] = u[i] < 0 ? -du[i] : 0
            }
        }
    }

    // MARK: Architectures

    /// pre = W x + b (no bias for chains) and what is measured on it: q, c and the
    /// standardized moments (the activation's input before any normalization).
    func preActivate(_ layer: Int) -> LayerExtras {
        let c = configuration
        product.apply(.w, layer: layer, input: state, output: pre,
                      scale: scale(c.sigmaW), accumulate: false)
        addBias(to: pre, sigma: c.sigmaB, role: .biasB, layer: layer)
        var extras = LayerExtras()
        extras.preActivation(pre, n: n)
        extras.standardized = measurements.standardizedMoments(signal(pre))
        return extras
    }

    /// ff, rrn, frn: h = W x + b; ff x = phi(h), rrn x += phi(h), frn x += V phi(h) + a.
    mutating func denseLayer(_ layer: Int) -> Bool {
        let c = configuration
        var extras = preActivate(layer)
        let logChiPre = logChi(pre)
        activate(pre, into: branch)
        switch c.architecture {
        case .ff:
            extras.bnFactor = exp(logChiPre - logChiPrevious)
            extras.phiFactor = exp(logChi(branch) - logChiPre)
            ledger.measure(.network) { state.copy(from: branch) }
        case .rrn:
            ledger.measure(.network) {
                cblas_daxpy(Int32(state.count), 1, branch.data, 1, state.data, 1)
            }
        default:
            if !c.zeroBranches {
                product.apply(.v, layer: layer, input: branch, output: state,
                              scale: scale(c.sigmaV), accumulate: true)
                addBias(to: state, sigma: c.sigmaA, role: .biasA, layer: layer)
            }
        }
        return recordLayer(layer, rankSignal: signal(state), rankNoise: noise(state), extras)
    }

    /// bn-ff (Labatie section 6): y = W x + b, z = BN(y), x = phi(z).
    mutating func batchNormLayer(_ layer: Int) -> Bool {
        var extras = preActivate(layer)
        normalize(pre, centering: true)
        let logChiZ = logChi(pre)
        activate(pre, into: state)
        extras.bnFactor = exp(logChiZ - logChiPrevious)
        extras.phiFactor = exp(logChi(state) - logChiZ)
        return recordLayer(layer, rankSignal: signal(state), rankNoise: noise(state), extras)
    }

    /// bn-res unit (Labatie section 7, pre-activation units): the branch runs H sub-layers
    /// z = BN(y), x = phi(z), y = W x, and y^l = y^{l-1} + y^{l,H}. The sensitivity split and
    /// the effective rank describe the first sub-layer, as Labatie's Fig. 5.
    mutating func residualUnit(_ layer: Int) -> Bool {
        let c = configuration
        let h = c.sublayers
        var extras = LayerExtras()
        ledger.measure(.network) { branch.copy(from: state) }
        for sublayer in 1...h {
            if sublayer == 1 { extras.standardized = measurements.standardizedMoments(signal(branch)) }
            normalize(branch, centering: true)
            let logChiZ = sublayer == 1 ? logChi(branch) : 0
            activate(branch, into: pre)
            if sublayer == 1 {
                // x^{l,1} is measured now: `pre` is reused by the next sub-layer.
                extras.effRank = measurements.effectiveRank(signal(pre))
                extras.effRankNoise = measurements.effectiveRank(noise(pre))
            }
            if c.zeroBranches && sublayer == h {
                ledger.measure(.network) { branch.data.update(repeating: 0, count: branch.count) }
            } else {
                product.apply(.w, layer: (layer - 1) * h + sublayer, input: pre, output: branch,
                              scale: scale(c.sigmaW), accumulate: false)
                addBias(to: branch, sigma: c.sigmaB, role: .biasB, layer: (layer - 1) * h + sublayer)
            }
            if sublayer == 1 {
                let logChiBranch = logChi(branch)
                extras.bnFactor = exp(logChiZ - logChiPrevious)
                extras.phiFactor = exp(logChiBranch - logChiZ)
                extras.sublayerFactor = exp(logChiBranch - logChiPrevious)
            }
        }
        ledger.measure(.network) {
            cblas_daxpy(Int32(state.count), 1, branch.data, 1, state.data, 1)
        }
        return recordLayer(layer, rankSignal: nil, rankNoise: nil, extras)
    }

    /// Chains (Daneshmand et al. 2020 eq. 2 with an activation): P = W H, T = phi(P) for
    /// gamma = inf, else H + gamma phi(P); bn-chain divides each row by its RMS over the batch
    /// (batch norm without centering), linear-chain keeps T.
    mutating func chainLayer(_ layer: Int) -> Bool {
        let c = configuration
        let extras = preActivate(layer)
        if c.skipGamma.isInfinite {
            activate(pre, into: state)
        } else {
            activate(pre, into: branch)
            ledger.measure(.network) {
                cblas_daxpy(Int32(state.count), c.skipGamma, branch.data, 1, state.data, 1)
            }
        }
        if c.architecture == .bnChain { normalize(state, centering: false) }
        return recordLayer(layer, rankSignal: signal(state), rankNoise: noise(state), extras)
    }

    // MARK: Steps

    /// Entry scale of the product: sigma/sqrt(N) for Gaussian entries, sigma for orthogonal.
    func scale(_ sigma: Double) -> Double {
        configuration.weights == .gaussian ? sigma / Double(n).squareRoot() : sigma
    }

    /// A bias N(0, sigma^2) per channel, shared by the batch, on the signal only.
    func addBias(to block: Block, sigma: Double, role: RandomRole, layer: Int) {
        guard sigma > 0 else { return }
        ledger.measure(.randomNumbers) {
            GaussianStream(seed: seed, run: run, layer: layer, role: role)
                .fill(biasScratch.data, count: n, scale: sigma)
        }
        ledger.measure(.network) {
            for k in 0..<m { cblas_daxpy(Int32(n), 1, biasScratch.data, 1, block.column(k), 1) }
        }
    }

    /// x = phi(h), dx = phi'(h) dh, from `input` into `output`.
    func activate(_ input: Block, into output: Block) {
        ledger.measure(.network) { activateUntimed(input, into: output) }
    }

    private func activateUntimed(_ input: Block, into output: Block) {
        let count = n * m
        kernel.values(signal(input), into: signal(output), count: count)
        kernel.derivatives(signal(input), into: derivative.data, count: count)
        let d = derivative.data
        let dIn = noise(input)
        let dOut = noise(output)
        for i in 0..<count { dOut[i] = d[i] * dIn[i] }
    }

    /// Test-mode batch norm in place: per channel, z = (y - m)/sqrt(v + eps) and
    /// dz = dy/sqrt(v + eps); without centering (bn-chain) m = 0 and v is the mean square.
    /// A channel with v + eps = 0 (constant zero) is set to zero.
    func normalize(_ block: Block, centering: Bool) {
        ledger.measure(.network) { normalizeUntimed(block, centering: centering) }
    }

    private func normalizeUntimed(_ block: Block, centering: Bool) {
        let epsilon = configuration.epsilon
        let x = signal(block)
        let dx = noise(block)
        var means = [Double](repeating: 0, count: n)
        var squares = [Double](repeating: 0, count: n)
        if centering {
            for k in 0..<m {
                let column = x + k * n
                for i in 0..<n { means[i] += column[i] }
            }
            for i in 0..<n { means[i] /= Double(m) }
        }
        for k in 0..<m {
            let column = x + k * n
            for i in 0..<n {
                let d = column[i] - means[i]
                squares[i] += d * d
            }
        }
        var factors = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let v = squares[i] / Double(m) + epsilon
            factors[i] = v > 0 ? 1 / v.squareRoot() : 0
        }
        for k in 0..<m {
            let column = x + k * n
            let noiseColumn = dx + k * n
            for i in 0..<n {
                column[i] = (column[i] - means[i]) * factors[i]
                noiseColumn[i] *= factors[i]
            }
        }
    }

    /// ln chi of a block: (1/2) ln(mu_2(dx)/mu_2(x)) with the noise's true scale.
    func logChi(_ block: Block) -> Double {
        let signalMoment = measurements.centralSecondMoment(signal(block))
        let noiseMoment = measurements.meanSquare(noise(block))
        guard signalMoment > 0, noiseMoment > 0 else { return .nan }
        return 0.5 * (noiseLogOffset + log(noiseMoment) - log(signalMoment))
    }

    // MARK: Measurements

    /// Writes the layer's values; false if the signal overflowed. `rankSignal`: the tensor of
    /// the effective ranks (nil: already in `extras`, bn-res).
    mutating func recordLayer(_ layer: Int, rankSignal: UnsafeMutablePointer<Double>?,
                              rankNoise: UnsafeMutablePointer<Double>?,
                              _ extras: LayerExtras = LayerExtras()) -> Bool {
        let x = signal(state)
        let first = x
        let second = x + n
        var sumFirst = 0.0, sumSecond = 0.0, sumCross = 0.0, sumDifference = 0.0
        ledger.measure(.moments) {
            for i in 0..<n {
                let a = first[i]
                let b = second[i]
                let d = a - b
                sumFirst += a * a
                sumSecond += b * b
                sumCross += a * b
                sumDifference += d * d
            }
        }
        let width = Double(n)
        let p = sumFirst / width
        let pPrime = sumSecond / width
        let gamma = sumCross / width
        let s = sumDifference / width
        let nu2 = measurements.meanSquare(x)
        guard NetworkRun.isRegular(p), NetworkRun.isRegular(pPrime), NetworkRun.isRegular(gamma),
              NetworkRun.isRegular(s), NetworkRun.isRegular(nu2) else { return false }
        trace.set(.p, layer: layer, p)
        trace.set(.gamma, layer: layer, gamma)
        trace.set(.e, layer: layer, p > 0 && pPrime > 0 ? gamma / (p * pPrime).squareRoot() : .nan)
        trace.set(.s, layer: layer, s)
        trace.set(.nu2, layer: layer, nu2)
        trace.set(.mu2, layer: layer, measurements.centralSecondMoment(x))

        // The sensitivity, then the noise back to mean square 1.
        let logChiHere = logChi(state)
        if layer == 0 { logChiInput = logChiHere }
        trace.set(.logSensitivity, layer: layer, logChiHere - logChiInput)
        if layer > 0 {
            trace.set(.sensitivityFactor, layer: layer, exp(logChiHere - logChiPrevious))
        }
        logChiPrevious = logChiHere
        let noiseMoment = measurements.meanSquare(noise(state))
        if noiseMoment > 0 && noiseMoment.isFinite {
            ledger.measure(.network) {
                cblas_dscal(Int32(n * m), 1 / noiseMoment.squareRoot(), noise(state), 1)
            }
            noiseLogOffset += log(noiseMoment)
        } else {
            noiseLogOffset = .nan
        }

        if let rankSignal, let rankNoise {
            trace.set(.effRank, layer: layer, measurements.effectiveRank(rankSignal))
            trace.set(.effRankNoise, layer: layer, measurements.effectiveRank(rankNoise))
        } else {
            trace.set(.effRank, layer: layer, extras.effRank)
            trace.set(.effRankNoise, layer: layer, extras.effRankNoise)
        }
        let ranks = measurements.rankMeasures(x, tau: configuration.softRankTau)
        trace.set(.rankProxy, layer: layer, ranks.proxy)
        trace.set(.softRank, layer: layer, ranks.soft)
        if layer > 0 {
            trace.set(.nu1, layer: layer, extras.standardized.nu1)
            trace.set(.mu4, layer: layer, extras.standardized.mu4)
            trace.set(.q, layer: layer, extras.q)
            trace.set(.c, layer: layer, extras.c)
            trace.set(.bnFactor, layer: layer, extras.bnFactor)
            trace.set(.phiFactor, layer: layer, extras.phiFactor)
            trace.set(.sublayerFactor, layer: layer, extras.sublayerFactor)
        }
        return true
    }
}

/// Values a layer measures on its way (NaN where they do not apply).
private struct LayerExtras {
    var standardized: (nu1: Double, mu4: Double) = (.nan, .nan)
    var q = Double.nan
    var c = Double.nan
    var bnFactor = Double.nan
    var phiFactor = Double.nan
    var sublayerFactor = Double.nan
    var effRank = Double.nan
    var effRankNoise = Double.nan

    /// q = |h|^2/N of input 1 and c, the cosine of inputs 1 and 2, of the pre-activations.
    mutating func preActivation(_ block: Block, n: Int) {
        let first = block.column(0)
        let second = block.column(1)
        let q1 = Vectors.dot(first, first, count: n)
        let q2 = Vectors.dot(second, second, count: n)
        q = q1 / Double(n)
        c = q1 > 0 && q2 > 0 ? Vectors.dot(first, second, count: n) / (q1 * q2).squareRoot() : .nan
    }
}
