import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

/// End to end: the built `meanfield predict`.
@Suite struct PredictCommandLineTests {
    @Test func jsonByDefaultWithTheKeysThatApply() throws {
        let run = try CLI.run(["predict", "--arch", "frn", "--activation", "alpha-relu", "--alpha", "0.75"])
        #expect(run.status == 0, "\(run.standardError)")
        let json = try JSONValue.parse(run.standardOutput)
        #expect(json["p_law"]?.stringValue == "power" && json["chi_law"]?.stringValue == "power")
        #expect(json["chi_exponent"]?.doubleValue == 4.5 && json["p_exponent"]?.doubleValue == 4)
        #expect(json["e_star"]?.doubleValue != nil && json["delta_star"]?.doubleValue != nil)
        for absent in ["p_rate", "chi_constant", "chi_rate", "q_star", "phase", "one_minus_e_constant"] {
            #expect(json[absent] == nil, "\(absent) does not apply")
        }
        #expect(json["config"]?["alpha"]?.doubleValue == 0.75)
        #expect(json["notes"]?.arrayValue != nil)
    }

    @Test func feedforwardPhaseAndTable() throws {
        let json = try JSONValue.parse(try CLI.run(["predict", "--arch", "ff", "--sigma-w", "1.5", "--sigma-b", "0.3"]).standardOutput)
        #expect(json["phase"]?.stringValue == "chaotic" && json["p_law"]?.stringValue == "fixed-point")
        for key in ["q_star", "c_star", "chi_1", "chi_c", "xi_q", "xi_c", "chi_rate"] { #expect(json[key]?.doubleValue != nil, "\(key)") }
        let table = try CLI.run(["predict", "--arch", "ff", "--sigma-w", "1.5", "--sigma-b", "0.3", "--format", "table"])
        #expect(table.status == 0 && table.standardOutput.contains("phase") && table.standardOutput.contains("chaotic"))
    }

    @Test func outputFileAndBadInput() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("meanfield-predict-\(ProcessInfo.processInfo.processIdentifier).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try CLI.run(["predict", "--activation", "relu", "--output", path])
        #expect(written.status == 0 && written.standardOutput.isEmpty)
        let json = try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(json["one_minus_e_exponent"]?.doubleValue == 2)

        let bad = try CLI.run(["predict", "--sigma-w", "-1"])
        #expect(bad.status == 2 && bad.standardError.contains("--sigma-w"))
        let missingAlpha = try CLI.run(["predict", "--activation", "alpha-relu"])
        #expect(missingAlpha.status == 2 && missingAlpha.standardError.contains("--alpha"))
    }
}
