import Foundation
import MeanFieldCore
import MeanFieldTheory
import Testing
@testable import MeanFieldAsymptotics

/// Which keys apply to which configuration, the closed-form constants, and bad input.
@Suite struct PredictionTests {
    func keys(_ config: NetworkConfiguration) throws -> Set<String> {
        Set(try AsymptoticPrediction.predict(config).entries.map(\.key))
    }

    @Test func keysPerCase() throws {
        #expect(try keys(configuration(.fullResidual, Tanh())) == [
            "e_star", "delta_star", "p_law", "p_rate", "chi_law", "chi_constant", "s_rate",
            "p_sqrt_coefficient", "p_log_coefficient"])
        #expect(try keys(configuration(.fullResidual, AlphaReLU(alpha: 0.75))) == [
            "e_star", "delta_star", "p_law", "p_exponent", "p_prefactor", "chi_law", "chi_exponent"])
        #expect(try keys(configuration(.fullResidual, AlphaReLU(alpha: 0.4))) == [
            "e_star", "delta_star", "p_law", "p_exponent", "p_prefactor", "chi_law"])
        #expect(try keys(configuration(.fullResidual, ReLU())) == [
            "e_star", "delta_star", "p_law", "p_rate", "p_prefactor", "chi_law", "chi_rate",
            "one_minus_e_exponent", "one_minus_e_constant"])
        #expect(try keys(configuration(.feedforward, Tanh(), sigmaW: 1.5, sigmaB: 0.3)) == [
            "p_law", "chi_law", "chi_rate", "q_star", "c_star", "chi_1", "chi_c", "xi_q", "xi_c",
            "phase", "p_star"])
        #expect(try keys(configuration(.fullResidual, AlphaReLU(alpha: 1.5))) == [
            "p_law", "chi_law", "p_blowup_layer"])
        #expect(try keys(configuration(.fullResidual, GELU())).isEmpty)
        // Entries follow the contract order, then the extra keys.
        let order = Prediction.contractKeys + Prediction.extraKeys
        for config in [configuration(.fullResidual, Tanh()), configuration(.feedforward, Tanh(), sigmaW: 1.5)] {
            let listed = try AsymptoticPrediction.predict(config).entries.map { order.firstIndex(of: $0.key)! }
            #expect(listed == listed.sorted())
        }
    }

    /// The closed forms of THEORY.md section 6 as printed, for one configuration each.
    @Test func closedFormConstants() throws {
        // tanh FRN, B = sigma_v^2 + sigma_a^2.
        let tanh = try AsymptoticPrediction.predict(configuration(.fullResidual, Tanh(), sigmaW: 2, sigmaV: 1.5, sigmaA: 0.5))
        let b = 2.5, sv2 = 2.25
        #expect(tanh.pRate == b)
        #expect(relativeError(tanh.pSqrtCoefficient!, 2 * (2 / Double.pi).squareRoot() * sv2 / (2 * b.squareRoot())) < 1e-15)
        #expect(relativeError(tanh.pLogCoefficient!, 2 / Double.pi * sv2 * sv2 / (4 * b * b)) < 1e-15)
        #expect(relativeError(tanh.chiConstant!, 4.0 / 3 * (2 / Double.pi).squareRoot() * 2 * sv2 / b.squareRoot()) < 1e-15)
        #expect(relativeError(tanh.sRate!, 2 * b * (1 - tanh.eStar!)) < 1e-15)
        // alpha-ReLU FRN: p ~ ((1 - alpha) K l)^(1/(1 - alpha)), R = alpha^2/((1-alpha)(2 alpha - 1)).
        let alpha = 2.0 / 3.0
        let relu = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: alpha), sigmaW: 1.5, sigmaV: 0.7))
        let k = 0.49 * (try ArcCosineKernel.meanSquareConstant(order: alpha)) * pow(1.5, 2 * alpha)
        #expect(relativeError(relu.pPrefactor!, pow((1 - alpha) * k, 3)) < 1e-14)
        #expect(relativeError(relu.chiExponent!, 4) < 1e-14)
        // ReLU FRN: C = (9 pi^2/2)(1 + 2/(sigma_v^2 sigma_w^2))^2.
        let plain = try AsymptoticPrediction.predict(configuration(.fullResidual, ReLU(), sigmaW: 1.2, sigmaV: 0.8))
        #expect(relativeError(plain.oneMinusEConstant!, 9 * Double.pi * Double.pi / 2 * pow(1 + 2 / (0.64 * 1.44), 2)) < 1e-15)
        #expect(relativeError(plain.chiRate!, log1p(0.64 * 1.44 / 2)) < 1e-15 && plain.pRate == plain.chiRate)
    }

    /// sigma_a > 0 with alpha/(1 - alpha) < delta* (alpha below 0.2648): the forced exponent.
    @Test func forcedCorrelationExponent() throws {
        let forced = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: 0.2), sigmaA: 1))
        #expect(forced.deltaStar == 0.25 / 1.0 && forced.deltaStarUnforced! > 0.25)
        let unforced = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: 0.2)))
        #expect(unforced.deltaStar == forced.deltaStarUnforced && unforced.deltaStarUnforced == nil)
        // Above the crossing sigma_a does not change the exponent.
        let above = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: 0.4), sigmaA: 1))
        #expect(above.deltaStarUnforced == nil)
    }

    @Test func notesExplainWhatIsMissing() throws {
        let undefined = try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: 0.5)))
        #expect(undefined.chiLaw == .undefined && undefined.notes.contains { $0.contains("does not exist") })
        let gelu = try AsymptoticPrediction.predict(configuration(.fullResidual, GELU()))
        #expect(gelu.notes.contains { $0.contains("no asymptotic law") })
        let identical = try AsymptoticPrediction.predict(configuration(.fullResidual, Tanh(), e0: 1))
        #expect(identical.notes.contains { $0.contains("e0 = 1") })
        let degenerate = try AsymptoticPrediction.predict(configuration(.fullResidual, Tanh(), sigmaW: 0))
        #expect(degenerate.pLaw == nil && degenerate.notes.contains { $0.contains("sigma_w = 0") })
    }

    @Test func badInputIsInvalidParameter() {
        #expect(throws: InvalidParameter.self) {
            try AsymptoticPrediction.predict(configuration(.fullResidual, Tanh(), sigmaW: -1))
        }
        #expect(throws: InvalidParameter.self) {
            try AsymptoticPrediction.predict(configuration(.fullResidual, AlphaReLU(alpha: 3)))
        }
    }
}
