import Foundation
import MeanFieldCore

/// How the weights are sampled (Docs/simulator.md).
public enum SimulationMode: String, CaseIterable, Sendable {
    /// Every weight drawn; products through BLAS. O(N^2) per layer.
    case dense
    /// Only the products with the layer's inputs, drawn from their exact conditional law.
    /// O(N B^2) per layer.
    case conditional
}

/// The weights of the backward pass.
public enum BackwardWeights: String, CaseIterable, Sendable {
    /// The forward weights: true backpropagation.
    case tied
    /// Fresh independent copies of W and V: the gradient-independence assumption of
    /// mean-field theory (THEORY.md section 3).
    case independent
}

/// Monte Carlo settings; the network itself is a `NetworkConfiguration`.
public struct SimulationOptions: Sendable {
    public static let defaultSeed = 20_171_221

    /// N, the number of units per layer.
    public var width: Int
    /// R, the number of independent networks.
    public var runs: Int
    public var seed: Int
    /// Conditional by default: exact in distribution and O(N) per layer.
    public var mode: SimulationMode
    public var backward: BackwardWeights
    /// Worker threads; the results do not depend on it.
    public var threads: Int
    /// Inputs propagated together (2: the pair x, x' whose correlation the statistics track).
    public var batch: Int
    /// Keep every run's per-layer values in the result (tests, per-run analyses).
    public var keepRunTraces: Bool
    /// Conditional mode with a pair of inputs takes the fused path (PairConditionalRun);
    /// tests turn it off to compare with the general path on the same random numbers.
    var fusedPairPath = true

    public init(width: Int, runs: Int, seed: Int = SimulationOptions.defaultSeed,
                mode: SimulationMode = .conditional, backward: BackwardWeights = .tied,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, batch: Int = 2,
                keepRunTraces: Bool = false) {
        self.width = width
        self.runs = runs
        self.seed = seed
        self.mode = mode
        self.backward = backward
        self.threads = threads
        self.batch = batch
        self.keepRunTraces = keepRunTraces
    }

    /// Checks the options on their own and against the configuration and this machine's memory.
    public func validate(for configuration: NetworkConfiguration,
                         availableMemory: Int? = SystemMemory.available()) throws {
        guard width >= 2 else {
            throw InvalidParameter(option: "width", value: width, reason: "must be at least 2")
        }
        guard runs >= 1 else {
            throw InvalidParameter(option: "runs", value: runs, reason: "must be at least 1")
        }
        guard seed >= 0 else {
            throw InvalidParameter(option: "seed", value: seed, reason: "must be >= 0")
        }
        guard threads >= 1 else {
            throw InvalidParameter(option: "threads", value: threads, reason: "must be at least 1")
        }
        guard batch >= 2 else {
            throw InvalidParameter(option: "batch", value: batch, reason: "must be at least 2")
        }
        try configuration.validate()
        try InputBatch.validate(configuration: configuration, batch: batch)
        let minimumWidth = InputBatch.minimumWidth(configuration: configuration, batch: batch)
        guard width >= minimumWidth else {
            throw InvalidParameter(option: "width", value: width, reason:
                "must be at least \(minimumWidth) for \(batch) inputs with mean m0 != 0")
        }
        if let availableMemory {
            let needed = estimatedMemory(for: configuration, storingNormals: false)
            if needed > availableMemory {
                throw InvalidParameter(
                    option: "width", value: width,
                    reason: "a \(mode.rawValue) run at depth \(configuration.depth) with "
                        + "\(concurrentRuns) runs in parallel needs about \(Self.gibibytes(needed)) "
                        + "of memory, but only \(Self.gibibytes(availableMemory)) is available "
                        + "(reduce --width, --depth or --threads)")
            }
        }
    }

    var concurrentRuns: Int { min(threads, runs) }

    /// Keep Z rather than regenerate it when that fits in half the available memory: fewer
    /// random numbers, the same results.
    func storesNormals(for configuration: NetworkConfiguration, availableMemory: Int?) -> Bool {
        guard mode == .conditional && backward == .tied else { return false }
        guard let availableMemory else { return false }
        return estimatedMemory(for: configuration, storingNormals: true) <= availableMemory / 2
    }

    /// Bytes for the whole simulation: the per-layer state each run in flight keeps for its
    /// backward pass (phi'(h) of input 1, and in conditional tied mode the basis Q of each
    /// weight's inputs), its working blocks and dense panel, and the per-run results.
    /// `storingNormals`: conditional tied mode also keeps Z (same size as Q).
    public func estimatedMemory(for configuration: NetworkConfiguration,
                                storingNormals: Bool) -> Int {
        let depth = configuration.depth
        let matrices = configuration.architecture == .fullResidual ? 2 : 1
        var perRun = depth * width                                  // phi'(h) per layer
        if mode == .conditional && backward == .tied {
            let blocks = storingNormals ? 2 : 1                     // Q, and Z if kept
            perRun += blocks * depth * matrices * width * batch
        }
        perRun += 10 * width * batch                                // working blocks
        if mode == .dense {
            perRun += DenseWeightSampling.panelRows(width: width) * width
        }
        let results = runs * (depth + 1) * SimulatedQuantity.standard.count
        return 8 * (concurrentRuns * perRun + results)
    }

    static func gibibytes(_ bytes: Int) -> String {
        String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}

/// Memory the kernel reports as available for new allocations.
public enum SystemMemory {
    /// MemAvailable from /proc/meminfo in bytes; nil where it cannot be read.
    public static func available() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else {
            return nil
        }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes * 1024 }
        }
        return nil
    }
}
