import MeanFieldCore

/// One row of the theory output (shared/CLI.md `theory`). nil means "does not apply" (q,
/// lambda, c at layer 0; chi_v, chi_a outside FRN; gradients where V phi' diverges).
public struct TheoryRow: Sendable, Equatable {
    public var layer: Int
    public var p: Double
    public var q: Double?
    public var gamma: Double
    public var lambda: Double?
    public var e: Double
    public var c: Double?
    /// Metric expressivity s = <(x - x')^2> = 2 (p - gamma), from its own recurrence.
    public var s: Double
    /// ln(chi^l / chi^L).
    public var logChi: Double?
    /// ln(chi_W^l / chi^L), ln(chi_b^l / chi^L), ... for layers 1...L.
    public var logChiW: Double?
    public var logChiB: Double?
    public var logChiV: Double?
    public var logChiA: Double?

    public init(layer: Int, p: Double, q: Double?, gamma: Double, lambda: Double?, e: Double,
                c: Double?, s: Double) {
        self.layer = layer
        self.p = p
        self.q = q
        self.gamma = gamma
        self.lambda = lambda
        self.e = e
        self.c = c
        self.s = s
    }

    /// 1 - e = s / (2p), without the cancellation of 1 - e when e is close to 1.
    public var oneMinusE: Double { s / (2 * p) }
}

/// The run stopped being representable: values of `layer` (and beyond) leave the double
/// range. Rows before it are valid and kept.
public struct NumericalFailure: Error, CustomStringConvertible, Sendable, Equatable {
    public let layer: Int
    public let quantity: String
    public let reason: String

    public init(layer: Int, quantity: String, reason: String) {
        self.layer = layer
        self.quantity = quantity
        self.reason = reason
    }

    public var description: String { "layer \(layer): \(quantity) \(reason)" }
}

/// The infinite-width curve of one configuration.
public struct TheoryCurve: Sendable {
    public let configuration: NetworkConfiguration
    /// The selected layers among 0...L, in order, up to (excluding) the failure layer.
    public var rows: [TheoryRow]
    public var warnings: [String]
    /// Set when values stopped being representable before layer L.
    public var failure: NumericalFailure?
    /// The stated accuracy of every value (relative), established by the test suite against
    /// independent references (Docs/accuracy.md).
    public var relativeAccuracy: Double
}
