import ArgumentParser
import Foundation
import MeanFieldSimulation

extension SimulationMode: ExpressibleByArgument {}
extension BackwardWeights: ExpressibleByArgument {}

/// Monte Carlo options shared by simulate and compare (shared/CLI.md).
struct SimulationArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Width N (units per layer).")
    var width: Int = 1000

    @Option(parsing: .unconditional, help: "Number of independent runs R.")
    var runs: Int = 20

    @Option(parsing: .unconditional, help: "Random seed (>= 0); the results depend on it only.")
    var seed: Int = SimulationOptions.defaultSeed

    @Option(help: "Weight sampling: conditional (O(N) per layer, default) or dense (O(N^2)).")
    var mode: SimulationMode = .conditional

    @Option(help: "Backward weights: tied (true backprop, default) or independent (mean-field assumption).")
    var backward: BackwardWeights = .tied

    @Option(parsing: .unconditional, help: "Worker threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    var options: SimulationOptions {
        SimulationOptions(width: width, runs: runs, seed: seed, mode: mode, backward: backward,
                          threads: threads)
    }
}
