import COpenBLAS
import Dispatch
import Foundation
import MeanFieldCore
import Synchronization

/// The finite-width Monte Carlo simulator: R independent networks of width N, per-layer
/// statistics over runs.
///
///     let simulator = try Simulator(configuration: config, options: SimulationOptions(width: 1000, runs: 20))
///     let result = simulator.run()
///     result.statistics(.p)[10].mean
///
/// Runs go to `options.threads` workers; each run depends only on (seed, run index), and the
/// statistics combine runs in index order, so the numbers do not depend on the thread count.
public struct Simulator: Sendable {
    public let configuration: NetworkConfiguration
    public let options: SimulationOptions
    /// Conditional tied mode: keep Z instead of regenerating it (decided from memory; the
    /// numbers are the same either way).
    public var storesNormals: Bool

    /// Throws `InvalidParameter` for options outside their domain or a run too large for
    /// this machine's memory.
    public init(configuration: NetworkConfiguration, options: SimulationOptions,
                availableMemory: Int? = SystemMemory.available()) throws {
        try options.validate(for: configuration, availableMemory: availableMemory)
        self.configuration = configuration
        self.options = options
        storesNormals = options.storesNormals(for: configuration, availableMemory: availableMemory)
    }

    /// Total progress units reported through `run(progress:)`.
    public var progressUnits: Int { options.runs * NetworkRun.progressUnits(depth: configuration.depth) }

    public func run(progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        // Parallelism is over runs; a multithreaded BLAS inside would oversubscribe the cores
        // for these small products.
        openblas_set_num_threads(1)
        let runs = options.runs
        let nextRun = Atomic<Int>(0)
        let traces = Mutex([RunTrace?](repeating: nil, count: runs))
        let configuration = self.configuration
        let options = self.options
        let storesNormals = self.storesNormals
        DispatchQueue.concurrentPerform(iterations: options.concurrentRuns) { _ in
            let arena = BlockArena()
            while true {
                let run = nextRun.add(1, ordering: .relaxed).oldValue
                guard run < runs else { return }
                let trace = NetworkRun(configuration: configuration, options: options, run: run,
                                       storesNormals: storesNormals, arena: arena,
                                       progress: progress).simulate()
                traces.withLock { $0[run] = trace }
            }
        }
        let collected = traces.withLock { $0.map { $0! } }
        return SimulationResult(configuration: configuration, options: options, traces: collected)
    }
}
