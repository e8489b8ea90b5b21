/// A figure as data: panels of curves (with optional one-standard-deviation bands) and
/// heatmaps with contour lines. `Gnuplot` turns it into data files, a script and pictures.
public struct PlotFigure: Sendable {
    /// Base name of every file written ("fig1" gives fig1.png, fig1.svg, fig1.gp, fig1-a.csv).
    public var name: String
    public var title: String?
    public var panels: [PlotPanel]
    public var columns: Int
    public var panelWidth: Int
    public var panelHeight: Int
    /// Labels use gnuplot's enhanced text (x^2, σ_w); off for labels taken from column names.
    public var enhancedText: Bool

    public init(name: String, title: String? = nil, panels: [PlotPanel], columns: Int? = nil,
                panelWidth: Int = 600, panelHeight: Int = 450, enhancedText: Bool = true) {
        self.name = name
        self.title = title
        self.panels = panels
        self.columns = max(1, min(columns ?? panels.count, panels.count))
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.enhancedText = enhancedText
    }

    public var rows: Int { (panels.count + columns - 1) / columns }
}

public struct PlotAxis: Sendable {
    public var label: String
    public var logarithmic: Bool
    public var minimum: Double?
    public var maximum: Double?

    public init(_ label: String, logarithmic: Bool = false, minimum: Double? = nil, maximum: Double? = nil) {
        self.label = label
        self.logarithmic = logarithmic
        self.minimum = minimum
        self.maximum = maximum
    }
}

public enum KeyPosition: String, Sendable, CaseIterable {
    case topLeft = "top left", topRight = "top right", bottomLeft = "bottom left",
         bottomRight = "bottom right", outside = "outside right top", below = "below center horizontal",
         hidden = "off"
}

public struct PlotSeries: Sendable {
    public enum Style: String, Sendable, CaseIterable {
        case line, dashed, dotted, points, linePoints = "linepoints"
    }

    public var title: String?
    public var x: [Double]
    public var y: [Double?]
    /// Half-width of a shaded band around y (one standard deviation), drawn beneath the line.
    public var spread: [Double?]?
    public var style: Style
    /// Series with the same index share a colour (a simulation and its theory curve).
    public var colorIndex: Int?
    /// A fixed colour ("#rrggbb"), overriding colorIndex.
    public var color: String?
    public var lineWidth: Double

    public init(title: String?, x: [Double], y: [Double?], spread: [Double?]? = nil,
                style: Style = .line, colorIndex: Int? = nil, color: String? = nil, lineWidth: Double = 1.5) {
        precondition(x.count == y.count && (spread == nil || spread!.count == x.count),
                     "series columns must have equal lengths")
        self.title = title
        self.x = x
        self.y = y
        self.spread = spread
        self.style = style
        self.colorIndex = colorIndex
        self.color = color
        self.lineWidth = lineWidth
    }
}

/// Values on a rectangular grid, drawn as coloured cells (each cell spans halfway to its
/// neighbours, geometrically on log axes), with contour lines at given levels.
public struct Heatmap: Sendable {
    /// Ascending grid values.
    public var x: [Double]
    public var y: [Double]
    /// z[j][i] at (x[i], y[j]); nil leaves the cell empty.
    public var z: [[Double?]]
    public var label: String
    public var logarithmicColor: Bool
    public var contourLevels: [Double]

    public init(x: [Double], y: [Double], z: [[Double?]], label: String, logarithmicColor: Bool = false,
                contourLevels: [Double] = []) {
        precondition(z.count == y.count && z.allSatisfy { $0.count == x.count }, "z must be y.count rows of x.count")
        self.x = x
        self.y = y
        self.z = z
        self.label = label
        self.logarithmicColor = logarithmicColor
        self.contourLevels = contourLevels
    }
}

/// Text at a point of the graph (e.g. the level of a curve).
public struct PlotLabel: Sendable {
    public var x: Double
    public var y: Double
    public var text: String
    public var color: String

    public init(x: Double, y: Double, text: String, color: String = "#000000") {
        self.x = x
        self.y = y
        self.text = text
        self.color = color
    }
}

public struct PlotPanel: Sendable {
    public var title: String?
    public var xAxis: PlotAxis
    public var yAxis: PlotAxis
    public var series: [PlotSeries]
    public var heatmap: Heatmap?
    public var key: KeyPosition
    /// A line of text in the panel's corner (parameters, provenance).
    public var note: String?
    public var labels: [PlotLabel]

    public init(title: String? = nil, xAxis: PlotAxis, yAxis: PlotAxis, series: [PlotSeries] = [],
                heatmap: Heatmap? = nil, key: KeyPosition = .topLeft, note: String? = nil, labels: [PlotLabel] = []) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.heatmap = heatmap
        self.key = key
        self.note = note
        self.labels = labels
    }
}
