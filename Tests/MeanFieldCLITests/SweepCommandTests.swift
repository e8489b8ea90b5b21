import Foundation
import MeanFieldTestSupport
import MeanFieldIO
import Testing

@Suite struct SweepCommandTests {
    // p0 = 4 keeps the engine in its fast regimes (debug builds run these tests).
    static let grid = ["--grid", "sigma-w=1.5,2.5", "--grid", "depth=5,12", "--sigma-b", "0.3", "--p0", "4",
                       "--quantity", "log_chi@0,e@L", "--quantity", "p@3,log_chi_w@L-2"]

    /// Long format: one row per point and quantity, coordinates first, the values those of
    /// `theory` for the same network (gradients agree to rounding: they are differences of
    /// prefix sums of a run to the largest depth).
    @Test func longFormatMatchesTheory() throws {
        let result = try CLI.run(["sweep"] + Self.grid + ["--threads", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        let csv = try CSVData(text: result.standardOutput)
        #expect(csv.columnNames == ["sigma_w", "depth", "quantity", "layer", "value", "status"])
        #expect(csv.rows.count == 2 * 2 * 4)
        #expect(csv.rows.map { $0[2] }.prefix(4) == ["log_chi@0", "e@L", "p@3", "log_chi_w@L-2"])
        #expect(csv.rows.map { $0[0] + "," + $0[1] }.prefix(8) == ["1.5,5", "1.5,5", "1.5,5", "1.5,5", "1.5,12", "1.5,12", "1.5,12", "1.5,12"])
        for row in csv.rows {
            let depth = Int(row[1])!, layer = Int(row[3])!
            let theory = try CLI.run(["theory", "--sigma-w", row[0], "--sigma-b", "0.3", "--p0", "4", "--depth", String(depth),
                                      "--layers", String(layer), "--format", "csv"])
            let reference = try CSVData(text: theory.standardOutput)
            let column = String(row[2].split(separator: "@")[0])
            let expected = try #require(try reference.numbers(column)[0])
            let value = try #require(Double(row[4]))
            #expect(abs(value - expected) <= 1e-12 * max(1, abs(expected)), "\(row): theory gives \(expected)")
            #expect(row[5] == "ok")
        }
    }

    @Test func outputDoesNotDependOnThreads() throws {
        let one = try CLI.run(["sweep"] + Self.grid + ["--threads", "1"])
        let three = try CLI.run(["sweep"] + Self.grid + ["--threads", "3"])
        #expect(one.status == 0 && three.status == 0)
        #expect(one.standardOutput == three.standardOutput)
    }

    /// Values that do not apply are empty with status missing (q at layer 0; chi_v in RRN).
    @Test func missingValuesAreEmptyWithStatus() throws {
        let result = try CLI.run(["sweep", "--arch", "rrn", "--grid", "sigma-w=1", "--depth", "4", "--quantity", "q@0,log_chi_v@1,p@4"])
        #expect(result.status == 0)
        let csv = try CSVData(text: result.standardOutput)
        #expect(csv.rows.map { $0[3] }.prefix(2) == ["", ""])
        #expect(Double(csv.rows[2][3]) != nil)
        #expect(csv.rows.map { $0[4] } == ["missing", "missing", "ok"])
    }

    /// Values beyond the double range: empty, status failed, a warning names the layer; exit 0.
    @Test func overflowIsReportedPerValue() throws {
        let result = try CLI.run(["sweep", "--activation", "relu", "--sigma-v", "1.5", "--grid", "sigma-w=0.5,1.5",
                                  "--depth", "2000", "--quantity", "p@L,p@10"])
        #expect(result.status == 0, "\(result.standardError)")
        let csv = try CSVData(text: result.standardOutput)
        #expect(csv.rows.map { $0[4] } == ["ok", "ok", "failed", "ok"])
        #expect(result.standardError.contains("layer"), "\(result.standardError)")
    }

    @Test func shardsMergeToTheUnshardedFile() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = directory.appendingPathComponent("whole.csv").path
        #expect(try CLI.run(["sweep"] + Self.grid + ["--output", whole]).status == 0)
        var parts: [String] = []
        for index in 0..<3 {
            let part = directory.appendingPathComponent("part\(index).csv").path
            let result = try CLI.run(["sweep"] + Self.grid + ["--shard", "\(index)/3", "--output", part])
            #expect(result.status == 0, "\(result.standardError)")
            parts.append(part)
        }
        let merged = directory.appendingPathComponent("merged.csv").path
        let merge = try CLI.run(["merge", parts[2], parts[0], parts[1], "--output", merged])
        #expect(merge.status == 0, "\(merge.standardError)")
        #expect(FileManager.default.contents(atPath: merged) == FileManager.default.contents(atPath: whole))

        let missing = try CLI.run(["merge", parts[0], parts[2]])
        #expect(missing.status == 2 && missing.standardError.contains("1/3 missing"), "\(missing.standardError)")
        let repeated = try CLI.run(["merge", parts[0], parts[1], parts[1], parts[2]])
        #expect(repeated.status == 2, "\(repeated.standardError)")
        let other = directory.appendingPathComponent("other.csv").path
        #expect(try CLI.run(["sweep", "--grid", "sigma-w=2,3", "--quantity", "p@L", "--shard", "0/3", "--output", other]).status == 0)
        let foreign = try CLI.run(["merge", other, parts[1], parts[2]])
        #expect(foreign.status == 2 && foreign.standardError.contains("different sweep"), "\(foreign.standardError)")
        let plain = try CLI.run(["merge", whole])
        #expect(plain.status == 2, "\(plain.standardError)")
    }

    /// A sweep killed midway continues from its journal and ends with the same bytes as an
    /// uninterrupted one; the journal is removed when the sweep is complete.
    @Test func resumesAfterKill() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["sweep", "--grid", "sigma-w=1:2.5:6", "--depth", "1000", "--quantity", "log_chi@0,e@L", "--threads", "1"]
        let reference = directory.appendingPathComponent("reference.csv").path
        #expect(try CLI.run(arguments + ["--output", reference]).status == 0)

        let output = directory.appendingPathComponent("sweep.csv").path
        let journal = output + ".partial"
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments + ["--output", output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once the journal holds the header and at least one finished unit.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let lines = (try? String(contentsOfFile: journal, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 2 { break }
            usleep(10_000)
        }
        let interrupted = process.isRunning
        if interrupted { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try #require(interrupted, "the sweep finished before it could be interrupted")
        #expect(!OutputChecks.exists(output))
        #expect(OutputChecks.exists(journal))

        let resumed = try CLI.run(arguments + ["--output", output, "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming"), "\(resumed.standardError)")
        #expect(FileManager.default.contents(atPath: output) == FileManager.default.contents(atPath: reference))
        #expect(!OutputChecks.exists(journal))
    }

    /// A torn last line (a write cut short) is dropped; a journal of another sweep is refused.
    @Test func journalIsChecked() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["sweep", "--grid", "sigma-w=1,2", "--depth", "10", "--quantity", "p@L"]
        let reference = directory.appendingPathComponent("reference.csv").path
        #expect(try CLI.run(arguments + ["--output", reference]).status == 0)
        let output = directory.appendingPathComponent("sweep.csv").path
        // Header of this sweep (from a shard file's first line), then a torn unit line.
        let shard = directory.appendingPathComponent("shard.csv").path
        #expect(try CLI.run(arguments + ["--shard", "0/1", "--output", shard]).status == 0)
        let header = try String(contentsOfFile: shard, encoding: .utf8).split(separator: "\n")[0].dropFirst(2)
        try (header + "\n{\"unit\":0,\"poi").write(toFile: output + ".partial", atomically: true, encoding: .utf8)
        let refused = try CLI.run(arguments + ["--output", output, "--resume"])
        #expect(refused.status == 2 && refused.standardError.contains("different sweep"), "\(refused.standardError)")

        let unsharded = header.replacingOccurrences(of: "\"shard\":\"0/1\"", with: "\"shard\":null")
        try (unsharded + "\n{\"unit\":0,\"poi").write(toFile: output + ".partial", atomically: true, encoding: .utf8)
        let resumed = try CLI.run(arguments + ["--output", output, "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(FileManager.default.contents(atPath: output) == FileManager.default.contents(atPath: reference))
    }

    @Test(arguments: [
        (["--grid", "sigma-x=1:2:3"], "grid"), (["--grid", "sigma-w=1:2"], "grid"), (["--grid", "sigma-w=-1:1:3"], "grid"),
        (["--grid", "depth=0:10:3"], "grid"), (["--grid", "sigma-w=1:2:3:lin"], "grid"), (["--grid", "sigma-w=0:2:3:log"], "grid"),
        (["--grid", "sigma-w=1,2", "--grid", "sigma-w=3"], "grid"), (["--grid", "alpha=0.5,0.7"], "grid"),
        (["--quantity", "foo@0"], "quantity"), (["--quantity", "p@x"], "quantity"), (["--quantity", "p"], "quantity"),
        (["--quantity", "p@200"], "quantity"), (["--quantity", "p@L-200"], "quantity"),
        (["--shard", "3/3"], "shard"), (["--shard", "x"], "shard"), (["--resume"], "resume"), (["--threads", "0"], "threads"),
    ] as [([String], String)])
    func badInput(_ arguments: [String], _ option: String) throws {
        var full = ["sweep", "--depth", "100"] + arguments
        if !arguments.contains("--quantity") { full += ["--quantity", "p@L"] }
        if !arguments.contains("--grid") { full += ["--grid", "sigma-w=1,2"] }
        let result = try CLI.run(full)
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains("--\(option)"), "\(arguments): \(result.standardError)")
    }

    /// levels: the root makes the quantity equal the level (checked with theory), and
    /// sigma_w2_depth = sigma_w^2 L.
    @Test func levelsSolveForSigmaW() throws {
        let result = try CLI.run(["levels", "--arch", "rrn", "--p0", "10", "--quantity", "log_chi@0", "--levels", "4,50",
                                  "--solve", "sigma-w=1:3:5", "--grid", "depth=15,30"])
        #expect(result.status == 0, "\(result.standardError)")
        let csv = try CSVData(text: result.standardOutput)
        #expect(csv.columnNames == ["depth", "quantity", "level", "sigma_w", "sigma_w2_depth", "status"])
        #expect(csv.rows.map { $0[5] } == ["ok", "no-root", "ok", "no-root"])
        #expect(result.standardError.contains("no-root"))
        for row in csv.rows where row[5] == "ok" {
            let sigma = try #require(Double(row[3])), depth = try #require(Double(row[0]))
            #expect(abs(try #require(Double(row[4])) - sigma * sigma * depth) < 1e-9 * depth)
            let theory = try CLI.run(["theory", "--arch", "rrn", "--p0", "10", "--sigma-w", row[3], "--depth", row[0],
                                      "--layers", "0", "--format", "csv"])
            let value = try #require(try CSVData(text: theory.standardOutput).numbers("log_chi")[0])
            #expect(abs(value - 4) < 1e-7, "log_chi@0 = \(value) at sigma_w = \(sigma)")
        }
        let bad = try CLI.run(["levels", "--quantity", "log_chi@0", "--levels", "3", "--solve", "sigma-w=2:1", "--depth", "10"])
        #expect(bad.status == 2 && bad.standardError.contains("--solve"), "\(bad.standardError)")
        let gridded = try CLI.run(["levels", "--quantity", "log_chi@0", "--levels", "3", "--solve", "sigma-w=1:2", "--grid", "sigma-w=1,2"])
        #expect(gridded.status == 2 && gridded.standardError.contains("--solve"), "\(gridded.standardError)")
    }
}
