// Library-call timings of the engine for Benchmarks/peers (release build): the first call in
// a fresh process and the repeated calls after it, without the CLI's parsing and output.
//   peers-timing theory --activation tanh --depth 1000 --repeats 20 [--sigma-w 1 ...]
//   peers-timing simulate --mode conditional --width 4096 --depth 20 --runs 5 --repeats 3
// Prints one line "RESULT {json}" (the format of Benchmarks/peers/common.py).
import Foundation
import MeanFieldCore
import MeanFieldSimulation
import MeanFieldTheory

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("peers-timing: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: peers-timing theory|simulate [--option value]...") }
let options: [String: String] = Dictionary(
    stride(from: 1, to: arguments.count - 1, by: 2).map {
        (String(arguments[$0].drop(while: { $0 == "-" })), arguments[$0 + 1])
    }, uniquingKeysWith: { $1 })
func number(_ name: String, _ fallback: Double) -> Double {
    guard let text = options[name] else { return fallback }
    guard let value = Double(text) else { fail("--\(name): not a number: \(text)") }
    return value
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

let activation: any Activation
switch options["activation"] ?? "tanh" {
case "tanh": activation = Tanh()
case "erf": activation = Erf()
case "relu": activation = ReLU()
case let other: fail("--activation: \(other) not benchmarked")
}
let configuration = NetworkConfiguration(
    architecture: .fullResidual, activation: activation, sigmaW: number("sigma-w", 1),
    sigmaB: number("sigma-b", 0), sigmaV: number("sigma-v", 1), sigmaA: number("sigma-a", 0),
    p0: number("p0", 1), e0: number("e0", 0.5), depth: Int(number("depth", 1000)))
let repeats = max(1, Int(number("repeats", 10)))

func emit(_ mode: String, _ times: [Double], _ layer: Int, _ p: Double?, _ gamma: Double?) throws {
    let record: [String: Any] = [
        "tool": "meanfield-library", "mode": mode, "depth": configuration.depth,
        "first_s": times[0], "steady_s": Array(times.dropFirst()),
        "rows": [["layer": layer, "p": p.map { $0 as Any } ?? NSNull(), "gamma": gamma.map { $0 as Any } ?? NSNull()]],
    ]
    let json = try JSONSerialization.data(withJSONObject: record)
    print("RESULT " + String(decoding: json, as: UTF8.self))
}

switch command {
case "theory":
    var times: [Double] = []
    var last: TheoryRow? = nil
    for _ in 0..<repeats {
        // Every column of every layer, as `meanfield theory` computes them.
        try times.append(seconds { last = try TheoryEngine(configuration: configuration).run().rows.last })
    }
    try emit("theory", times, last!.layer, last!.p, last!.gamma)
case "simulate":
    guard let mode = SimulationMode(rawValue: options["mode"] ?? "conditional") else { fail("--mode: unknown") }
    let simulationOptions = SimulationOptions(
        width: Int(number("width", 1024)), runs: Int(number("runs", 5)), mode: mode, backward: .tied,
        threads: Int(number("threads", Double(ProcessInfo.processInfo.activeProcessorCount))))
    var times: [Double] = []
    var result: SimulationResult? = nil
    for _ in 0..<repeats {
        // Forward and tied backward pass of every run, statistics per layer, as `simulate` does.
        try times.append(seconds {
            result = try Simulator(configuration: configuration, options: simulationOptions).run()
        })
    }
    let depth = configuration.depth
    try emit("simulate-" + mode.rawValue, times, depth, result!.statistics(.p)[depth].mean,
             result!.statistics(.gamma)[depth].mean)
default:
    fail("unknown command \(command)")
}
