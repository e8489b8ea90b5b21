import Benchmark
import MeanFieldCore
import MeanFieldTheory

/// The analytic engine: whole curves (every column, forward and backward), as `theory`
/// computes them, without output formatting.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal], maxDuration: .seconds(20),
                                           maxIterations: 20)

    func curve(_ name: String, _ config: NetworkConfiguration) {
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try TheoryEngine(configuration: config).run())
            }
        }
    }

    curve("tanh FRN, 1e5 layers", NetworkConfiguration(architecture: .fullResidual, activation: Tanh(), depth: 100_000))
    curve("alpha-ReLU FRN (alpha 0.75), 1e5 layers",
          NetworkConfiguration(architecture: .fullResidual, activation: AlphaReLU(alpha: 0.75), depth: 100_000))
    curve("ReLU FRN, 1e5 layers (log-scaled state)",
          NetworkConfiguration(architecture: .fullResidual, activation: ReLU(), sigmaW: 0.3, sigmaV: 0.3, depth: 100_000))
    curve("erf FRN, 1e5 layers", NetworkConfiguration(architecture: .fullResidual, activation: Erf(), depth: 100_000))
    curve("tanh FRN, 200 layers (general path at small q)",
          NetworkConfiguration(architecture: .fullResidual, activation: Tanh(), depth: 200))
    curve("tanh FF, 200 layers", NetworkConfiguration(architecture: .feedforward, activation: Tanh(),
                                                        sigmaW: 1.5, sigmaB: 0.3, depth: 200))
    curve("GELU FRN, 100 layers (general quadrature)",
          NetworkConfiguration(architecture: .fullResidual, activation: GELU(), depth: 100))
}
