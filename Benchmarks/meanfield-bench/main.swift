// Where the simulator's time goes: the random numbers, the BLAS products of dense mode and a
// whole layer in each mode. Release build only (Benchmarks/run_simulator_bench.sh).
import CMeanFieldKernels
import COpenBLAS
import Foundation
import MeanFieldCore
import MeanFieldSimulation

/// Best of `repeats` wall times of `body`, in seconds (the minimum filters out other load).
func best(_ repeats: Int, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    return fastest
}

openblas_set_num_threads(1)
let width = 1000
let panelRows = 32
let normals = 4_000_000
let buffer = UnsafeMutablePointer<Double>.allocate(capacity: normals)
let stream = GaussianStream(seed: 1, run: 0, layer: 1, role: .weightW)
let rng = best(5) { stream.fill(buffer, count: normals) } / Double(normals)
let pathNames = ["portable", "AVX2 + AES-NI", "AVX2 + VAES"]
print(String(format: "normal (ARS4x32-7 + ziggurat, %@): %.2f ns each",
             pathNames[Int(mf_normals_path())], rng * 1e9))
let portable = best(5) { mf_fill_normals_portable(buffer, Int64(normals), 0, 1, 1, 0, 1, RandomRole.weightW.rawValue) }
    / Double(normals)
print(String(format: "normal, portable path: %.2f ns each", portable * 1e9))

// Dense mode's forward product for one 32-row panel and a batch of 2 (one dgemv per input,
// as the simulator does; dgemm for comparison), and the transposed product of the backward pass.
let x = [Double](repeating: 0.5, count: width * 2)
var y = [Double](repeating: 0, count: panelRows * 2)
var t = [Double](repeating: 0, count: width)
let panels = 2000
let gemvForward = best(5) {
    x.withUnsafeBufferPointer { input in
        for _ in 0..<panels {
            for k in 0..<2 {
                cblas_dgemv(CblasColMajor, CblasTrans, Int32(width), Int32(panelRows), 1, buffer,
                            Int32(width), input.baseAddress! + k * width, 1, 0, &y, 1)
            }
        }
    }
} / Double(panels * panelRows * width)
let gemm = best(5) {
    for _ in 0..<panels {
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(panelRows), 2, Int32(width), 1,
                    buffer, Int32(width), x, Int32(width), 0, &y, Int32(panelRows))
    }
} / Double(panels * panelRows * width)
let gemv = best(5) {
    for _ in 0..<panels {
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(width), Int32(panelRows), 1, buffer,
                    Int32(width), x, 1, 1, &t, 1)
    }
} / Double(panels * panelRows * width)
print(String(format: "dense panel products per weight: forward %.2f ns (two dgemv; dgemm %.2f ns), backward (dgemv) %.2f ns",
             gemvForward * 1e9, gemm * 1e9, gemv * 1e9))

// Whole layers: FRN tanh, forward and tied backward, one thread.
for (mode, n, depth, runs) in [(SimulationMode.dense, 1000, 20, 2), (.conditional, 100_000, 20, 2)] {
    let config = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(), sigmaW: 1.5,
                                      sigmaB: 0.5, sigmaV: 1.5, sigmaA: 0.5, depth: depth)
    let options = SimulationOptions(width: n, runs: runs, mode: mode, backward: .tied, threads: 1)
    let simulator = try Simulator(configuration: config, options: options)
    let seconds = best(3) { _ = simulator.run() } / Double(depth * runs)
    // Dense: W and V drawn forward and again backward, and the biases; conditional: Z for W
    // and V (the biases are a column of each, Docs/simulator.md) and the two backward
    // complements of N + 1 normals (Z kept from the forward pass).
    let draws = mode == .dense ? 4 * n * n + 2 * n : 6 * n + 2
    print(String(format: "%@ FRN layer (forward + tied backward), N = %d: %.3f ms; its %d normals alone %.3f ms",
                 mode.rawValue, n, seconds * 1e3, draws, Double(draws) * rng * 1e3))
}
