import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

@Suite struct CompareCommandTests {
    static let tanhFRN = ["compare", "--arch", "frn", "--activation", "tanh", "--sigma-w", "1.5",
                          "--sigma-b", "0.5", "--sigma-v", "1.5", "--sigma-a", "0.5", "--depth", "6",
                          "--width", "512", "--runs", "40", "--backward", "independent"]

    /// Long format with the contract's columns, one row per layer and quantity; the inputs
    /// and chi^L/chi^L have no z (fixed by construction); the summary goes to stderr.
    @Test func csvFollowsTheContract() throws {
        let result = try CLI.run(Self.tanhFRN + ["--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "layer,quantity,theory,mc_mean,mc_sem,z")
        let csv = try CSVData(text: result.standardOutput)
        let quantities = csv.rows.map { $0[1] }
        // Layer 0: p, gamma, e, s, chi_ratio; layers 1-6: those and four parameter ratios.
        #expect(csv.rows.count == 5 + 6 * 9)
        #expect(Set(quantities) == ["p", "gamma", "e", "s", "chi_ratio", "chi_w_ratio",
                                    "chi_b_ratio", "chi_v_ratio", "chi_a_ratio"])
        for row in csv.rows where row[0] == "0" && row[1] != "chi_ratio" { #expect(row[5].isEmpty, "\(row)") }
        let top = try #require(csv.rows.first { $0[0] == "6" && $0[1] == "chi_ratio" })
        #expect(top[5].isEmpty && Double(top[2]) == 1)
        // Every other row has a z, but chi^L/chi^L and chi_a^L/chi^L (both 1).
        #expect(csv.rows.filter { !$0[5].isEmpty }.count == 1 + 6 * 9 - 2)
        #expect(!result.standardOutput.lowercased().contains("nan"))
        #expect(!result.standardOutput.lowercased().contains("inf"))
        #expect(result.standardError.contains("max_abs_z"))
        #expect(result.standardError.contains("finite width"))
    }

    @Test func jsonHasSummary() throws {
        let result = try CLI.run(Self.tanhFRN + ["--format", "json", "--max-z", "10"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let json = try JSONValue.parse(result.standardOutput)
        #expect(json["config"]?["width"] == .integer(512))
        #expect(json["columns"]?["z"]?.arrayValue?.count == 5 + 6 * 9)
        let summary = try #require(json["summary"])
        let p = try #require(summary["quantities"]?["p"])
        #expect(p["layers_compared"] == .integer(6))
        #expect(p["max_abs_z"]?.doubleValue != nil)
        #expect(p["share_abs_z_within_3"]?.doubleValue != nil)
        #expect(p["median_relative_error"]?.doubleValue != nil)
        #expect(summary["overflowed_runs"] == .integer(0))
        #expect(summary["heavy_tailed_gradients"] == .bool(false))
        #expect(summary["passed"] == .bool(true))
        #expect(summary["notes"]?.arrayValue?.isEmpty == false)
    }

    @Test func tableAndLayerSelection() throws {
        let result = try CLI.run(Self.tanhFRN + ["--layers", "0,3"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        // Title, header, 5 rows at layer 0, 9 at layer 3.
        #expect(lines.count == 2 + 5 + 9)
        #expect(lines[1].contains("rel_error"))
        #expect(result.standardError.contains("summary"))
    }

    /// alpha <= 3/4: the summary says the gradients are heavy-tailed.
    @Test func heavyTailsInTheSummary() throws {
        let result = try CLI.run(["compare", "--activation", "alpha-relu", "--alpha", "0.6", "--depth", "4",
                                  "--width", "64", "--runs", "10", "--format", "json"])
        #expect(result.status == 0)
        let summary = try #require(try JSONValue.parse(result.standardOutput)["summary"])
        #expect(summary["heavy_tailed_gradients"] == .bool(true))
        #expect(summary["notes"]!.arrayValue!.contains { $0.stringValue!.contains("infinite variance") })
    }

    /// Bad input: exit status 2, one line naming the option, nothing written.
    @Test(arguments: [
        (["--max-z", "0"], "max-z"), (["--max-z", "-1"], "max-z"), (["--max-z", "nan"], "max-z"),
        (["--width", "1"], "width"), (["--runs", "0"], "runs"), (["--seed", "-3"], "seed"),
        (["--sigma-w", "-1"], "sigma-w"), (["--mode", "sparse"], "mode"),
        (["--backward", "both"], "backward"), (["--layers", "0,99"], "layers"),
    ] as [([String], String)])
    func badInput(_ arguments: [String], _ option: String) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.csv").path
        let result = try CLI.run(["compare", "--depth", "5", "--width", "32", "--runs", "4"] + arguments
                                 + ["--output", output, "--format", "csv"])
        #expect(result.status == 2, "\(arguments): status \(result.status), stderr \(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        #expect(result.standardError.contains(option), "\(arguments): \(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// The documented deviation: tied weights on an RRN with ReLU fail --max-z 4 (exit 3,
    /// after the output is written); independent backward weights pass.
    @Test func maxZFailsForTiedWeightsOnReluRRN() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("tied.csv").path
        let common = ["compare", "--arch", "rrn", "--activation", "relu", "--depth", "20", "--width", "256",
                      "--runs", "100", "--layers", "0,1,2,3,4,5", "--max-z", "4", "--format", "csv"]
        let tied = try CLI.run(common + ["--backward", "tied", "--output", output])
        #expect(tied.status == 3, "\(tied.standardError)")
        #expect(tied.standardError.contains("exceeds --max-z 4"))
        #expect(tied.standardError.contains("check failed"))
        let csv = try CSVData(contentsOf: output)
        #expect(csv.rows.count == 5 + 5 * 7)
        let independent = try CLI.run(common + ["--backward", "independent"])
        #expect(independent.status == 0, "\(independent.standardError)")
        #expect(independent.standardError.contains("check passed"))
    }
}
