import CGSL
import Foundation
import Testing
@testable import MeanFieldNumerics

/// Our Newton-built Gauss–Hermite rule against GSL's Golub–Welsch rule (an independent
/// construction), and against the normal moments E Z^(2k) = (2k - 1)!!.
@Suite struct GaussHermiteTests {
    @Test(arguments: [80, 160, 320, 640, 1280, 2560])
    func agreesWithGolubWelsch(order n: Int) throws {
        let rule = HalfGaussHermite(order: n)
        GSL.ensureInitialized()
        let workspace = try #require(gsl_integration_fixed_alloc(mf_integration_fixed_hermite(), n, 0, 0.5, 0, 0))
        defer { gsl_integration_fixed_free(workspace) }
        let x = gsl_integration_fixed_nodes(workspace)!, w = gsl_integration_fixed_weights(workspace)!
        var reference: [(Double, Double)] = []
        for i in 0..<n where x[i] > 0 { reference.append((x[i], 2 * w[i] / (2 * Double.pi).squareRoot())) }
        reference.sort { $0.0 < $1.0 }
        var worstNode = 0.0, worstWeight = 0.0
        // GSL's nodes beyond ours carry weights below 1e-300 of the largest.
        for (i, (node, weight)) in reference.enumerated() {
            guard i < rule.count else {
                #expect(weight < 1e-290 * rule.weights[0])
                continue
            }
            worstNode = max(worstNode, abs(rule.nodes[i] - node) / node)
            // Weights far below the largest carry GSL's absolute error; compare them absolutely.
            worstWeight = max(worstWeight, abs(rule.weights[i] - weight) / max(weight, 1e-3 * rule.weights[0]))
        }
        #expect(worstNode < 1e-13, "order \(n): nodes differ by \(worstNode) relative")
        #expect(worstWeight < 1e-12, "order \(n): weights differ by \(worstWeight)")
        // E Z^0 = 1, E Z^2 = 1, E Z^4 = 3, E Z^6 = 15 (exact for n/2 > 3).
        for (power, moment) in [(0.0, 1.0), (2, 1), (4, 3), (6, 15)] {
            let sum = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * pow($1.0, power) }
            #expect(abs(sum - moment) < 1e-13 * moment, "order \(n): E Z^\(power) = \(sum)")
        }
    }
}
