import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldIO

extension LawChoice: ExpressibleByArgument {}
extension ResidualScale: ExpressibleByArgument {}

enum FitFormat: String, ExpressibleByArgument, CaseIterable {
    case json, table
}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fits growth laws to a column of a CSV file (any source).",
        discussion: """
            Laws: power (y = C x^k), exponential (y = C exp(k x)), exp-sqrt \
            (ln y = C + k sqrt(x)), power-corrected (y = C1 x^-k + C2 x^-1/2 + C3 x^-1), or \
            auto (all four, ranked by AIC). Nonlinear least squares started from the \
            linearized fit; 95% intervals from the Jacobian; see Docs/fitting.md. Rows with an \
            empty y field are skipped.

            Examples:
              meanfield fit --input theory.csv --y p --law auto --from 10
              meanfield fit --input theory.csv --y e --limit 0.72 --law power-corrected
              meanfield fit --input sim.csv --y p_mean --stderr p_std --runs 50 --from 1 \\
                --law exponential --bootstrap 1000 --format table
            """)

    @Option(help: ArgumentHelp("The CSV file to read (with a header row).", valueName: "FILE"))
    var input: String

    @Option(help: ArgumentHelp("The column of x values.", valueName: "COLUMN"))
    var x: String = "layer"

    @Option(help: ArgumentHelp("The column of y values.", valueName: "COLUMN"))
    var y: String

    @Option(help: "power, exponential, exp-sqrt, power-corrected, or auto (all, ranked by AIC).")
    var law: LawChoice = .auto

    @Option(parsing: .unconditional, help: ArgumentHelp("Fit only rows with x >= X0.", valueName: "X0"))
    var from: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fit only rows with x <= X1.", valueName: "X1"))
    var to: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fit |y - VALUE| instead of y (convergence to a fixed point).", valueName: "VALUE"))
    var limit: Double?

    @Option(name: .customLong("stderr"),
            help: ArgumentHelp("Column of standard errors of y: weights the fit (with --runs: a spread of runs, divided by sqrt(runs)).", valueName: "COLUMN"))
    var standardErrorColumn: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Number of runs behind a spread column given with --stderr (simulate's X_std): se = std/sqrt(runs).", valueName: "N"))
    var runs: Int?

    @Option(help: "Residual scale: log (relative errors; default without --stderr) or linear (default with --stderr).")
    var scale: ResidualScale?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Parametric bootstrap with B replicates y ~ N(y, se^2) (needs --stderr): percentile intervals.", valueName: "B"))
    var bootstrap: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the bootstrap generator (fixed by default: same output every run).", valueName: "S"))
    var seed: UInt64 = 1

    @Option(help: "Output format: json or table.")
    var format: FitFormat = .json

    @Option(help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        // JSON writes the seed as an integer.
        guard seed <= UInt64(Int.max) else {
            throw InvalidParameter(option: "seed", value: String(seed), reason: "must be at most \(Int.max)")
        }
        let csv: CSVData
        do {
            csv = try CSVData(contentsOf: input)
        } catch let error as CSVError {
            throw InvalidParameter(option: "input", value: input, reason: error.message)
        }
        let data = try FitData(csv: csv, x: x, y: y, standardError: standardErrorColumn, runs: runs,
                               from: from, to: to).subtractingLimit(limit)
        let report = try GrowthLawFit.report(data, law: law, scale: scale, bootstrapReplicates: bootstrap,
                                             seed: seed)
        var warnings = report.warnings
        if let column = standardErrorColumn, column.hasSuffix("_std"), runs == nil {
            warnings.insert("--stderr \(column) looks like a spread of runs (simulate's _std columns), which is sqrt(runs) times the standard error of the mean; give --runs N to convert it", at: 0)
        }
        for warning in warnings { CommandLineRunner.printWarning(warning) }
        let text: String
        switch format {
        case .json: text = FitOutput.json(report, choice: law, warnings: warnings, options: self).serialized(pretty: true) + "\n"
        case .table: text = FitOutput.table(report, choice: law, warnings: warnings)
        }
        try OutputDestination(path: output).write(text)
    }
}

/// The JSON and text forms of a fit report (key names: shared/CLI.md, Docs/fitting.md).
enum FitOutput {
    static func json(_ report: FitReport, choice: LawChoice, warnings: [String], options: FitCommand) -> JSONValue {
        let fit = report.fit, data = report.data
        var pairs: [(String, JSONValue)] = [
            ("law", .string(fit.law.rawValue)),
            ("exponent", .finite(fit.exponent.value)),
            ("exponent_stderr", .finite(fit.exponent.standardError)),
            ("exponent_ci95", interval(fit.exponent.confidenceInterval95)),
            ("rate", .finite(fit.rate)),
            ("prefactor", .finite(fit.prefactor)),
            ("r2", .finite(fit.rSquared)),
            ("aic", .finite(fit.aic)),
        ]
        if choice == .auto {
            pairs.append(("candidates", .array(report.candidates.map(candidate))))
        }
        pairs += [
            ("law_requested", .string(choice.rawValue)),
            ("formula", .string(fit.law.formula(x: data.xName, y: data.responseName))),
            ("aicc", .finite(fit.aicc)),
            ("x", .string(data.xName)),
            ("y", .string(data.yName)),
            ("limit", .finite(data.limit)),
            ("window", .object([
                ("from", .finite(options.from)), ("to", .finite(options.to)),
                ("x_min", .finite(report.xRange.lowerBound)), ("x_max", .finite(report.xRange.upperBound)),
            ])),
            ("n_points", .integer(fit.pointCount)),
            ("dof", .integer(fit.degreesOfFreedom)),
            ("scale", .string(fit.scale.rawValue)),
            ("weighted", .bool(fit.isWeighted)),
            ("stderr_column", options.standardErrorColumn.map(JSONValue.string) ?? .null),
            ("runs", options.runs.map(JSONValue.integer) ?? .null),
            ("residual_rms", .finite(fit.residualRMS)),
            ("chi2", fit.isWeighted ? .finite(fit.residualSumOfSquares) : .null),
            ("chi2_p_value", .finite(fit.goodnessOfFitPValue)),
            ("interval_quantile", .finite(fit.intervalQuantile)),
            ("iterations", .integer(fit.iterations)),
            ("parameters", .array(fit.parameters.map { parameter in
                .object([
                    ("name", .string(parameter.name)), ("value", .finite(parameter.value)),
                    ("stderr", .finite(parameter.standardError)),
                    ("ci95", interval(parameter.confidenceInterval95)),
                ])
            })),
            ("power_vs_exponential", report.comparison.map { comparison in
                .object([
                    ("aic_power", .finite(comparison.powerAIC)),
                    ("aic_exponential", .finite(comparison.exponentialAIC)),
                    ("delta_aic", .finite(comparison.deltaAIC)),
                    ("span_factor", .finite(comparison.spanFactor)),
                ])
            } ?? .null),
            ("bootstrap", report.bootstrap.map(bootstrap) ?? .null),
            ("warnings", .array(warnings.map(JSONValue.string))),
        ]
        return .object(pairs)
    }

