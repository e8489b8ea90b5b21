import Foundation
import MeanFieldIO

/// The files of a rendered figure and what happened.
public struct RenderedFigure: Sendable {
    /// Every file written, pictures last.
    public var files: [String]
    /// False when gnuplot is missing: the data and the script are there, the pictures not.
    public var rendered: Bool
    public var warnings: [String]
}

public struct PlotError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// Writes a figure's data (CSV), its gnuplot script and, through gnuplot, the PNG and SVG
/// pictures, all into one directory. The script is standalone: `gnuplot NAME.gp` in that
/// directory redraws both pictures from the data files.
public enum Gnuplot {
    public static let installHint =
        "gnuplot was not found, so only the data and the script were written; install it (Debian/Ubuntu: apt-get install gnuplot-nox; macOS: brew install gnuplot) and run the script, or set MEANFIELD_GNUPLOT to its path"

    /// gnuplot from $MEANFIELD_GNUPLOT if set, else the first on $PATH.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit = environment["MEANFIELD_GNUPLOT"] {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @discardableResult
    public static func render(_ figure: PlotFigure, in directory: String, provenance: String) throws -> RenderedFigure {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = GnuplotScript(figure: figure, provenance: provenance)
        var files: [String] = []
        for (name, text) in script.dataFiles {
            let path = directory + "/" + name
            try AtomicFile.write(text, to: path)
            files.append(path)
        }
        let scriptPath = directory + "/" + script.scriptName
        try AtomicFile.write(script.text, to: scriptPath)
        files.append(scriptPath)

        guard let gnuplot = executable() else {
            return RenderedFigure(files: files, rendered: false, warnings: [installHint])
        }
        // Draw into temporary names, then rename: a reader never sees half a picture.
        let token = UUID().uuidString.prefix(8)
        let temporary = ["png", "svg"].map { ".\(figure.name).\($0).tmp-\(token)" }
        defer { for name in temporary { unlink(directory + "/" + name) } }
        let (status, messages) = try run(gnuplot, in: directory, arguments: [
            "-e", "png_output='\(temporary[0])'; svg_output='\(temporary[1])'", script.scriptName,
        ])
        guard status == 0 else {
            let first = messages.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            throw PlotError(message: "gnuplot failed on \(scriptPath) (status \(status)): \(first.map(String.init) ?? "no message")")
        }
        for (name, ext) in zip(temporary, ["png", "svg"]) {
            let final = directory + "/" + figure.name + "." + ext
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
            guard size > 0, rename(directory + "/" + name, final) == 0 else {
                throw PlotError(message: "gnuplot did not write \(final)")
            }
            files.append(final)
        }
        let warnings = messages.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.map { "gnuplot: \($0)" }
        return RenderedFigure(files: files, rendered: true, warnings: warnings)
    }

    /// Runs a program; standard error goes through a file so no pipe can fill up.
    static func run(_ program: String, in directory: String, arguments: [String]) throws -> (Int32, String) {
        let errorURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("meanfield-gnuplot-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        do {
            try process.run()
        } catch {
            throw PlotError(message: "cannot run \(program): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        try errorHandle.close()
        let messages = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, messages)
    }
}
