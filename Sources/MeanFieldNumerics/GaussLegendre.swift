import CGSL

/// A fixed composite Gauss–Legendre rule: `order` nodes on each panel between consecutive
/// breakpoints. Nodes and weights come from GSL (gsl_integration_glfixed). Used in hot loops
/// where the integrand's structure is known in advance, so that the same nodes serve millions
/// of integrals; its accuracy for each use is established by tests against adaptive QAG.
public struct CompositeGaussLegendre: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(breakpoints: [Double], order: Int) {
        precondition(order >= 1 && breakpoints.count >= 2)
        GSL.ensureInitialized()
        guard let table = gsl_integration_glfixed_table_alloc(order) else {
            fatalError("gsl_integration_glfixed_table_alloc(\(order)) failed")
        }
        defer { gsl_integration_glfixed_table_free(table) }
        var nodes: [Double] = [], weights: [Double] = []
        nodes.reserveCapacity(order * (breakpoints.count - 1))
        for panel in 0..<(breakpoints.count - 1) {
            let a = breakpoints[panel], b = breakpoints[panel + 1]
            precondition(b > a, "breakpoints must increase")
            for i in 0..<order {
                var x = 0.0, w = 0.0
                gsl_integration_glfixed_point(a, b, i, &x, &w, table)
                nodes.append(x)
                weights.append(w)
            }
        }
        self.nodes = nodes
        self.weights = weights
    }

    public var count: Int { nodes.count }

    /// Sum of w_i f(x_i).
    @inlinable
    public func integrate(_ f: (Double) -> Double) -> Double {
        var sum = 0.0
        for i in 0..<nodes.count { sum += weights[i] * f(nodes[i]) }
        return sum
    }
}
