import CGSL

/// The n-point Gauss–Hermite rule for the standard normal, folded onto the half line for even
/// integrands: E[f(Z)] = sum_i weights[i] (f(nodes[i]) + f(-nodes[i])) / 2 for even n, here
/// stored as nodes x_i > 0 with weights w_i summing to 1 so that E[f(Z)] = sum w_i f(x_i) when
/// f is even. Nodes and weights come from GSL (gsl_integration_fixed, Golub–Welsch).
///
/// For f analytic in the strip |Im z| < d the error falls like exp(-2 d sqrt(2n)); users pick
/// n from the distance of their integrand's singularities and check against adaptive QAG.
public struct HalfGaussHermite: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(order n: Int) {
        precondition(n >= 2 && n % 2 == 0, "an even order keeps the rule symmetric without a node at 0")
        GSL.ensureInitialized()
        // Weight exp(-b (x - a)^2) with a = 0, b = 1/2: the unnormalized standard normal.
        guard let workspace = gsl_integration_fixed_alloc(mf_integration_fixed_hermite(), n, 0, 0.5, 0, 0) else {
            fatalError("gsl_integration_fixed_alloc(hermite, \(n)) failed")
        }
        defer { gsl_integration_fixed_free(workspace) }
        let x = gsl_integration_fixed_nodes(workspace)!, w = gsl_integration_fixed_weights(workspace)!
        let normalization = 1 / (2 * Double.pi).squareRoot()
        var pairs: [(node: Double, weight: Double)] = []
        for i in 0..<n where x[i] > 0 { pairs.append((x[i], 2 * w[i] * normalization)) }
        precondition(pairs.count == n / 2, "GSL returned an asymmetric Hermite rule")
        pairs.sort { $0.node < $1.node }
        nodes = pairs.map(\.node)
        weights = pairs.map(\.weight)
    }

    public var count: Int { nodes.count }
}
