// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "meanfield",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "meanfield", targets: ["meanfield"]),
        .library(name: "MeanFieldTheory", targets: ["MeanFieldTheory", "MeanFieldCore"]),
        .library(name: "MeanFieldFitting", targets: ["MeanFieldFitting"]),
        .library(name: "MeanFieldSimulation", targets: ["MeanFieldSimulation", "MeanFieldCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "CGSL", path: "Sources/CGSL", pkgConfig: "gsl",
                       providers: [.apt(["libgsl-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // GSL bridge: error handling, quadrature, special functions, root finding.
        .target(name: "MeanFieldNumerics", dependencies: ["CGSL"]),
        // Network configuration and activations shared by theory and simulation.
        .target(name: "MeanFieldCore", dependencies: ["MeanFieldNumerics"]),
        // Tables, CSV/JSON, atomic files, progress.
        .target(name: "MeanFieldIO", dependencies: []),
        // The infinite-width engine: Gaussian transforms and recurrences.
        .target(name: "MeanFieldTheory", dependencies: ["MeanFieldCore", "MeanFieldNumerics"]),
        // Growth-law fits (power, exponential, exp-sqrt, power-corrected) with uncertainties.
        .target(name: "MeanFieldFitting", dependencies: [
            "CGSL", "MeanFieldNumerics", "MeanFieldCore", "MeanFieldIO",
        ]),
        // The finite-width Monte Carlo simulator (dense and conditional sampling).
        // Optimized in debug builds too: its statistical tests draw ~1e8 normals, 50x slower at -Onone.
        .target(name: "MeanFieldSimulation", dependencies: ["MeanFieldCore", "MeanFieldIO", "COpenBLAS"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        .executableTarget(name: "meanfield", dependencies: [
            "MeanFieldTheory", "MeanFieldSimulation", "MeanFieldCore", "MeanFieldIO", "MeanFieldFitting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Library-call timings for the peer benchmarks (Benchmarks/peers/run.sh, release build).
        .executableTarget(name: "peers-timing", dependencies: ["MeanFieldTheory", "MeanFieldSimulation", "MeanFieldCore"],
                          path: "Benchmarks/peers/EngineTiming"),

        .testTarget(name: "MeanFieldNumericsTests", dependencies: ["MeanFieldNumerics"]),
        .testTarget(name: "MeanFieldTheoryTests", dependencies: ["MeanFieldTheory", "MeanFieldCore", "MeanFieldNumerics", "MeanFieldIO"]),
        .testTarget(name: "MeanFieldSimulationTests", dependencies: ["MeanFieldSimulation", "MeanFieldCore", "MeanFieldIO"]),
        .testTarget(name: "MeanFieldCLITests", dependencies: ["meanfield", "MeanFieldIO"]),
        .testTarget(name: "MeanFieldFittingTests",
                    dependencies: ["MeanFieldFitting", "MeanFieldCore", "MeanFieldIO"],
                    exclude: ["References"]),
    ]
)
