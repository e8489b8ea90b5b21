import Foundation
import MeanFieldTestSupport
import Testing
import MeanFieldIO

@Suite struct TheoryCommandTests {
    static let header = "layer,p,q,gamma,lambda,e,c,s,log_chi,log_chi_w,log_chi_b,log_chi_v,log_chi_a"

    @Test func csvFollowsTheContract() throws {
        let result = try CLI.run(["theory", "--arch", "frn", "--activation", "tanh", "--depth", "20", "--format", "csv"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == Self.header)
        #expect(lines.count == 22)
        let csv = try CSVData(text: result.standardOutput)
        // Layer 0: q, lambda, c and the parameter gradients do not apply (empty fields).
        #expect(csv.rows[0][2].isEmpty && csv.rows[0][4].isEmpty && csv.rows[0][6].isEmpty)
        #expect(csv.rows[0][9].isEmpty)
        #expect(try csv.numbers("log_chi").last! == 0)
        #expect(!result.standardOutput.lowercased().contains("nan"))
        #expect(!result.standardOutput.lowercased().contains("inf"))
    }

    @Test func jsonHasConfigColumnsAndWarnings() throws {
        let result = try CLI.run(["theory", "--arch", "ff", "--activation", "erf", "--sigma-w", "1.5",
                                  "--depth", "5", "--format", "json"])
        #expect(result.status == 0)
        let json = try JSONValue.parse(result.standardOutput)
        #expect(json["config"]?["arch"]?.stringValue == "ff")
        let columns = try #require(json["columns"])
        #expect(columns["p"]?.arrayValue?.count == 6)
        #expect(columns["q"]?.arrayValue?.first == .null)
        #expect(json["warnings"]?.arrayValue != nil)
        #expect(json["fixed_point"]?["phase"]?.stringValue == "chaotic")
    }

    @Test func selectedLayers() throws {
        let result = try CLI.run(["theory", "--depth", "100", "--layers", "0,10,100", "--format", "csv"])
        let csv = try CSVData(text: result.standardOutput)
        #expect(try csv.numbers("layer").compactMap { $0 } == [0, 10, 100])
        let every = try CLI.run(["theory", "--depth", "100", "--every", "30", "--format", "csv"])
        #expect(try CSVData(text: every.standardOutput).numbers("layer").compactMap { $0 } == [0, 30, 60, 90, 100])
    }

    /// Bad input: exit status 2, one line on stderr naming the option and the value, and no
    /// output file.
    @Test(arguments: [
        (["--sigma-w", "-1"], "sigma-w"), (["--sigma-b=-0.5"], "sigma-b"), (["--sigma-v", "-2"], "sigma-v"),
        (["--sigma-a", "-0.1"], "sigma-a"),
        (["--activation", "alpha-relu", "--alpha", "0"], "alpha"),
        (["--activation", "alpha-relu", "--alpha", "2.5"], "alpha"),
        (["--activation", "alpha-relu"], "alpha"),
        (["--e0", "1.5"], "e0"), (["--e0", "-1.01"], "e0"), (["--p0", "0"], "p0"), (["--p0", "-3"], "p0"),
        (["--depth", "0"], "depth"), (["--depth", "100000001"], "depth"),
        (["--arch", "cnn"], "arch"), (["--layers", "1,x"], "layers"), (["--every", "0"], "every"),
        (["--sigma-w", "nan"], "sigma-w"), (["--depth", "ten"], "depth"),
    ] as [([String], String)])
    func badInput(_ arguments: [String], _ option: String) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.csv").path
        let result = try CLI.run(["theory"] + arguments + ["--output", output, "--format", "csv"])
        #expect(result.status == 2, "\(arguments): status \(result.status), stderr \(result.standardError)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(option), "\(arguments): \(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// alpha <= 1/2: the forward columns are printed, the gradient columns are empty, and a
    /// warning says why; exit 0.
    @Test func alphaAtMostOneHalfPrintsForwardColumns() throws {
        let result = try CLI.run(["theory", "--activation", "alpha-relu", "--alpha", "0.4", "--depth", "10", "--format", "csv"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("infinite"))
        let csv = try CSVData(text: result.standardOutput)
        #expect(try csv.numbers("p").allSatisfy { $0 != nil })
        #expect(try csv.numbers("log_chi").allSatisfy { $0 == nil })
    }

    /// Values beyond the double range: exit 4, the message names the layer and quantity, and
    /// every earlier row is in the (atomically written) file.
    @Test func overflowExitsFourAfterWritingEarlierRows() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("relu.csv").path
        let result = try CLI.run(["theory", "--activation", "relu", "--sigma-w", "1.5", "--sigma-v", "1.5",
                                  "--depth", "2000", "--format", "csv", "--output", output])
        #expect(result.status == 4)
        // p^l = (1 + r)^l with r = 1.5^4/2: the first layer beyond the double range.
        let firstBad = Int((log(Double.greatestFiniteMagnitude) / log1p(pow(1.5, 4) / 2)).rounded(.down)) + 1
        #expect(result.standardError.contains("layer \(firstBad): p"), "\(result.standardError)")
        let csv = try CSVData(contentsOf: output)
        #expect(csv.rows.count == firstBad)
        #expect(try csv.numbers("layer").last! == Double(firstBad - 1))
    }
}
