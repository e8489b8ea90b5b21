import Foundation
import MeanFieldIO

/// The gnuplot script of a figure and its data files (CSV: a header line, then one block per
/// series separated by two blank lines, which gnuplot addresses with `index`).
struct GnuplotScript {
    let figure: PlotFigure
    let provenance: String
    private(set) var dataFiles: [(name: String, text: String)] = []
    private(set) var text = ""

    var scriptName: String { figure.name + ".gp" }

    /// Distinct colours (Tableau 10), in order of colour index.
    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    init(figure: PlotFigure, provenance: String) {
        self.figure = figure
        self.provenance = provenance
        var panels: [String] = []
        for (index, panel) in figure.panels.enumerated() {
            let suffix = figure.panels.count == 1 ? "" : "-" + Self.letter(index)
            panels.append(makePanel(panel, fileStem: figure.name + suffix, tag: Self.letter(index)))
        }
        text = header(panels: panels)
    }

    static func letter(_ index: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return index < letters.count ? String(letters[index]) : "p\(index)"
    }

    /// A gnuplot string literal (double quotes: escapes are interpreted, so \ and " are escaped).
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return NumberFormat.roundTrip(x)
    }

    private func header(panels: [String]) -> String {
        let width = figure.panelWidth * figure.columns
        let height = figure.panelHeight * figure.rows + (figure.title == nil ? 0 : 40)
        let enhanced = figure.enhancedText ? "enhanced" : "noenhanced"
        var out = """
            # \(figure.name).gp: \(provenance.replacingOccurrences(of: "\n", with: " "))
            # Redraw with `gnuplot \(scriptName)` in this directory: writes \(figure.name).png and \(figure.name).svg.
            # Data: \(dataFiles.map(\.name).joined(separator: ", "))
            if (!exists("png_output")) png_output = "\(figure.name).png"
            if (!exists("svg_output")) svg_output = "\(figure.name).svg"
            set encoding utf8
            do for [format = 1:2] {
                if (format == 1) {
                    set terminal pngcairo size \(width),\(height) \(enhanced) font "Sans,11" background "white"
                    set output png_output
                } else {
                    set terminal svg size \(width),\(height) \(enhanced) font "Sans,11" background "white"
                    set output svg_output
                }

            """
        var layout = "    set multiplot layout \(figure.rows),\(figure.columns)"
        if let title = figure.title { layout += " title \(Self.quoted(title)) font \",13\"" }
        out += layout + "\n"
        for panel in panels { out += panel }
        out += "    unset multiplot\n    unset output\n}\n"
        return out
    }

    private mutating func makePanel(_ panel: PlotPanel, fileStem: String, tag: String) -> String {
        var lines: [String] = ["reset", "set datafile separator comma"]
        if let title = panel.title { lines.append("set title \(Self.quoted(title))") }
        lines.append("set xlabel \(Self.quoted(panel.xAxis.label))")
        lines.append("set ylabel \(Self.quoted(panel.yAxis.label))")
        if panel.heatmap == nil { lines.append("set grid back lc rgb \"#e0e0e0\"") }
        let extent = Self.extent(of: panel)
        for (name, axis, range) in [("x", panel.xAxis, extent.x), ("y", panel.yAxis, extent.y)] {
            if axis.logarithmic {
                lines.append("set logscale \(name)")
                let lower = axis.minimum ?? range?.lowerBound, upper = axis.maximum ?? range?.upperBound
                if let lower, let upper, let ticks = Self.logTicks(lower, upper) {
                    // Less than two decades: 10^k alone would leave the axis nearly bare.
                    lines.append("set \(name)tics (\(ticks.map { Self.number($0) }.joined(separator: ", ")))")
                    lines.append("set format \(name) \"%g\"")
                    // Autoscaling would round the range out to whole decades; the margin keeps
                    // ticks at the ends from being dropped by rounding.
                    if axis.minimum == nil && axis.maximum == nil {
                        lines.append("set \(name)range [\(Self.number(lower * (1 - 1e-9))):\(Self.number(upper * (1 + 1e-9)))]")
                    }
                } else {
                    // 10^{%L} needs enhanced text.
                    lines.append("set format \(name) \(figure.enhancedText ? "\"10^{%L}\"" : "\"%g\"")")
                }
            }
            if axis.minimum != nil || axis.maximum != nil {
                lines.append("set \(name)range [\(Self.number(axis.minimum).nilIfEmpty ?? "*"):\(Self.number(axis.maximum).nilIfEmpty ?? "*")]")
            }
        }
        if panel.key == .hidden || !panel.series.contains(where: { $0.title != nil }) {
            lines.append("set key off")
        } else {
            // Inside the frame the key hides data: give it an opaque box.
            let frame = panel.key == .below || panel.key == .outside ? "nobox" : "box opaque"
            lines.append("set key \(panel.key.rawValue) Left reverse \(frame) samplen 2.5 spacing 1.1 width 2 font \",10\"")
        }
        if let note = panel.note {
            lines.append("set label 99 \(Self.quoted(note)) at graph 0.98, graph 0.03 right front font \",9\"")
        }
        for (index, label) in panel.labels.enumerated() {
            lines.append("set label \(index + 1) \(Self.quoted(label.text)) at \(Self.number(label.x)), \(Self.number(label.y)) front tc rgb \"\(label.color)\" font \",10\" offset 0.5,0.5")
        }
        var items: [String] = []
        if let heatmap = panel.heatmap {
            let name = fileStem + "-heatmap.csv"
            dataFiles.append((name, Self.heatmapData(heatmap, logX: panel.xAxis.logarithmic, logY: panel.yAxis.logarithmic)))
            lines += [
                "set palette defined (0 \"#440154\", 1 \"#3b528b\", 2 \"#21918c\", 3 \"#5ec962\", 4 \"#fde725\")",
                "set cblabel \(Self.quoted(heatmap.label)) offset 1.5,0",
                "set colorbox",
            ]
            let colorValues = heatmap.z.joined().compactMap { $0 }.filter { $0.isFinite && (!heatmap.logarithmicColor || $0 > 0) }
            if let low = colorValues.min(), let high = colorValues.max(), low < high {
                lines.append("set cbrange [\(Self.number(low)):\(Self.number(high))]")
            }
            if heatmap.logarithmicColor { lines += ["set logscale cb", "set format cb \(figure.enhancedText ? "\"10^{%L}\"" : "\"%g\"")"] }
            lines.append("set tics front")
            for (axisName, axis, values) in [("x", panel.xAxis, heatmap.x), ("y", panel.yAxis, heatmap.y)]
                where axis.minimum == nil && axis.maximum == nil {
                let edges = Self.cellEdges(values, logarithmic: axis.logarithmic)
                lines.append("set \(axisName)range [\(Self.number(edges.first)):\(Self.number(edges.last))]")
            }
            // Antialiased cell edges let the background show through as light seams: under the
            // exact cells lies a layer of cells stretched halfway over their upper and right
            // neighbours, so the seams show a neighbouring colour instead.
            items.append("'\(name)' skip 1 using 1:2:4:($5+0.5*($5-$4)):6:($7+0.5*($7-$6)):3 with boxxyerror fc palette fs solid 1.0 noborder notitle")
            items.append("'\(name)' skip 1 using 1:2:4:5:6:7:3 with boxxyerror fc palette fs solid 1.0 noborder notitle")
            if !heatmap.contourLevels.isEmpty {
                let block = "$contours_\(tag)"
                // Contour lines from the grid (gnuplot's contouring needs a surface plot),
                // computed before any axis format is set: table output is written with them.
                lines.insert(contentsOf: [
                    "set contour base", "unset surface",
                    "set cntrparam levels discrete \(heatmap.contourLevels.map { Self.number($0) }.joined(separator: ","))",
                    "set table \(block)",
                    "splot '\(name)' skip 1 using 1:2:3 with lines notitle",
                    "unset table", "unset contour", "set surface",
                    // The table is whitespace-separated; one separator holds for a whole plot.
                    "set print \(block)_csv",
                    "do for [i = 1:|\(block)|] {",
                    "    line = \(block)[i]",
                    "    if (words(line) == 3 && word(line, 1) ne \"#\") { print sprintf(\"%s,%s,%s\", word(line, 1), word(line, 2), word(line, 3)) } else { print \"\" }",
                    "}",
                    "unset print",
                ], at: 2)
                items.append("\(block)_csv using 1:2 with lines lc rgb \"white\" lw 1.5 notitle")
                items.append("\(block)_csv every 8::3 using 1:2:(sprintf(\"%g\", $3)) with labels tc rgb \"white\" font \",9\" notitle")
            }
        }
        if !panel.series.isEmpty {
            let name = fileStem + ".csv"
            dataFiles.append((name, Self.seriesData(panel.series)))
            // Bands first, so that every line is drawn over every band.
            for (index, series) in panel.series.enumerated() where series.spread != nil {
                items.append("'\(name)' skip 1 index \(index) using 2:($3-$4):($3+$4) with filledcurves fc rgb \"\(color(of: series, index))\" fs transparent solid 0.22 noborder notitle")
            }
            for (index, series) in panel.series.enumerated() {
                items.append("'\(name)' skip 1 index \(index) using 2:3 \(style(of: series, index)) \(series.title.map { "title \(Self.quoted($0))" } ?? "notitle")")
            }
        }
        if items.isEmpty { items.append("NaN notitle") }
        lines.append("plot " + items.joined(separator: ", \\\n         "))
        return lines.map { "    " + $0 }.joined(separator: "\n") + "\n"
    }

    private func color(of series: PlotSeries, _ index: Int) -> String {
        series.color ?? Self.colors[(series.colorIndex ?? index) % Self.colors.count]
    }

    private func style(of series: PlotSeries, _ index: Int) -> String {
        let color = "lc rgb \"\(color(of: series, index))\""
        let width = "lw \(Self.number(series.lineWidth))"
        switch series.style {
        case .line: return "with lines \(color) \(width) dt 1"
        case .dashed: return "with lines \(color) \(width) dt (8,5)"
        case .dotted: return "with lines \(color) \(width) dt (2,4)"
        case .points: return "with points \(color) pt 7 ps 0.6"
        case .linePoints: return "with linespoints \(color) \(width) pt 7 ps 0.6"
        }
    }

    /// The data's x and y ranges (positive values only on log axes), heatmap cells included.
    static func extent(of panel: PlotPanel) -> (x: ClosedRange<Double>?, y: ClosedRange<Double>?) {
        var xs: [Double] = [], ys: [Double] = []
        for series in panel.series {
            for (i, x) in series.x.enumerated() {
                guard let y = series.y[i] else { continue }
                xs.append(x)
                let spread = series.spread?[i] ?? nil
                ys += spread.map { [y - $0, y + $0] } ?? [y]
            }
        }
        if let heatmap = panel.heatmap {
            xs += cellEdges(heatmap.x, logarithmic: panel.xAxis.logarithmic)
            ys += cellEdges(heatmap.y, logarithmic: panel.yAxis.logarithmic)
        }
        func range(_ values: [Double], _ logarithmic: Bool) -> ClosedRange<Double>? {
            let usable = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
            guard let low = usable.min(), let high = usable.max() else { return nil }
            return low...high
        }
        return (range(xs, panel.xAxis.logarithmic), range(ys, panel.yAxis.logarithmic))
    }

    /// Tick marks 1, 2, 5 (or finer) times powers of ten inside [lower, upper] when the range
    /// spans less than two decades; nil otherwise.
    static func logTicks(_ lower: Double, _ upper: Double) -> [Double]? {
        guard lower > 0, upper > lower, upper / lower < 100 else { return nil }
        let mantissas: [Double] = upper / lower < 10 ? [1, 1.5, 2, 3, 4, 5, 6, 8] : [1, 2, 3, 5]
        var ticks: [Double] = []
        var decade = pow(10, floor(log10(lower)))
        while decade <= upper {
            for m in mantissas {
                // Round to shed the binary noise of m * 10^k (0.30000000000000004).
                let tick = Double(String(format: "%.12g", m * decade))!
                if tick >= lower * (1 - 1e-12) && tick <= upper * (1 + 1e-12) { ticks.append(tick) }
            }
            decade *= 10
        }
        return ticks.count >= 2 ? ticks : nil
    }

    static func seriesData(_ series: [PlotSeries]) -> String {
        var out = "series,x,y,spread\n"
        for (index, one) in series.enumerated() {
            if index > 0 { out += "\n\n" }
            let name = (one.title ?? "series \(index + 1)").replacingOccurrences(of: ",", with: ";")
                .replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\n", with: " ")
            for i in one.x.indices {
                out += "\(name),\(number(one.x[i])),\(number(one.y[i])),\(number(one.spread?[i] ?? nil))\n"
            }
        }
        return out
    }

    /// Cell boundaries halfway between neighbours (geometrically on log axes).
    static func cellEdges(_ values: [Double], logarithmic: Bool) -> [Double] {
        guard values.count > 1 else {
            let v = values.first ?? 0
            return logarithmic ? [v / 1.1, v * 1.1] : [v - 0.5, v + 0.5]
        }
        func middle(_ a: Double, _ b: Double) -> Double { logarithmic ? (a * b).squareRoot() : (a + b) / 2 }
        // The outer edges mirror the first and last inner ones.
        func mirror(_ value: Double, _ edge: Double) -> Double { logarithmic ? value * value / edge : 2 * value - edge }
        let n = values.count
        let inner = (0..<(n - 1)).map { middle(values[$0], values[$0 + 1]) }
        return [mirror(values[0], inner[0])] + inner + [mirror(values[n - 1], inner[n - 2])]
    }

    /// x, y, z and the cell's edges; one block per y value (gnuplot contours need them).
    static func heatmapData(_ heatmap: Heatmap, logX: Bool, logY: Bool) -> String {
        let xEdges = cellEdges(heatmap.x, logarithmic: logX), yEdges = cellEdges(heatmap.y, logarithmic: logY)
        var out = "x,y,z,x_low,x_high,y_low,y_high\n"
        for (j, y) in heatmap.y.enumerated() {
            if j > 0 { out += "\n" }
            for (i, x) in heatmap.x.enumerated() {
                var z = heatmap.z[j][i]
                if heatmap.logarithmicColor, let value = z, value <= 0 { z = nil }
                out += "\(number(x)),\(number(y)),\(number(z)),\(number(xEdges[i])),\(number(xEdges[i + 1])),\(number(yEdges[j])),\(number(yEdges[j + 1]))\n"
            }
        }
        return out
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
