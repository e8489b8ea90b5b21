import Foundation
import MeanFieldCore
import MeanFieldIO
import Testing
@testable import MeanFieldSimulation

@Suite struct SimulatorBehaviourTests {
    /// The same seed gives the same numbers for any thread count, in both modes.
    @Test(arguments: [SimulationMode.dense, .conditional])
    func resultsDoNotDependOnThreads(mode: SimulationMode) throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                          sigmaW: 1.2, sigmaB: 0.1, sigmaV: 1, sigmaA: 0.2, depth: 8)
        let outputs = try [1, 2, 3, 7].map { threads in
            try simulate(config, width: 40, runs: 7, mode: mode, backward: .tied, threads: threads)
                .table().csv()
        }
        #expect(Set(outputs).count == 1)
        let other = try simulate(config, width: 40, runs: 7, seed: 8, mode: mode).table().csv()
        #expect(other != outputs[0])
    }

    /// e = gamma / sqrt(p p') stays a cosine for lengths near either end of the double range,
    /// where p p' itself would overflow or underflow.
    @Test(arguments: [1e200, 1e-200, 1.0])
    func correlationOfExtremeLengths(scale: Double) {
        var trace = RunTrace(run: 0, depth: 1, quantities: SimulatedQuantity.standard)
        var lengths = [Double](repeating: .nan, count: 2)
        let n = 10.0
        #expect(NetworkRun.recordForward(layer: 1, sumFirst: n * scale, sumSecond: 4 * n * scale,
                                         sumCross: 1.8 * n * scale, sumDifference: n * scale,
                                         width: 10, &trace, &lengths))
        let e = trace[.e]![1]
        #expect(abs(e - 0.9) <= 1e-15, "e = \(e) at scale \(scale)")
    }

    /// A ReLU FRN with large weights leaves the double range: the overflowing runs keep their
    /// earlier layers, later rows use the others, nothing is NaN, and a warning says so.
    @Test func overflowingRunsDropOut() throws {
        // p grows like (1 + r)^l with r = sigma_v^2 sigma_w^2/2 = 2000: past 1e300 near layer 90.
        let config = NetworkConfiguration(architecture: .fullResidual, activation: ReLU(),
                                          sigmaW: 40, sigmaV: 1.58, p0: 1, e0: 0.5, depth: 100)
        let result = try simulate(config, width: 8, runs: 30, seed: 3, keepRunTraces: true)
        let traces = result.runTraces!
        let layers = traces.compactMap(\.forwardOverflowLayer)
        let backward = traces.compactMap(\.backwardOverflowLayer)
        #expect(!layers.isEmpty)
        #expect(result.overflows.count == layers.count + backward.count)
        #expect(result.warnings.contains { $0.contains("forward pass overflowed") })
        for layer in 0...config.depth {
            let reached = result.runTraces!.filter { ($0.forwardOverflowLayer ?? .max) > layer }.count
            #expect(result.statistics(.p)[layer].count == reached)
            if let mean = result.statistics(.p)[layer].mean { #expect(mean.isFinite) }
        }
        // Runs that overflowed forward have no gradient; backward overflows lose the layers
        // at and below the overflow.
        #expect(result.statistics(.logChi)[0].count == 30 - layers.count - backward.count)
        for layer in 0...config.depth {
            let complete = traces.filter {
                $0.forwardOverflowLayer == nil && ($0.backwardOverflowLayer ?? -1) < layer
            }.count
            #expect(result.statistics(.logChi)[layer].count == complete)
        }
        let csv = result.table().csv()
        #expect(!csv.contains("nan") && !csv.contains("inf"))
        #expect(result.table().rowCount == config.depth + 1)
    }

    @Test func invalidOptionsNameTheOption() {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(), depth: 5)
        let cases: [(SimulationOptions, String)] = [
            (SimulationOptions(width: 1, runs: 2), "width"),
            (SimulationOptions(width: 10, runs: 0), "runs"),
            (SimulationOptions(width: 10, runs: 2, seed: -1), "seed"),
            (SimulationOptions(width: 10, runs: 2, threads: 0), "threads"),
        ]
        for (options, option) in cases {
            #expect(throws: InvalidParameter.self) { try Simulator(configuration: config, options: options) }
            do {
                _ = try Simulator(configuration: config, options: options)
            } catch let error as InvalidParameter {
                #expect(error.option == option)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        var shallow = config
        shallow.depth = 0
        #expect(throws: InvalidParameter.self) {
            try Simulator(configuration: shallow, options: SimulationOptions(width: 10, runs: 2))
        }
    }

    /// A run needing more memory than is available is refused with the amount it needs.
    @Test func memoryCheck() throws {
        let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(), depth: 1000)
        let options = SimulationOptions(width: 1_000_000, runs: 4, mode: .dense, threads: 2)
        let needed = options.estimatedMemory(for: config, storingNormals: false)
        #expect(needed >= 2 * 1000 * 1_000_000 * 8)    // phi'(h) of every layer, two runs in flight
        do {
            _ = try Simulator(configuration: config, options: options, availableMemory: needed - 1)
            Issue.record("expected a memory error")
        } catch let error as InvalidParameter {
            #expect(error.option == "width")
            #expect(error.reason.contains("GiB"))
        }
        _ = try Simulator(configuration: config, options: options, availableMemory: needed)
    }

    /// Column layout of the CLI contract and empty cells where a quantity does not apply.
    @Test func tableColumns() throws {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: Tanh(), depth: 3)
        let table = try simulate(config, width: 16, runs: 3).table()
        #expect(Array(table.columnNames.prefix(13)) == [
            "layer", "p_mean", "p_std", "gamma_mean", "gamma_std", "e_mean", "e_std", "s_mean",
            "s_std", "chi_ratio_mean", "chi_ratio_std", "log_chi_mean", "log_chi_std"])
        #expect(table.column("log_chi_v_mean")!.allSatisfy { $0 == .missing })
        #expect(table.column("log_chi_w_mean")![0] == .missing)
        #expect(table.column("log_chi_w_mean")![1] != .missing)
        #expect(table.column("runs")!.allSatisfy { $0 == .integer(3) })
        let json = try simulate(config, width: 16, runs: 3).json()
        #expect(json["config"]?["width"] == .integer(16))
        #expect(json["columns"]?["p_mean"]?.arrayValue?.count == 4)
        #expect(json["warnings"]?.arrayValue == [])
    }
}
