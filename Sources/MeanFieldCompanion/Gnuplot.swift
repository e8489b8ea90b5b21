import Foundation

/// A gnuplot script for one figure: panels of curves read from CSV files by column name,
/// written once for PNG and once for SVG. Self-contained (the general `plot` facility lives on
/// another branch); Docs/companion-papers.md.
struct GnuplotFigure {
    struct Curve {
        /// CSV file name (relative to the script's directory); nil: `y` is a function of x.
        var file: String?
        var x: String
        /// A column name, or a gnuplot expression in parentheses (of x for functions).
        var y: String
        var title: String
        var style = "lines lw 2"
        /// A shaded band between two expressions (nil: none).
        var band: (lower: String, upper: String)? = nil
        var axes = "x1y1"

        /// Mean with a band of `scale` standard deviations, from `stem`_mean and `stem`_std.
        static func mean(_ file: String, _ stem: String, title: String, x: String = "layer",
                         scale: Double = 1, style: String = "lines lw 2", axes: String = "x1y1") -> Curve {
            let mean = "column(\"\(stem)_mean\")"
            let std = "\(scale)*column(\"\(stem)_std\")"
            return Curve(file: file, x: x, y: "\(stem)_mean", title: title, style: style,
                         band: ("(\(mean)-\(std))", "(\(mean)+\(std))"), axes: axes)
        }
    }

    struct Panel {
        var title: String
        var xLabel: String
        var yLabel: String
        var y2Label: String? = nil
        var logX = false
        var logY = false
        var curves: [Curve]
        /// Extra gnuplot lines before the plot (ranges, references).
        var settings: [String] = []
    }

    var title: String
    var rows: Int
    var columns: Int
    var panels: [Panel]
    var width = 1400
    var height = 1000

    private func expression(_ column: String) -> String {
        column.hasPrefix("(") ? column : "\"\(column)\""
    }

    private func panelCommands(_ panel: Panel) -> [String] {
        var lines = ["reset", "set datafile separator ','", "set grid lc rgb '#dddddd'",
                     "set key top left box opaque", "set title \"\(panel.title)\"",
                     "set xlabel \"\(panel.xLabel)\"", "set ylabel \"\(panel.yLabel)\""]
        if panel.logX { lines.append("set logscale x") }
        if panel.logY { lines.append("set logscale y"); lines.append("set format y '10^{%T}'") }
        if let y2 = panel.y2Label {
            lines += ["set y2label \"\(y2)\"", "set ytics nomirror", "set y2tics"]
        }
        lines += panel.settings
        var items: [String] = []
        for (index, curve) in panel.curves.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            guard let file = curve.file else {
                items.append("\(curve.y) axes \(curve.axes) with \(curve.style) lc rgb '\(color)' "
                    + "title \"\(curve.title)\"")
                continue
            }
            if let band = curve.band {
                items.append("'\(file)' using \(expression(curve.x)):\(band.lower):\(band.upper) "
                    + "axes \(curve.axes) with filledcurves fs transparent solid 0.18 noborder "
                    + "lc rgb '\(color)' notitle")
            }
            items.append("'\(file)' using \(expression(curve.x)):\(expression(curve.y)) "
                + "axes \(curve.axes) with \(curve.style) lc rgb '\(color)' title \"\(curve.title)\"")
        }
        lines.append("plot " + items.joined(separator: ", \\\n     "))
        return lines
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

    /// The script: PNG then SVG of the same multiplot.
    func script(basename: String) -> String {
        var lines = ["# \(title)", "# Regenerate the pictures: gnuplot \(basename).gp", "set encoding utf8"]
        for (terminal, file) in [("pngcairo size \(width),\(height) font ',11' enhanced", "\(basename).png"),
                                 ("svg size \(width),\(height) font ',11' enhanced dynamic", "\(basename).svg")] {
            lines += ["set terminal \(terminal)", "set output '\(file)'",
                      "set multiplot layout \(rows),\(columns) title \"\(title)\" font ',13'"]
            for panel in panels { lines += panelCommands(panel) }
            lines += ["unset multiplot", "set output"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs gnuplot on `scriptPath` in its directory; false when gnuplot is not installed.
    static func render(scriptPath: String) throws -> Bool {
        let directory = URL(fileURLWithPath: scriptPath).deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gnuplot", URL(fileURLWithPath: scriptPath).lastPathComponent]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { return false }
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self)
            throw FigureError.gnuplotFailed(scriptPath, text.split(separator: "\n").last.map(String.init) ?? "")
        }
        return true
    }
}

public enum FigureError: Error, CustomStringConvertible {
    case gnuplotFailed(String, String)

    public var description: String {
        switch self {
        case .gnuplotFailed(let script, let message): return "gnuplot failed on \(script): \(message)"
        }
    }
}
