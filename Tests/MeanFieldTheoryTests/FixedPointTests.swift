import Foundation
import Testing
@testable import MeanFieldTheory
import MeanFieldCore

/// FF fixed point and depth scales (THEORY.md section 7) against
/// Tests/References/fixed_point_reference.py and closed forms.
@Suite struct FixedPointTests {
    /// ReLU: q* = sigma_b^2/(1 - sigma_w^2/2), chi_1 = sigma_w^2/2, c* = 1, chi_c = chi_1,
    /// xi_c = -1/ln chi_1, and E[phi'' phi] = 0 so xi_q = xi_c.
    @Test func reluClosedForms() throws {
        let (sw, sb) = (1.2, 0.4)
        let config = NetworkConfiguration(architecture: .feedforward, activation: ReLU(), sigmaW: sw, sigmaB: sb, depth: 1)
        let point = try FeedforwardFixedPoint.solve(config)
        let chi1 = sw * sw / 2
        #expect(relativeError(point.qStar!, sb * sb / (1 - chi1)) < 1e-14)
        #expect(relativeError(point.chi1!, chi1) < 1e-15)
        #expect(point.cStar == 1)
        #expect(relativeError(point.chiC!, chi1) < 1e-15)
        #expect(relativeError(point.xiC!, -1 / log(chi1)) < 1e-14)
        #expect(relativeError(point.xiQ!, -1 / log(chi1)) < 1e-14)
        #expect(point.phase == .ordered)
        // He initialization is critical; beyond it q grows without bound.
        let he = NetworkConfiguration(architecture: .feedforward, activation: ReLU(), sigmaW: 2.0.squareRoot(), depth: 1)
        #expect(try FeedforwardFixedPoint.solve(he).phase == .critical)
        let exploding = NetworkConfiguration(architecture: .feedforward, activation: ReLU(), sigmaW: 1.6, sigmaB: 0.1, depth: 1)
        let unbounded = try FeedforwardFixedPoint.solve(exploding)
        #expect(unbounded.qStar == nil && unbounded.phase == .chaotic)
    }

    @Test func againstReference() throws {
        let reference = try References.load("fixed_point_reference.json")
        for (name, activation) in [("tanh", Tanh() as any Activation), ("erf", Erf())] {
            for entry in reference[name]!.arrayValue! {
                let sw = References.number(entry["sigma_w"]), sb = References.number(entry["sigma_b"])
                let config = NetworkConfiguration(architecture: .feedforward, activation: activation,
                                                  sigmaW: sw, sigmaB: sb, depth: 1)
                let point = try FeedforwardFixedPoint.solve(config)
                #expect(relativeError(point.qStar!, References.number(entry["q_star"])) < 1e-12, "\(name) q* \(sw) \(sb)")
                #expect(relativeError(point.chi1!, References.number(entry["chi_1"])) < 1e-12, "\(name) chi_1 \(sw) \(sb)")
                if let cStar = entry["c_star"], cStar != .null {
                    #expect(abs(point.cStar! - References.number(cStar)) < 1e-11, "\(name) c* \(sw) \(sb)")
                    #expect(relativeError(point.chiC!, References.number(entry["chi_c"])) < 1e-10)
                }
                if let xi = entry["xi_q"], xi != .null {
                    #expect(relativeError(point.xiQ!, References.number(xi)) < 1e-11)
                }
                if let xi = entry["xi_c"], xi != .null {
                    #expect(relativeError(point.xiC!, References.number(xi)) < 1e-9)
                }
            }
        }
    }

    /// The edge of chaos for ReLU at sigma_b = 0 is sigma_w = sqrt 2; for tanh chi_1 = 1 there.
    @Test func edgeOfChaos() throws {
        let relu = try FeedforwardFixedPoint.criticalSigmaW(activation: ReLU(), sigmaB: 0.3)
        #expect(abs(relu - 2.0.squareRoot()) < 1e-13)
        let tanh = try FeedforwardFixedPoint.criticalSigmaW(activation: Tanh(), sigmaB: 0.3)
        let config = NetworkConfiguration(architecture: .feedforward, activation: Tanh(), sigmaW: tanh, sigmaB: 0.3, depth: 1)
        #expect(abs(try FeedforwardFixedPoint.solve(config).chi1! - 1) < 1e-10)
    }
}
