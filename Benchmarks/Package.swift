// swift-tools-version: 6.1
// Benchmarks live in their own package so that the main build and the test suite do not
// compile the benchmark framework. Run: ./run.sh (release build).
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which differs between clones.
let meanfieldPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "meanfield-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MeanFieldTheory", package: meanfieldPackage),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Per-part costs of the simulator (normals, BLAS, layers): Benchmarks/run_simulator_bench.sh.
        .executableTarget(
            name: "meanfield-bench",
            dependencies: [
                .product(name: "MeanFieldSimulation", package: meanfieldPackage),
                .product(name: "CMeanFieldKernels", package: meanfieldPackage),
            ],
            path: "meanfield-bench"),
    ]
)
