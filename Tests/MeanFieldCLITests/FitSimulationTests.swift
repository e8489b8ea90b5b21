import Foundation
import MeanFieldTestSupport
import Testing

/// `fit --law auto` on simulation output (issue 4): the gradient ratio chi^0/chi^l of finite
/// networks, from `simulate`'s log_chi_mean column, must be classified as the theory predicts:
/// exp-sqrt for tanh FRN (ln(chi^0/chi^l) ~ A sqrt l), power for alpha-ReLU FRN
/// (~ l^R), exponential for ReLU FRN ((1 + r)^l). The engine's own curves at the same depths
/// give the same verdicts (FitValidationTests checks the engine side at greater depth).
/// alpha = 0.9 rather than 0.75: at alpha <= 3/4 the gradient's variance across runs is infinite.
@Suite struct FitSimulationTests {
    @Test(arguments: [
        (["--arch", "frn", "--activation", "tanh", "--depth", "400"], "exp-sqrt"),
        (["--arch", "frn", "--activation", "alpha-relu", "--alpha", "0.9", "--depth", "1000"], "power"),
        (["--arch", "frn", "--activation", "relu", "--depth", "100"], "exponential"),
    ])
    func autoClassifiesSimulatedGradients(_ network: [String], _ expected: String) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulation = directory.appendingPathComponent("sim.csv").path
        let simulated = try CLI.run(["simulate"] + network + ["--width", "500", "--runs", "20", "--seed", "7",
                                                              "--format", "csv", "--output", simulation])
        #expect(simulated.status == 0, "\(simulated.standardError)")

        // chi^0/chi^l = exp(mean ln(chi^0/chi^L) - mean ln(chi^l/chi^L)), layers 1...L.
        let lines = try String(contentsOfFile: simulation, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let layerColumn = try #require(header.firstIndex(of: "layer"))
        let logChiColumn = try #require(header.firstIndex(of: "log_chi_mean"))
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let top = try #require(Double(rows[0][logChiColumn]))
        var ratio = "layer,ratio\n"
        for row in rows.dropFirst() {
            let logChi = try #require(Double(row[logChiColumn]))
            ratio += "\(row[layerColumn]),\(exp(top - logChi))\n"
        }
        let ratioPath = directory.appendingPathComponent("ratio.csv").path
        try ratio.write(toFile: ratioPath, atomically: true, encoding: .utf8)

        let fit = try CLI.run(["fit", "--input", ratioPath, "--y", "ratio", "--law", "auto", "--format", "json"])
        #expect(fit.status == 0, "\(fit.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fit.standardOutput.utf8)) as? [String: Any])
        let candidates = (json["candidates"] as? [[String: Any]] ?? []).map {
            "\($0["law"] ?? "?"): delta AIC \($0["delta_aic"] ?? "-")"
        }
        #expect(json["law"] as? String == expected, "\(network): \(candidates)")
    }
}