    static func interval(_ range: ClosedRange<Double>?) -> JSONValue {
        guard let range else { return .null }
        return .array([.finite(range.lowerBound), .finite(range.upperBound)])
    }

    static func candidate(_ candidate: LawCandidate) -> JSONValue {
        .object([
            ("law", .string(candidate.law.rawValue)),
            ("aic", .finite(candidate.fit?.aic)),
            ("delta_aic", .finite(candidate.deltaAIC)),
            ("akaike_weight", .finite(candidate.akaikeWeight)),
            ("exponent", .finite(candidate.fit?.exponent.value)),
            ("exponent_stderr", .finite(candidate.fit?.exponent.standardError)),
            ("exponent_ci95", interval(candidate.fit?.exponent.confidenceInterval95)),
            ("r2", .finite(candidate.fit?.rSquared)),
            ("error", candidate.failure.map(JSONValue.string) ?? .null),
        ])
    }

    static func bootstrap(_ result: BootstrapResult) -> JSONValue {
        .object([
            ("replicates", .integer(result.replicates)),
            ("failed", .integer(result.failures)),
            ("seed", .integer(Int(result.seed))),
            ("exponent_ci95", interval(result.exponent.percentile95)),
            ("exponent_stderr", .finite(result.exponent.standardDeviation)),
            ("parameters", .array(result.parameters.map { parameter in
                .object([
                    ("name", .string(parameter.name)), ("ci95", interval(parameter.percentile95)),
                    ("stderr", .finite(parameter.standardDeviation)),
                ])
            })),
        ])
    }

    static func table(_ report: FitReport, choice: LawChoice, warnings: [String]) -> String {
        let fit = report.fit, data = report.data
        let digits = 6
        func number(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "-" }
            return NumberFormat.significant(value, digits: digits)
        }
        var out = "law        \(fit.law.rawValue): \(fit.law.formula(x: data.xName, y: data.responseName))"
        out += choice == .auto ? "  (lowest AIC of \(report.candidates.count))\n" : "\n"
        out += "window     \(data.xName) in [\(number(report.xRange.lowerBound)), \(number(report.xRange.upperBound))], "
        out += "\(fit.pointCount) points, \(fit.scale.rawValue) scale, \(fit.isWeighted ? "weighted" : "unweighted")\n"
        let k = fit.exponent
        out += "exponent   k = \(number(k.value)) +- \(number(k.standardError)), 95% CI "
        out += k.confidenceInterval95.map { "[\(number($0.lowerBound)), \(number($0.upperBound))]" } ?? "-"
        out += "\n"
        out += "fit        r2 = \(number(fit.rSquared)), aic = \(number(fit.aic)), residual rms = \(number(fit.residualRMS))"
        if fit.isWeighted {
            out += ", chi2/dof = \(number(fit.residualSumOfSquares / Double(fit.degreesOfFreedom)))"
        }
        out += "\n\nparameters\n"
        var parameters = Table(columns: ["name", "value", "stderr", "ci95_low", "ci95_high"])
        for p in fit.parameters {
            parameters.append([.text(p.name), Cell(p.value), Cell(p.standardError),
                               Cell(p.confidenceInterval95?.lowerBound), Cell(p.confidenceInterval95?.upperBound)])
        }
        out += parameters.text(digits: digits)
        if choice == .auto {
            out += "\ncandidates\n"
            var candidates = Table(columns: ["law", "aic", "delta_aic", "weight", "exponent", "exponent_stderr"])
            for c in report.candidates {
                candidates.append([.text(c.law.rawValue), Cell(c.fit?.aic), Cell(c.deltaAIC), Cell(c.akaikeWeight),
                                   Cell(c.fit?.exponent.value), Cell(c.fit?.exponent.standardError)])
            }
            out += candidates.text(digits: digits)
        }
        if let b = report.bootstrap {
            out += "\nbootstrap  \(b.replicates) replicates (\(b.failures) failed), seed \(b.seed)\n"
            var intervals = Table(columns: ["name", "p2.5", "p97.5", "sd"])
            for p in b.parameters {
                intervals.append([.text(p.name), Cell(p.percentile95.lowerBound), Cell(p.percentile95.upperBound),
                                  Cell(p.standardDeviation)])
            }
            out += intervals.text(digits: digits)
        }
        if !warnings.isEmpty {
            out += "\n" + warnings.map { "warning: \($0)\n" }.joined()
        }
        return out
    }
}
