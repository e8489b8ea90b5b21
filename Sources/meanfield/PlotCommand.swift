import ArgumentParser
import Foundation
import MeanFieldCore
import MeanFieldIO
import MeanFieldPlot

extension KeyPosition: ExpressibleByArgument {
    public init?(argument: String) {
        let names: [String: KeyPosition] = ["top-left": .topLeft, "top-right": .topRight, "bottom-left": .bottomLeft,
                                            "bottom-right": .bottomRight, "outside": .outside, "below": .below,
                                            "off": .hidden]
        guard let position = names[argument] else { return nil }
        self = position
    }
    public static var allValueStrings: [String] { ["top-left", "top-right", "bottom-left", "bottom-right", "outside", "below", "off"] }
}

extension PlotSeries.Style: ExpressibleByArgument {}

enum PlotKind: String, ExpressibleByArgument, CaseIterable {
    case lines, points, heatmap
}

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Renders CSV output as PNG and SVG through gnuplot (data and script alongside).",
        discussion: """
            Writes BASE.png and BASE.svg, the gnuplot script BASE.gp and the data it reads \
            (BASE.csv, and BASE-heatmap.csv for heatmaps), for --output BASE (a .png or .svg \
            suffix is dropped). `gnuplot BASE.gp` redraws the pictures. Without gnuplot the \
            data and the script are still written, a warning says how to install it \
            (apt-get install gnuplot-nox), and the exit status is 0. MEANFIELD_GNUPLOT names \
            the gnuplot executable to use.

            lines/points: one curve per --y column (and per value of --by), optionally with \
            a shaded band y +- --band (e.g. a spread of runs, one standard deviation). \
            --overlay draws curves from a second file over them, in matching colours (theory \
            over simulation means). heatmap: --x, --y, --z on a grid (a sweep's long format \
            after --where quantity=...), colour cells with --contours lines; --overlay curves \
            (e.g. level curves) on top. Rows are filtered with --where COLUMN=VALUE.

            Examples:
              meanfield plot --input sim.csv --y p_mean --band p_std --overlay theory.csv \\
                --overlay-y p --title "p, tanh FRN" --output p
              meanfield plot --input sweep.csv --kind heatmap --where quantity=log_chi@0 \\
                --x sigma_w --y depth --z value --logx --logy --contours 2,5,10 --output heat
              meanfield plot --input theory.csv --y log_chi --logy --output chi.png
            """)

    @Option(help: ArgumentHelp("The CSV file to plot.", valueName: "FILE"))
    var input: String

    @Option(help: "lines, points or heatmap.")
    var kind: PlotKind = .lines

    @Option(help: ArgumentHelp("The x column.", valueName: "COLUMN"))
    var x: String = "layer"

    @Option(help: ArgumentHelp("y column(s), comma-separated (heatmap: one).", valueName: "COLUMNS"))
    var y: String

    @Option(help: ArgumentHelp("Heatmap colour column.", valueName: "COLUMN"))
    var z: String = "value"

    @Option(help: ArgumentHelp("Band half-width column(s) for the --y columns (one standard deviation: simulate's X_std).", valueName: "COLUMNS"))
    var band: String?

    @Option(help: ArgumentHelp("One curve per distinct value of COLUMN.", valueName: "COLUMN"))
    var by: String?

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep rows whose COLUMN equals VALUE (repeatable).", valueName: "COLUMN=VALUE"))
    var filters: [String] = []

    @Option(help: ArgumentHelp("A second CSV file drawn over the first.", valueName: "FILE"))
    var overlay: String?

    @Option(name: .customLong("overlay-x"), help: ArgumentHelp("Its x column (default: --x).", valueName: "COLUMN"))
    var overlayX: String?

    @Option(name: .customLong("overlay-y"), help: ArgumentHelp("Its y column(s), paired in order with --y for colours.", valueName: "COLUMNS"))
    var overlayY: String?

    @Option(name: .customLong("overlay-by"), help: ArgumentHelp("One overlay curve per distinct value of COLUMN.", valueName: "COLUMN"))
    var overlayBy: String?

    @Option(name: .customLong("overlay-where"), help: ArgumentHelp("Keep overlay rows whose COLUMN equals VALUE (repeatable).", valueName: "COLUMN=VALUE"))
    var overlayFilters: [String] = []

    @Option(name: .customLong("overlay-style"), help: "Overlay curve style: line, dashed, dotted, points, linepoints.")
    var overlayStyle: PlotSeries.Style = .dashed

    @Option(name: .customLong("overlay-label"), help: ArgumentHelp("Legend suffix of overlay curves (e.g. theory).", valueName: "TEXT"))
    var overlayLabel: String?

    @Option(help: ArgumentHelp("Legend suffix of the input's curves (e.g. simulation).", valueName: "TEXT"))
    var label: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Heatmap contour levels, comma-separated.", valueName: "LIST"))
    var contours: String?

    @Flag(help: "Logarithmic x axis.") var logx = false
    @Flag(help: "Logarithmic y axis.") var logy = false
    @Flag(help: "Logarithmic heatmap colours.") var logz = false

    @Option(help: ArgumentHelp("Figure title.", valueName: "TEXT")) var title: String?
    @Option(help: ArgumentHelp("x axis label (default: the column).", valueName: "TEXT")) var xlabel: String?
    @Option(help: ArgumentHelp("y axis label (default: the column(s)).", valueName: "TEXT")) var ylabel: String?
    @Option(help: ArgumentHelp("Colour bar label (default: the --z column).", valueName: "TEXT")) var zlabel: String?

    @Option(help: "Legend position: top-left, top-right, bottom-left, bottom-right, outside, below, off.")
    var key: KeyPosition = .topLeft

    @Option(help: ArgumentHelp("Picture size in pixels.", valueName: "WxH"))
    var size: String = "800x600"

    @Option(help: ArgumentHelp("Base path of the files written (BASE.png, BASE.svg, BASE.gp, BASE.csv).", valueName: "BASE"))
    var output: String

    func run() throws {
        let (width, height) = try parseSize()
        let table = try PlotTable(path: input, option: "input", filters: filters)
        let yColumns = Self.columns(y)
        var series: [PlotSeries] = []
        var heatmap: Heatmap?
        switch kind {
        case .lines, .points:
            let bands = band.map(Self.columns) ?? []
            guard bands.isEmpty || bands.count == yColumns.count else {
                throw InvalidParameter(option: "band", value: band!, reason: "give one band column per --y column (\(yColumns.count))")
            }
            series = try table.series(x: x, y: yColumns, bands: bands, by: by, suffix: label,
                                      style: kind == .points ? .points : .line)
        case .heatmap:
            guard yColumns.count == 1 else {
                throw InvalidParameter(option: "y", value: y, reason: "a heatmap takes one y column")
            }
            let levels = try contours.map { text in
                try text.split(separator: ",").map { field -> Double in
                    guard let value = Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                        throw InvalidParameter(option: "contours", value: text, reason: "'\(field)' is not a finite number")
                    }
                    return value
                }
            } ?? []
            heatmap = try table.heatmap(x: x, y: yColumns[0], z: z, label: zlabel ?? z, logarithmicColor: logz,
                                        contours: levels, logX: logx, logY: logy)
        }
        if let overlay {
            let overlayTable = try PlotTable(path: overlay, option: "overlay", filters: overlayFilters)
            let overlayColumns = overlayY.map(Self.columns) ?? yColumns
            // Over a heatmap the y column is the map's axis: name the curves by label or file.
            let overlayName = overlayLabel ?? (kind == .heatmap ? URL(fileURLWithPath: overlay).lastPathComponent : nil)
            var extra = try overlayTable.series(x: overlayX ?? x, y: overlayColumns, bands: [], by: overlayBy,
                                                suffix: overlayName, style: overlayStyle, namingColumns: kind != .heatmap)
            for index in extra.indices {
                extra[index].colorIndex = kind == .heatmap ? nil : index % max(series.count, 1)
                if kind == .heatmap { extra[index].color = GnuplotPalette.light(index) }
                extra[index].lineWidth = 2
            }
            series += extra
        }
        let panel = PlotPanel(title: nil, xAxis: PlotAxis(xlabel ?? x, logarithmic: logx),
                              yAxis: PlotAxis(ylabel ?? yColumns.joined(separator: ", "), logarithmic: logy),
                              series: series, heatmap: heatmap, key: key)
        let url = URL(fileURLWithPath: output)
        var base = url.lastPathComponent
        for suffix in [".png", ".svg", ".gp"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        guard !base.isEmpty else { throw InvalidParameter(option: "output", value: output, reason: "needs a file name") }
        let figure = PlotFigure(name: base, title: title, panels: [panel], columns: 1,
                                panelWidth: width, panelHeight: height, enhancedText: false)
        let rendered = try Gnuplot.render(figure, in: url.deletingLastPathComponent().path,
                                          provenance: "meanfield plot " + CommandLine.arguments.dropFirst(2).joined(separator: " "))
        CommandLineRunner.printWarnings(rendered.warnings)
        CommandLineRunner.printNote("wrote " + rendered.files.joined(separator: ", "))
    }

    func parseSize() throws -> (Int, Int) {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (100...10_000).contains(w), (100...10_000).contains(h) else {
            throw InvalidParameter(option: "size", value: size, reason: "expected WIDTHxHEIGHT in pixels, each 100...10000")
        }
        return (w, h)
    }

    static func columns(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Colours for curves drawn over a heatmap (light, to stand out on the dark palette).
enum GnuplotPalette {
    static let lights = ["#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#f7b6d2", "#9edae5"]
    static func light(_ index: Int) -> String { lights[index % lights.count] }
}

/// A CSV file filtered by COLUMN=VALUE conditions, read into plot series or a heatmap grid.
struct PlotTable {
    let csv: CSVData
    let rows: [[String]]
    let option: String

    init(path: String, option: String, filters: [String]) throws {
        do {
            csv = try CSVData(contentsOf: path)
        } catch let error as CSVError {
            throw InvalidParameter(option: option, value: path, reason: error.message)
        }
        self.option = option
        var rows = csv.rows
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw InvalidParameter(option: option == "input" ? "where" : "overlay-where", value: filter, reason: "expected COLUMN=VALUE")
            }
            let column = String(filter[..<equals]), value = String(filter[filter.index(after: equals)...])
            guard let index = csv.index(of: column) else {
                throw InvalidParameter(option: option == "input" ? "where" : "overlay-where", value: filter,
                                       reason: "no column '\(column)' in \(path) (columns: \(csv.columnNames.joined(separator: ", ")))")
            }
            let number = Double(value)
            rows = rows.filter { row in
                let field = row[index].trimmingCharacters(in: .whitespaces)
                if field == value { return true }
                if let number, let other = Double(field) { return number == other }
                return false
            }
        }
        guard !rows.isEmpty else {
            throw InvalidParameter(option: option, value: path, reason: filters.isEmpty ? "has no data rows" : "no rows match \(filters.joined(separator: " "))")
        }
        self.rows = rows
    }

    func index(_ column: String, role: String) throws -> Int {
        guard let index = csv.index(of: column) else {
            throw InvalidParameter(option: role, value: column,
                                   reason: "no such column in \(csv.source) (columns: \(csv.columnNames.joined(separator: ", ")))")
        }
        return index
    }

    func number(_ row: [String], _ index: Int, role: String) throws -> Double? {
        let field = row[index].trimmingCharacters(in: .whitespaces)
        if field.isEmpty { return nil }
        guard let value = Double(field), value.isFinite else {
            throw InvalidParameter(option: role, value: csv.columnNames[index],
                                   reason: "'\(field)' in \(csv.source) is not a finite number")
        }
        return value
    }

    /// `namingColumns`: put the y column in the curve's title when it could be ambiguous.
    func series(x: String, y: [String], bands: [String], by: String?, suffix: String?,
                style: PlotSeries.Style, namingColumns: Bool = true) throws -> [PlotSeries] {
        let prefix = option == "input" ? "" : "overlay-"
        let xIndex = try index(x, role: prefix + "x")
        let yIndices = try y.map { try index($0, role: prefix + "y") }
        let bandIndices = try bands.map { try index($0, role: "band") }
        let groups: [(String?, [[String]])]
        if let by {
            let byIndex = try index(by, role: prefix + "by")
            var order: [String] = []
            var members: [String: [[String]]] = [:]
            for row in rows {
                let key = row[byIndex]
                if members[key] == nil { order.append(key) }
                members[key, default: []].append(row)
            }
            // Numbers in legends to 6 significant digits (grid values carry rounding noise).
            groups = order.map { key in
                let shown = Double(key).map { NumberFormat.significant($0, digits: 6) } ?? key
                return ("\(by)=\(shown)", members[key]!)
            }
        } else {
            groups = [(nil, rows)]
        }
        var result: [PlotSeries] = []
        for (group, groupRows) in groups {
            for (k, yIndex) in yIndices.enumerated() {
                var xs: [Double] = [], ys: [Double?] = [], spreads: [Double?] = []
                for row in groupRows {
                    guard let xValue = try number(row, xIndex, role: prefix + "x") else { continue }
                    xs.append(xValue)
                    ys.append(try number(row, yIndex, role: prefix + "y"))
                    if !bandIndices.isEmpty { spreads.append(try number(row, bandIndices[k], role: "band")) }
                }
                let named = namingColumns && (y.count > 1 || group == nil)
                let title = [named ? y[k] : nil, group, suffix].compactMap { $0 }.joined(separator: ", ")
                result.append(PlotSeries(title: title, x: xs, y: ys, spread: bandIndices.isEmpty ? nil : spreads,
                                         style: style, colorIndex: result.count))
            }
        }
        return result
    }

    func heatmap(x: String, y: String, z: String, label: String, logarithmicColor: Bool, contours: [Double],
                 logX: Bool, logY: Bool) throws -> Heatmap {
        let xIndex = try index(x, role: "x"), yIndex = try index(y, role: "y"), zIndex = try index(z, role: "z")
        var cells: [[Double]: Double?] = [:]
        for row in rows {
            guard let xValue = try number(row, xIndex, role: "x"), let yValue = try number(row, yIndex, role: "y") else { continue }
            guard cells[[xValue, yValue]] == nil else {
                throw InvalidParameter(option: "where", value: "\(x)=\(xValue) \(y)=\(yValue)",
                                       reason: "several rows share this cell; select one with --where (e.g. --where quantity=log_chi@0)")
            }
            cells[[xValue, yValue]] = .some(try number(row, zIndex, role: "z"))
        }
        let xs = Set(cells.keys.map { $0[0] }).sorted(), ys = Set(cells.keys.map { $0[1] }).sorted()
        for (values, axis, log) in [(xs, x, logX), (ys, y, logY)] where log && values.first! <= 0 {
            throw InvalidParameter(option: axis == x ? "logx" : "logy", value: axis, reason: "a log axis needs positive values")
        }
        let grid = ys.map { yValue in xs.map { xValue in cells[[xValue, yValue]] ?? nil } }
        return Heatmap(x: xs, y: ys, z: grid, label: label, logarithmicColor: logarithmicColor, contourLevels: contours)
    }
}
