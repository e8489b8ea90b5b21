import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

/// `reproduce NAME --quick`: every file there and valid, the checks in NAME.json sensible.
/// fig2 and fig3-theory take about a minute each in a debug build: slow tests.
@Suite struct ReproduceCommandTests {
    static func reproduce(_ name: String) throws -> (directory: URL, summary: JSONValue) {
        let directory = try CLI.temporaryDirectory()
        let result = try CLI.run(["reproduce", name, "--quick", "--output-dir", directory.path])
        #expect(result.status == 0, "\(name): \(result.standardError)")
        let path = { (file: String) in directory.appendingPathComponent(file).path }
        _ = try OutputChecks.pngSize(path(name + ".png"))
        try OutputChecks.checkSVG(path(name + ".svg"))
        #expect(try String(contentsOfFile: path(name + ".gp"), encoding: .utf8).contains("multiplot"))
        let summary = try OutputChecks.checkJSON(path(name + ".json"))
        #expect(summary["mode"]?.stringValue == "quick")
        #expect(summary["rendered"] == .bool(true))
        let caption = try #require(summary["caption"]?.stringValue)
        #expect(caption.contains("theory"), "\(caption)")
        for file in try #require(summary["files"]?.arrayValue).compactMap(\.stringValue) {
            #expect(OutputChecks.exists(path(file)), "\(file) listed but missing")
            if file.hasSuffix(".csv") { try OutputChecks.checkCSV(path(file)) }
        }
        return (directory, summary)
    }

    @Test func figure1TheoryAgreesWithSimulation() throws {
        let (directory, summary) = try Self.reproduce("fig1")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try #require(summary["caption"]?.stringValue).contains("simulation"))
        for condition in try #require(summary["checks"]?["forward"]?.arrayValue) {
            for quantity in ["p", "gamma", "e"] {
                let share = try #require(condition[quantity]?["share_abs_z_at_most_3"]?.doubleValue)
                #expect(share >= 0.9, "\(quantity): \(share)")
            }
        }
        let chi = try #require(summary["checks"]?["gradients"]?["log_chi"]?["share_abs_z_at_most_3"]?.doubleValue)
        #expect(chi >= 0.9)
    }

    @Test func figureA1() throws {
        let (directory, summary) = try Self.reproduce("figA1")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(summary["checks"]?.arrayValue?.count == 6)
    }

    /// The local log-log slopes settle on the predicted exponents of p and chi.
    @Test func figureA2SlopesApproachExponents() throws {
        let (directory, summary) = try Self.reproduce("figA2")
        defer { try? FileManager.default.removeItem(at: directory) }
        for check in try #require(summary["checks"]?.arrayValue) {
            let r = try #require(check["R"]?.doubleValue), slope = try #require(check["R_slope"]?.doubleValue)
            #expect(abs(slope - r) < 0.02 * r, "alpha \(check["alpha"]!): R \(r), slope \(slope)")
            let p = try #require(check["p_exponent"]?.doubleValue), pSlope = try #require(check["p_slope"]?.doubleValue)
            #expect(abs(pSlope - p) < 0.02 * p)
        }
    }

    @Test(.enabled(if: TestSettings.slow)) func figure2() throws {
        let (directory, summary) = try Self.reproduce("fig2")
        defer { try? FileManager.default.removeItem(at: directory) }
        let eStar = try #require(summary["checks"]?["e_star"]?.doubleValue)
        #expect(abs(eStar - 0.5) < 1e-12)   // sigma_a^2/sigma_v^2 = 1/3: e* = 1/2 exactly
        for check in try #require(summary["checks"]?["gradient_slopes"]?.arrayValue) {
            let a = try #require(check["A_predicted"]?.doubleValue), slope = try #require(check["slope_in_sqrt_l_second_half"]?.doubleValue)
            #expect(abs(slope - a) < 0.1 * a, "A \(a), slope \(slope)")
        }
    }

    /// Along each level curve of ln(chi^0/chi^L), sigma_w^2 L at the deepest point is near the
    /// leading-order value (level/A1)^2.
    @Test(.enabled(if: TestSettings.slow)) func figure3Theory() throws {
        let (directory, summary) = try Self.reproduce("fig3-theory")
        defer { try? FileManager.default.removeItem(at: directory) }
        for arch in ["rrn", "frn"] {
            for level in try #require(summary["checks"]?[arch]?["levels"]?.arrayValue) {
                let deepest = try #require(level["sigma_w2_L_at_deepest"]?.doubleValue)
                let leading = try #require(level["leading_order_sigma_w2_L"]?.doubleValue)
                #expect(abs(deepest / leading - 1) < 0.2, "\(arch): \(deepest) vs \(leading)")
            }
        }
    }

    @Test func badInput() throws {
        let unknown = try CLI.run(["reproduce", "fig9", "--output-dir", "/tmp/unused-meanfield"])
        #expect(unknown.status == 2 && unknown.standardError.contains("fig9"), "\(unknown.standardError)")
        let threads = try CLI.run(["reproduce", "fig1", "--output-dir", "/tmp/unused-meanfield", "--threads", "0"])
        #expect(threads.status == 2 && threads.standardError.contains("--threads"), "\(threads.standardError)")
        let directory = try CLI.run(["reproduce", "fig1", "--output-dir", "/proc/meanfield-cannot-exist"])
        #expect(directory.status == 2 && directory.standardError.contains("--output-dir"), "\(directory.standardError)")
    }
}

/// Every subcommand's --help shows examples; completion scripts are generated.
@Suite struct HelpTests {
    @Test(arguments: ["theory", "simulate", "fit", "sweep", "merge", "levels", "plot", "reproduce"])
    func helpHasExamples(_ command: String) throws {
        let result = try CLI.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Examples:") || result.standardOutput.contains("Example:"),
                "\(command) --help has no examples")
        #expect(result.standardOutput.contains("meanfield \(command)"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) throws {
        let result = try CLI.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("reproduce") && result.standardOutput.contains("sweep"))
    }
}

/// Docs/cli.md (generated by scripts/generate-cli-docs.sh) has a section for every subcommand
/// listing every option its --help shows: rerun the script after changing options.
@Suite struct CLIReferenceTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs/cli.md")

    @Test func everyOptionIsDocumented() throws {
        let text = try String(contentsOf: Self.reference, encoding: .utf8)
        let root = try CLI.run(["--help"]).standardOutput
        let commands = root.components(separatedBy: "SUBCOMMANDS:")[1].split(separator: "\n")
            .filter { $0.hasPrefix("  ") && $0.dropFirst(2).first?.isLowercase == true }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(commands.count >= 8)
        let sections = text.components(separatedBy: "\n## meanfield ")
        for command in commands {
            let section = try #require(sections.first { $0.hasPrefix(command + "\n") },
                                       "Docs/cli.md has no section for \(command): run scripts/generate-cli-docs.sh")
            let help = try CLI.run([command, "--help"]).standardOutput
            let options = help.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.drop { $0 == " " }
                guard trimmed.hasPrefix("--"), line.hasPrefix("  ") else { return nil }
                return trimmed.split(separator: " ").first.map(String.init)
            }
            for option in options {
                #expect(section.contains(option), "Docs/cli.md, \(command): \(option) missing; run scripts/generate-cli-docs.sh")
            }
        }
    }
}
