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
        .library(name: "MeanFieldComparison", targets: ["MeanFieldComparison"]),
        // The normal generator's kernel, for benchmarks.
        .library(name: "CMeanFieldKernels", targets: ["CMeanFieldKernels"]),
        .library(name: "MeanFieldAsymptotics", targets: ["MeanFieldAsymptotics"]),
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
        // Counter-based normals (ARS4x32-7 + ziggurat) with AVX2/AES paths chosen at run time.
        // Optimized in debug builds as well; no FMA contraction, so both paths give the same bits.
        .target(name: "CMeanFieldKernels",
                cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        // The finite-width Monte Carlo simulator (dense and conditional sampling).
        // Optimized in debug builds too: its statistical tests draw ~1e8 normals, 50x slower at -Onone.
        .target(name: "MeanFieldSimulation",
                dependencies: ["MeanFieldCore", "MeanFieldIO", "COpenBLAS", "CMeanFieldKernels"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Theory against simulation: z-scores per layer and a summary.
        .target(name: "MeanFieldComparison", dependencies: [
            "MeanFieldCore", "MeanFieldIO", "MeanFieldTheory", "MeanFieldSimulation",
        ]),

        // Asymptotic laws and constants (THEORY.md sections 6-7): what `predict` reports.
        .target(name: "MeanFieldAsymptotics", dependencies: [
            "MeanFieldTheory", "MeanFieldCore", "MeanFieldNumerics",
        ]),

        // Parameter grids over the engine (parallel, resumable, sharded) and level curves.
        .target(name: "MeanFieldSweep", dependencies: [
            "MeanFieldTheory", "MeanFieldCore", "MeanFieldNumerics", "MeanFieldIO",
        ]),

        // Figures as data, rendered through gnuplot (PNG, SVG, the script and the data).
        .target(name: "MeanFieldPlot", dependencies: ["MeanFieldIO"]),

        // The paper's figures that need no training: data, script and pictures.
        .target(name: "MeanFieldReproduction", dependencies: [
            "MeanFieldTheory", "MeanFieldCore", "MeanFieldNumerics", "MeanFieldIO", "MeanFieldFitting",
            "MeanFieldSweep", "MeanFieldPlot", "MeanFieldSimulation", "MeanFieldAsymptotics",
        ]),

        // The companion papers' experiments (THEORY.md section 8): regime report and figures.
        .target(name: "MeanFieldCompanion", dependencies: [
            "MeanFieldSimulation", "MeanFieldFitting", "MeanFieldCore", "MeanFieldIO",
        ]),

        .executableTarget(name: "meanfield", dependencies: [
            "MeanFieldTheory", "MeanFieldSimulation", "MeanFieldComparison", "MeanFieldCore", "MeanFieldIO", "MeanFieldFitting",
            "MeanFieldAsymptotics",
            "MeanFieldSweep", "MeanFieldPlot", "MeanFieldReproduction", "MeanFieldCompanion",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Library-call timings for the peer benchmarks (Benchmarks/peers/run.sh, release build).
        .executableTarget(name: "peers-timing", dependencies: ["MeanFieldTheory", "MeanFieldSimulation", "MeanFieldCore"],
                          path: "Benchmarks/peers/EngineTiming"),

        // Runs the built executable for the end-to-end tests of several test targets.
        .target(name: "MeanFieldTestSupport", path: "Tests/MeanFieldTestSupport"),

        .testTarget(name: "MeanFieldNumericsTests", dependencies: ["MeanFieldNumerics"]),
        .testTarget(name: "MeanFieldTheoryTests", dependencies: ["MeanFieldTheory", "MeanFieldCore", "MeanFieldNumerics", "MeanFieldIO"]),
        .testTarget(name: "MeanFieldSimulationTests",
                    dependencies: ["MeanFieldSimulation", "MeanFieldCore", "MeanFieldIO", "CMeanFieldKernels"]),
        .testTarget(name: "MeanFieldComparisonTests", dependencies: [
            "MeanFieldComparison", "MeanFieldTheory", "MeanFieldSimulation", "MeanFieldCore",
        ]),
        .testTarget(name: "MeanFieldCLITests", dependencies: ["meanfield", "MeanFieldIO", "MeanFieldTestSupport"]),
        .testTarget(name: "MeanFieldCompanionTests", dependencies: [
            "MeanFieldCompanion", "MeanFieldSimulation", "MeanFieldFitting", "MeanFieldCore", "MeanFieldIO",
        ]),
        .testTarget(name: "MeanFieldAsymptoticsTests",
                    dependencies: ["MeanFieldAsymptotics", "MeanFieldTheory", "MeanFieldFitting",
                                   "MeanFieldCore", "MeanFieldNumerics", "MeanFieldIO",
                                   "meanfield", "MeanFieldTestSupport"],
                    exclude: ["References"]),
        .testTarget(name: "MeanFieldFittingTests",
                    dependencies: ["MeanFieldFitting", "MeanFieldCore", "MeanFieldIO", "meanfield", "MeanFieldTestSupport"],
                    exclude: ["References"]),
    ]
)
