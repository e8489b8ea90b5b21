import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing
@testable import MeanFieldFitting

/// End to end: the built `meanfield fit` on a CSV written to a temporary directory.
struct CommandLineTests {
    /// theory-like CSV: p = 1.5 e^{0.1 l} with 2% noise, a spread column, an empty field and text.
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("meanfield-fit-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: 51)
        var text = "layer,p,p_std,e,label,neg\n"
        for layer in 0...60 {
            let l = Double(layer)
            let p = 1.5 * exp(0.1 * l) * exp(0.02 * generator.normal())
            let e = layer == 7 ? "" : "\(0.9 - 0.4 * pow(l + 1, -0.5))"
            text += "\(layer),\(p),\(layer == 0 ? 0 : 0.1 * p),\(e),row\(layer),\(layer == 30 ? -1 : 1 + l)\n"
        }
        try? text.write(to: url.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        return url
    }()

    static var input: String { directory.appendingPathComponent("data.csv").path }

    @Test func jsonOutputParsesWithTheContractKeys() throws {
        let run = try CLI.run(["fit", "--input", Self.input, "--y", "p", "--from", "1"])
        #expect(run.status == 0, "\(run.standardError)")
        let json = try JSONValue.parse(run.standardOutput)
        for key in ["law", "exponent", "exponent_stderr", "exponent_ci95", "rate", "prefactor", "r2", "aic",
                    "candidates", "n_points", "parameters", "warnings"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json["law"]?.stringValue == "exponential")
        let k = try #require(json["exponent"]?.doubleValue)
        let se = try #require(json["exponent_stderr"]?.doubleValue)
        let interval = (json["exponent_ci95"]?.arrayValue ?? []).compactMap(\.doubleValue)
        #expect(interval.count == 2 && interval[0] < k && k < interval[1])
        #expect(abs(k - 0.1) < 5 * se, "k = \(k) +- \(se), truth 0.1")
        #expect(json["rate"]?.doubleValue == k)
        #expect(json["n_points"]?.doubleValue == 60)
        let candidates = try #require(json["candidates"]?.arrayValue)
        #expect(candidates.compactMap { $0["law"]?.stringValue } == GrowthLaw.allCases.map(\.rawValue))
        #expect(candidates.allSatisfy { $0["aic"]?.doubleValue != nil })
        #expect(candidates.compactMap { $0["aic"]?.doubleValue }.min() == json["aic"]?.doubleValue)
    }

    @Test func tableFileAndWeightedBootstrap() throws {
        let output = Self.directory.appendingPathComponent("fit.json").path
        let arguments = ["fit", "--input", Self.input, "--y", "p", "--stderr", "p_std", "--runs", "4", "--from", "1",
                         "--law", "exponential", "--bootstrap", "200", "--seed", "9", "--output", output]
        let run = try CLI.run(arguments)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.isEmpty)
        let first = try String(contentsOfFile: output, encoding: .utf8)
        let json = try JSONValue.parse(first)
        #expect(json["weighted"] == .bool(true) && json["scale"]?.stringValue == "linear")
        let bootstrap = try #require(json["bootstrap"])
        #expect(bootstrap["replicates"]?.doubleValue == 200)
        #expect(bootstrap["exponent_ci95"]?.arrayValue?.count == 2)
        // The fixed seed reproduces the file byte for byte.
        _ = try CLI.run(arguments)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == first)

        let table = try CLI.run(["fit", "--input", Self.input, "--y", "p", "--from", "1", "--format", "table"])
        #expect(table.status == 0)
        #expect(table.standardOutput.hasPrefix("law        exponential: p = C exp(k layer)"))
        #expect(table.standardOutput.contains("candidates"))
    }

    @Test func spreadColumnWithoutRunsIsFlagged() throws {
        let run = try CLI.run(["fit", "--input", Self.input, "--y", "p", "--stderr", "p_std", "--from", "1",
                                "--law", "exponential"])
        #expect(run.status == 0)
        #expect(run.standardError.contains("warning: --stderr p_std looks like a spread of runs"))
        let warnings = try #require(try JSONValue.parse(run.standardOutput)["warnings"]?.arrayValue)
        #expect(warnings.contains { $0.stringValue?.contains("--runs N") == true })
    }

    /// A bootstrap that loses most replicates (se = y: a draw <= 0 at some point of nearly every
    /// replicate, no logarithm in the log scale) is a numerical failure: status 4.
    @Test func failedBootstrapExitsWithStatus4() throws {
        let run = try CLI.run(["fit", "--input", Self.input, "--y", "p", "--stderr", "p", "--from", "1",
                                "--law", "exponential", "--scale", "log", "--bootstrap", "40"])
        #expect(run.status == 4, "\(run.standardError)")
        #expect(run.standardError.hasPrefix("meanfield: error: numerical failure: bootstrap:"), "\(run.standardError)")
    }

    static let badInvocations: [(arguments: [String], option: String)] = [
        (["--y", "nope"], "--y"),
        (["--y", "p", "--x", "depth"], "--x"),
        (["--y", "label"], "--y"),
        (["--y", "neg", "--from", "1"], "--y"),
        (["--y", "p", "--law", "power"], "--from"),
        (["--y", "p", "--from", "1", "--to", "2", "--law", "power"], "--law"),
        (["--y", "p", "--from", "100"], "--from"),
        (["--y", "p", "--from", "5", "--to", "2"], "--from"),
        (["--y", "p", "--law", "cubic"], "--law"),
        (["--y", "p", "--from", "1", "--bootstrap", "100"], "--bootstrap"),
        (["--y", "p", "--stderr", "p_std", "--law", "exponential"], "--stderr"),
        (["--y", "e", "--from", "1", "--limit", "0.8"], "--limit"),
        (["--y", "p", "--input", "/nonexistent/data.csv"], "--input"),
        (["--y", "p", "--from", "1", "--seed", "18446744073709551615"], "--seed"),
    ]

    @Test(arguments: badInvocations.indices)
    func badInputExitsWithStatus2(_ index: Int) throws {
        let (arguments, option) = Self.badInvocations[index]
        var full = ["fit"] + arguments
        if !arguments.contains("--input") { full += ["--input", Self.input] }
        let run = try CLI.run(full)
        #expect(run.status == 2, "\(full): status \(run.status), \(run.standardError)")
        #expect(run.standardOutput.isEmpty)
        let lines = run.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("meanfield: error: "), "\(run.standardError)")
        #expect(run.standardError.contains(option), "\(full): \(run.standardError)")
    }
}
