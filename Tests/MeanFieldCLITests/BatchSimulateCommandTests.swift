import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

/// simulate's batch engine and reproduce for the companion papers, through the executable.
@Suite struct BatchSimulateCommandTests {
    static let extraColumns = ["log_sensitivity", "sensitivity_factor", "eff_rank", "mu4", "nu1",
                               "rank_proxy", "soft_rank"]

    @Test func batchNormCSVHasTheContractColumns() throws {
        let result = try CLI.run(["simulate", "--arch", "bn-ff", "--activation", "relu", "--width", "32",
                                  "--batch", "8", "--depth", "6", "--runs", "3", "--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        let csv = try CSVData(text: result.standardOutput)
        let header = result.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix("layer,p_mean,p_std,gamma_mean,gamma_std,e_mean,e_std,s_mean,s_std,chi_ratio_mean,chi_ratio_std,log_chi_mean,log_chi_std"))
        for stem in Self.extraColumns {
            #expect(header.contains("\(stem)_mean,\(stem)_std"), "\(stem)")
        }
        #expect(csv.rows.count == 7)
        #expect(try csv.numbers("log_sensitivity_mean").first! == 0)
        #expect(!result.standardOutput.lowercased().contains("nan"))
        #expect(!result.standardOutput.lowercased().contains("inf"))
    }

    @Test func regimeReportInJSON() throws {
        let result = try CLI.run(["simulate", "--arch", "bn-ff", "--activation", "relu", "--sigma-w", "1.414",
                                  "--width", "64", "--batch", "16", "--depth", "40", "--runs", "4",
                                  "--regime", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONValue.parse(result.standardOutput)
        #expect(json["regime"]?["regime"]?.stringValue == "exploding-sensitivity")
        #expect(json["regime"]?["pathological"] == .bool(true))
        #expect(json["config"]?["arch"]?.stringValue == "bn-ff")
        #expect(json["columns"]?["eff_rank_mean"]?.arrayValue?.count == 41)
    }

    @Test func zeroBranchesOnFRNKeepTheGradientColumns() throws {
        let result = try CLI.run(["simulate", "--arch", "frn", "--zero-branches", "--width", "32",
                                  "--depth", "5", "--runs", "2", "--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        let csv = try CSVData(text: result.standardOutput)
        #expect(try csv.numbers("chi_ratio_mean").allSatisfy { $0 == 1 })
        #expect(Set(try csv.numbers("p_mean")).count == 1)
    }

    /// Bad input: one line on stderr naming the option, exit status 2.
    @Test(arguments: [
        (["simulate", "--arch", "bn-ff", "--batch", "1"], "--batch"),
        (["simulate", "--arch", "bn-res", "--sublayers", "0"], "--sublayers"),
        (["simulate", "--arch", "bn-chain", "--skip-gamma", "-1"], "--skip-gamma"),
        (["simulate", "--arch", "bn-chain", "--soft-rank-tau", "0"], "--soft-rank-tau"),
        (["simulate", "--arch", "bn-chain", "--soft-rank-tau", "1.5"], "--soft-rank-tau"),
        (["simulate", "--arch", "ff", "--sublayers", "2"], "--sublayers"),
        (["simulate", "--arch", "bn-ff", "--bn-epsilon", "-0.1"], "--bn-epsilon"),
        (["simulate", "--arch", "ff", "--weights", "looks-linear", "--activation", "tanh"], "--weights"),
        (["theory", "--arch", "bn-ff"], "--arch"),
        (["theory", "--arch", "linear-chain"], "--arch"),
        (["reproduce", "labatie-fig9", "--output-dir", "/tmp"], "labatie-fig9"),
        (["reproduce", "fig1", "--full", "--output-dir", "/tmp"], "--full"),
    ])
    func badInputIsOneLineAndStatus2(arguments: [String], option: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(result.standardError.contains(option), "\(result.standardError)")
    }

    @Test func quickReproductionWritesDataScriptAndPictures() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["reproduce", "daneshmand-fig2", "--quick", "--output-dir", directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        for file in ["daneshmand-fig2.gp", "daneshmand-fig2.json", "daneshmand-fig2-linear-bn.csv",
                     "daneshmand-fig2-relu-vanilla.csv"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        let gnuplot = ["/usr/bin/gnuplot", "/usr/local/bin/gnuplot"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if gnuplot {
            for file in ["daneshmand-fig2.png", "daneshmand-fig2.svg"] {
                let size = try FileManager.default.attributesOfItem(
                    atPath: directory.appendingPathComponent(file).path)[.size] as? Int ?? 0
                #expect(size > 1000, "\(file)")
            }
        }
        let json = try JSONValue.parse(String(contentsOf: directory.appendingPathComponent("daneshmand-fig2.json"), encoding: .utf8))
        #expect(json["checks"]?["linear_vanilla_final_rank_proxy"]?.doubleValue ?? 99 < 2)
    }
}
