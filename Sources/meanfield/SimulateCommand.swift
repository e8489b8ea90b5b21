import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldSimulation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Finite-width Monte Carlo: mean and spread over runs, per layer.",
        discussion: """
            Propagates two inputs (p0, e0) through R random networks of width N, and a random \
            read-out gradient back. Per layer: mean and standard deviation over runs (the \
            spread of the runs, not of the mean) of p, gamma, e = gamma/sqrt(p p'), s, \
            chi^l/chi^L, ln(chi^l/chi^L) and the parameter-gradient log ratios; `runs` and \
            `chi_runs` count the runs behind each row (runs that overflow drop out).

            Modes: conditional (default) samples only the products of the weights with the \
            layer's inputs, from their exact conditional law: O(N) per layer, widths of 1e6 \
            are cheap. dense draws every weight (O(N^2) per layer), as a check. Both are \
            exact in distribution; results depend on --seed only, not on --threads.

            Batch engine (Docs/companion-papers.md): --arch bn-ff, bn-res, bn-chain, \
            linear-chain, or --batch M, --weights orthogonal|looks-linear, --inputs gaussian, \
            --regime, --timing: M inputs and a first-order noise, forward only; extra columns \
            log_sensitivity, sensitivity_factor, eff_rank, mu4, nu1, rank_proxy, soft_rank (and \
            bn_factor, phi_factor, sublayer_factor, eff_rank_noise, nu2, mu2, q, c), each with \
            _mean and _std; the gradient columns are empty.

            Examples:
              meanfield simulate --arch frn --activation tanh --depth 200 --width 1000 --runs 20 --format csv
              meanfield simulate --arch ff --activation relu --sigma-w 1.41421356 --width 100000 --runs 50
              meanfield simulate --arch rrn --activation relu --backward independent --depth 50 --output sim.csv --format csv
              meanfield simulate --arch bn-ff --activation relu --sigma-w 1.41421356 --width 512 --batch 64 --depth 200 --regime
              meanfield simulate --arch bn-chain --activation linear --width 32 --batch 32 --inputs gaussian --depth 200 --format csv
            """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup(title: "Batch-norm and rank architectures (Docs/companion-papers.md)")
    var batchEngine: BatchSimulateOptions

    @OptionGroup var simulation: SimulationArguments

    func run() throws {
        if batchEngine.selectsBatchEngine(network) {
            try batchEngine.runBatch(network: network, output: output, options: simulation.options)
            return
        }
        try batchEngine.checkApplicability(network)
        var configuration = try network.configuration()
        if batchEngine.zeroBranches {
            // Zero-initialized branches of frn: V = 0 and a = 0 make every update exactly 0.
            guard configuration.architecture == .fullResidual else {
                throw InvalidParameter(option: "zero-branches", value: network.arch.rawValue,
                                       reason: "applies to frn and bn-res, whose branches end in a weight matrix")
            }
            configuration.sigmaV = 0
            configuration.sigmaA = 0
        }
        let keep = try output.layerSelection(depth: configuration.depth)
        let simulator = try Simulator(configuration: configuration, options: simulation.options)
        let bar = ProgressBar(total: simulator.progressUnits, label: "simulate")
        let result = simulator.run(progress: { bar.advance(by: $0) })
        bar.finish()
        for warning in result.warnings { CommandLineRunner.printWarning(warning) }
        let text: String
        switch output.format {
        case .csv: text = result.table(keepLayer: keep).csv()
        case .json: text = result.json(keepLayer: keep).serialized(pretty: true) + "\n"
        case .table: text = result.table(keepLayer: keep).text(digits: 6)
        }
        try output.destination.write(text)
    }
}
