import MeanFieldCore
import MeanFieldTheory

/// A column of `meanfield theory` output (shared/CLI.md), plus `one_minus_e` = s/(2p), which
/// keeps its digits when e is close to 1.
public enum TheoryColumn: String, CaseIterable, Sendable {
    case p, q, gamma, lambda, e, c, s
    case oneMinusE = "one_minus_e"
    case logChi = "log_chi"
    case logChiW = "log_chi_w"
    case logChiB = "log_chi_b"
    case logChiV = "log_chi_v"
    case logChiA = "log_chi_a"

    /// Gradient columns are relative to the top layer L: ln(chi^l/chi^L).
    public var isRelativeToTop: Bool {
        switch self {
        case .logChi, .logChiW, .logChiB, .logChiV, .logChiA: return true
        default: return false
        }
    }

    public func value(in row: TheoryRow) -> Double? {
        switch self {
        case .p: return row.p
        case .q: return row.q
        case .gamma: return row.gamma
        case .lambda: return row.lambda
        case .e: return row.e
        case .c: return row.c
        case .s: return row.s
        case .oneMinusE: return row.oneMinusE
        case .logChi: return row.logChi
        case .logChiW: return row.logChiW
        case .logChiB: return row.logChiB
        case .logChiV: return row.logChiV
        case .logChiA: return row.logChiA
        }
    }
}

/// Which layer a quantity is read at: a fixed layer, or counted down from the top layer L.
public enum LayerReference: Sendable, Equatable {
    case absolute(Int)
    /// L - offset (offset 0: the top layer L itself).
    case fromTop(Int)

    public func resolve(depth: Int) -> Int {
        switch self {
        case .absolute(let layer): return layer
        case .fromTop(let offset): return depth - offset
        }
    }
}

/// One quantity of a sweep: `COLUMN@LAYER`, LAYER being a number, `L` (the depth) or `L-K`.
/// Examples: `log_chi@0` (ln(chi^0/chi^L)), `s@L`, `e@L-10`, `p@100`.
public struct QuantitySpec: Sendable, Equatable {
    public let column: TheoryColumn
    public let layer: LayerReference
    /// The canonical spelling, used as the `quantity` field of the output.
    public let text: String

    public init(column: TheoryColumn, layer: LayerReference) {
        self.column = column
        self.layer = layer
        switch layer {
        case .absolute(let k): text = "\(column.rawValue)@\(k)"
        case .fromTop(0): text = "\(column.rawValue)@L"
        case .fromTop(let k): text = "\(column.rawValue)@L-\(k)"
        }
    }

    public init(parsing raw: String, option: String = "quantity") throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> InvalidParameter {
            InvalidParameter(option: option, value: text, reason: reason)
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw fail("expected COLUMN@LAYER, e.g. log_chi@0, s@L, e@L-10 or p@100")
        }
        guard let column = TheoryColumn(rawValue: String(parts[0])) else {
            throw fail("unknown column '\(parts[0])' (one of \(TheoryColumn.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let layerText = parts[1]
        let layer: LayerReference
        if layerText == "L" {
            layer = .fromTop(0)
        } else if layerText.hasPrefix("L-"), let k = Int(layerText.dropFirst(2)), k >= 0 {
            layer = .fromTop(k)
        } else if let k = Int(layerText), k >= 0 {
            layer = .absolute(k)
        } else {
            throw fail("layer '\(layerText)' must be a number >= 0, L or L-K")
        }
        self.init(column: column, layer: layer)
    }

    /// A comma-separated list of quantities.
    public static func list(parsing text: String, option: String = "quantity") throws -> [QuantitySpec] {
        try text.split(separator: ",").map { try QuantitySpec(parsing: String($0), option: option) }
    }

    /// Checks that the layer exists at every depth in `depths`.
    public func validate(depths: [Int], option: String = "quantity") throws {
        for depth in depths {
            let layer = self.layer.resolve(depth: depth)
            guard layer >= 0 && layer <= depth else {
                throw InvalidParameter(option: option, value: text,
                                       reason: "layer \(layer) is outside 0...\(depth) at depth \(depth)")
            }
        }
    }
}
