import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

@Suite struct PlotCommandTests {
    /// Theory over simulation means with a one-sd band: PNG of the requested size, SVG, the
    /// script and the data (CSV with both curves).
    @Test func linesWithBandAndOverlay() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let theory = directory.appendingPathComponent("theory.csv").path
        let simulation = directory.appendingPathComponent("sim.csv").path
        #expect(try CLI.run(["theory", "--depth", "30", "--format", "csv", "--output", theory]).status == 0)
        #expect(try CLI.run(["simulate", "--depth", "30", "--width", "200", "--runs", "5", "--format", "csv", "--output", simulation]).status == 0)
        let base = directory.appendingPathComponent("p").path
        let result = try CLI.run(["plot", "--input", simulation, "--y", "p_mean,e_mean", "--band", "p_std,e_std", "--logy",
                                  "--overlay", theory, "--overlay-y", "p,e", "--overlay-label", "theory", "--label", "simulation",
                                  "--title", "tanh FRN", "--size", "700x500", "--output", base + ".png"])
        #expect(result.status == 0, "\(result.standardError)")
        let size = try OutputChecks.pngSize(base + ".png")
        #expect(size.width == 700 && size.height == 540, "\(size)")   // + 40 for the title
        try OutputChecks.checkSVG(base + ".svg")
        let data = try OutputChecks.checkCSV(base + ".csv", columns: ["series", "x", "y", "spread"])
        #expect(Set(data.rows.map { $0[0] }) == ["p_mean; simulation", "e_mean; simulation", "p; theory", "e; theory"])
        let script = try String(contentsOfFile: base + ".gp", encoding: .utf8)
        #expect(script.contains("filledcurves") && script.contains("'p.csv'"))
    }

    /// A sweep's long format as a heatmap with contour lines.
    @Test func heatmapFromSweep() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweep = directory.appendingPathComponent("sweep.csv").path
        #expect(try CLI.run(["sweep", "--grid", "sigma-w=1:3:5", "--grid", "depth=10:40:4", "--quantity", "log_chi@0,s@L",
                             "--output", sweep]).status == 0)
        let base = directory.appendingPathComponent("heat").path
        let result = try CLI.run(["plot", "--input", sweep, "--kind", "heatmap", "--where", "quantity=log_chi@0", "--x", "sigma_w",
                                  "--y", "depth", "--logy", "--contours", "5,10", "--output", base])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!result.standardError.contains("warning"), "\(result.standardError)")
        _ = try OutputChecks.pngSize(base + ".png")
        try OutputChecks.checkSVG(base + ".svg")
        let cells = try OutputChecks.checkCSV(base + "-heatmap.csv", columns: ["x", "y", "z", "x_low", "x_high", "y_low", "y_high"])
        #expect(cells.rows.count == 20)
        // Without --where, two quantities share each cell: refused.
        let ambiguous = try CLI.run(["plot", "--input", sweep, "--kind", "heatmap", "--x", "sigma_w", "--y", "depth", "--output", base])
        #expect(ambiguous.status == 2 && ambiguous.standardError.contains("--where"), "\(ambiguous.standardError)")
    }

    /// Without gnuplot: the data and the script, a warning with the install command, exit 0.
    @Test func withoutGnuplotWritesDataAndScript() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let theory = directory.appendingPathComponent("theory.csv").path
        #expect(try CLI.run(["theory", "--depth", "10", "--format", "csv", "--output", theory]).status == 0)
        let base = directory.appendingPathComponent("p").path
        let result = try CLI.run(["plot", "--input", theory, "--y", "p", "--output", base],
                                 environment: ["MEANFIELD_GNUPLOT": "/nonexistent/gnuplot"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("apt-get install gnuplot-nox"), "\(result.standardError)")
        #expect(OutputChecks.exists(base + ".gp") && OutputChecks.exists(base + ".csv"))
        #expect(!OutputChecks.exists(base + ".png") && !OutputChecks.exists(base + ".svg"))
    }

    @Test(arguments: [
        (["--y", "nope"], "y"), (["--y", "p", "--size", "10x10"], "size"), (["--y", "p", "--band", "p_std,e_std"], "band"),
        (["--y", "p", "--where", "layer"], "where"), (["--y", "p", "--where", "foo=1"], "where"),
        (["--y", "p", "--where", "layer=1000"], "input"), (["--y", "p", "--kind", "pie"], "kind"),
        (["--y", "p", "--overlay", "/nonexistent.csv"], "overlay"), (["--y", "p,e", "--kind", "heatmap"], "y"),
    ] as [([String], String)])
    func badInput(_ arguments: [String], _ option: String) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let theory = directory.appendingPathComponent("theory.csv").path
        #expect(try CLI.run(["theory", "--depth", "10", "--format", "csv", "--output", theory]).status == 0)
        let base = directory.appendingPathComponent("out").path
        let result = try CLI.run(["plot", "--input", theory, "--output", base] + arguments)
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains("--\(option)"), "\(arguments): \(result.standardError)")
        #expect(!OutputChecks.exists(base + ".gp"))
    }
}
