import Foundation
import MeanFieldCore
import MeanFieldFitting
import MeanFieldTheory
import Testing
@testable import MeanFieldAsymptotics

/// Issue 4: growth-law fits (MeanFieldFitting) recover the predicted exponents and constants
/// from engine curves. The measured numbers are in Docs/asymptotics.md.
@Suite struct FitValidationTests {
    static func curve(_ config: NetworkConfiguration, depth: Int, keep: @escaping (Int) -> Bool) throws -> [TheoryRow] {
        var config = config
        config.depth = depth
        return try TheoryEngine(configuration: config).run(keepLayer: keep).rows
    }

    /// (layer, value) over `layers` of one engine run; `value` gets the row and ln chi^0.
    static func data(_ config: NetworkConfiguration, layers: ClosedRange<Int>,
                     _ value: (TheoryRow, Double) -> Double) throws -> FitData {
        let rows = try curve(config, depth: layers.upperBound, keep: { $0 == 0 || layers.contains($0) })
        let top = rows[0].logChi ?? 0
        let window = rows.dropFirst()
        return try FitData(x: window.map { Double($0.layer) }, y: window.map { value($0, top) })
    }

    /// chi^0/chi^l from a row and ln chi^0 (ln chi^L = 0).
    static func gradientRatio(_ row: TheoryRow, _ top: Double) -> Double { exp(top - row.logChi!) }

    /// tanh RRN: delta* = 1 - 2/pi from a 1e4-layer curve, |e - e*| = e (e* = 0) on layers 100..1e4.
    /// The power-corrected law carries the l^-1/2 forcing and the next order, so it lands within
    /// 1%; the naive log-log slope and a two-term model C1 l^-k + C2 l^-1/2 (no l^-1 term) are
    /// measured for comparison (both biased: Docs/asymptotics.md).
    @Test func tanhReducedResidualDeltaStar() throws {
        let config = configuration(.reducedResidual, Tanh())
        let deltaStar = try #require(try AsymptoticPrediction.predict(config).deltaStar)
        #expect(abs(deltaStar - (1 - 2 / Double.pi)) < 1e-15)
        for from in [30, 100] {
            let rows = try Self.curve(config, depth: 10_000, keep: { $0 >= from })
            let x = rows.map { Double($0.layer) }, y = rows.map(\.e)
            let corrected = try GrowthLawFit.fit(x: x, y: y, law: .powerCorrected, limit: 0)
            let naive = try GrowthLawFit.fit(x: x, y: y, law: .power, limit: 0)
            let twoTerm = TwoTermFit.exponent(x: x, y: y)
            print("measured: tanh RRN [\(from), 1e4]: power-corrected \(corrected.exponent.value) (\(corrected.exponent.value / deltaStar - 1)), naive \(-naive.exponent.value) (\(-naive.exponent.value / deltaStar - 1)), two-term \(twoTerm) (\(twoTerm / deltaStar - 1))")
            #expect(relativeError(corrected.exponent.value, deltaStar) < 0.01, "window [\(from), 1e4]: k = \(corrected.exponent.value)")
        }
    }

    /// alpha-ReLU FRN: chi^0/chi^l ~ l^R (R = 4.5, 4, 10.125), power law on layers 100..1e4.
    /// The correction is R alpha ln l/(2 (1 - alpha) l) in the local exponent (AlphaReLULawTests),
    /// below 0.2 R at l = 100: over the window the fitted slope is within 1%.
    @Test(arguments: [0.75, 2.0 / 3.0, 0.9])
    func alphaReLUGradientExponent(alpha: Double) throws {
        let config = configuration(.fullResidual, AlphaReLU(alpha: alpha))
        let exponent = try #require(try AsymptoticPrediction.predict(config).chiExponent)
        let fit = try GrowthLawFit.fit(try Self.data(config, layers: 100...10_000, Self.gradientRatio), law: .power)
        print("measured: alpha-ReLU FRN alpha = \(alpha): R = \(exponent), power fit on [100, 1e4] \(fit.exponent.value) (\(fit.exponent.value / exponent - 1))")
        #expect(relativeError(fit.exponent.value, exponent) < 0.01)
    }

    /// ReLU FRN: 1 - e ~ C l^-2 on layers 1000..1700 (p leaves the double range at 1750 for
    /// sigma_v = sigma_w = 1). The local exponent is -2 (A l/2)/(A l/2 + (3A/4) ln l + y_0)
    /// (AlphaReLULawTests), 2.5% short of 2 here: within 3%.
    @Test func reluOneMinusEExponent() throws {
        let config = configuration(.fullResidual, ReLU())
        let prediction = try AsymptoticPrediction.predict(config)
        let rows = try Self.curve(config, depth: 1700, keep: { $0 >= 1000 })
        let fit = try GrowthLawFit.fit(x: rows.map { Double($0.layer) }, y: rows.map(\.oneMinusE), law: .power)
        print("measured: ReLU FRN 1 - e on [1000, 1700]: exponent \(-fit.exponent.value) (\(-fit.exponent.value / 2 - 1)), prefactor \(fit.prefactor) vs C = \(prediction.oneMinusEConstant!)")
        #expect(relativeError(-fit.exponent.value, prediction.oneMinusEExponent!) < 0.03)
    }

    /// How deep for 1%: with sigma_a = sigma_b = 0 the correlation obeys the scale-free map
    /// eps' = (eps + r (1 - J_1(1 - eps)))/(1 + r), identical to the engine (checked here to 1e-12
    /// where the engine's rows exist, up to 3400 with p0 = 1e-300) and free of the double range.
    /// Windows [L, 1.7 L]: 1.3% off at L = 2000 (the deepest the engine can show), within 1%
    /// from L of about 2700.
    @Test func reluOneMinusEDepthForOnePercent() throws {
        let r = 0.5
        let kernel = try ArcCosineKernel(order: 1)
        var epsilon = [0.5]
        for _ in 1...5100 {
            let eps = epsilon.last!
            epsilon.append((eps + r * (try kernel.evaluate(oneMinusCorrelation: eps).complement)) / (1 + r))
        }
        let engine = try Self.curve(configuration(.fullResidual, ReLU(), p0: 1e-300), depth: 3400, keep: { $0 % 100 == 0 })
        for row in engine { #expect(relativeError(row.oneMinusE, epsilon[row.layer]) < 1e-12, "layer \(row.layer)") }
        func exponent(from: Int) throws -> Double {
            let layers = Array(from...(from * 17 / 10))
            return -(try GrowthLawFit.fit(x: layers.map(Double.init), y: layers.map { epsilon[$0] }, law: .power)).exponent.value
        }
        let atEngineLimit = try exponent(from: 2000), deeper = try exponent(from: 3000)
        print("measured: ReLU FRN 1 - e exponent on [2000, 3400] \(atEngineLimit), on [3000, 5100] \(deeper)")
        #expect(relativeError(deeper, 2) < 0.01)
    }

    /// tanh: ln(chi^0/chi^l) = A sqrt(l) + c ln l + ..., exp-sqrt law on layers 100..1e4: the
    /// c ln l term adds 2c/sqrt(l) to the slope in sqrt(l), about 1% at the window's typical
    /// l ~ 3000 (c = 0.28 for sigma_w = sigma_v = 1, SaturatingLawTests): within 2%.
    @Test(arguments: [
        configuration(.fullResidual, Tanh()),
        configuration(.reducedResidual, Tanh(), sigmaW: 1.5, sigmaB: 0.2),
        configuration(.fullResidual, Tanh(), sigmaW: 1, sigmaB: 0.3, sigmaV: 1, sigmaA: 0.5),
    ])
    func tanhGradientConstant(config: NetworkConfiguration) throws {
        let constant = try #require(try AsymptoticPrediction.predict(config).chiConstant)
        let fit = try GrowthLawFit.fit(try Self.data(config, layers: 100...10_000, Self.gradientRatio), law: .expSqrt)
        print("measured: \(config.architecture.rawValue) tanh sigma_w = \(config.sigmaW): A = \(constant), exp-sqrt fit on [100, 1e4] \(fit.exponent.value) (\(fit.exponent.value / constant - 1))")
        #expect(relativeError(fit.exponent.value, constant) < 0.02)
    }

    /// `auto` tells the three growth laws apart on the engine's gradient ratios chi^0/chi^l on
    /// layers 10..1000 (past the first transient): tanh (exp-sqrt), alpha-ReLU (power), ReLU
    /// (exponential; layers 1..1700, the whole curve in the double range).
    @Test func autoSelection() throws {
        func data(_ config: NetworkConfiguration, layers: ClosedRange<Int> = 10...1000,
                  _ value: (TheoryRow, Double) -> Double) throws -> FitData {
            try Self.data(config, layers: layers, value)
        }
        let gradientRatio: (TheoryRow, Double) -> Double = Self.gradientRatio
        func describe(_ selection: LawSelection) -> String {
            "\(selection.candidates.map { "\($0.law.rawValue): delta AIC \($0.deltaAIC ?? .nan), k \($0.fit?.exponent.value ?? .nan)" })"
        }

        let tanh = try GrowthLawFit.selectLaw(try data(configuration(.fullResidual, Tanh()), gradientRatio))
        #expect(tanh.best.law == .expSqrt, "\(describe(tanh))")
        print("measured: auto on tanh FRN chi: \(describe(tanh))")

        // Power-corrected nests the power law (k < 0 is growth) and absorbs the O(ln l/l)
        // correction, so it may win, as a growing power law; among the three growth laws the
        // power law wins.
        let alphaData = try data(configuration(.fullResidual, AlphaReLU(alpha: 0.75)), gradientRatio)
        let alpha = try GrowthLawFit.selectLaw(alphaData)
        #expect(alpha.best.law == .power || alpha.best.law == .powerCorrected && alpha.best.exponent.value < 0,
                "\(describe(alpha))")
        let growthLaws = try GrowthLawFit.selectLaw(alphaData, among: [.power, .exponential, .expSqrt])
        #expect(growthLaws.best.law == .power, "\(describe(growthLaws))")
        print("measured: auto on alpha-ReLU FRN (alpha = 0.75) chi: \(describe(alpha))")

        // ReLU p with sigma_b > 0 (p = (1+r)^l (p0 + beta/r) - beta/r): exponential.
        let reluLength = try GrowthLawFit.selectLaw(try data(configuration(.fullResidual, ReLU(), sigmaB: 0.5), { row, _ in row.p }))
        #expect(reluLength.best.law == .exponential, "\(describe(reluLength))")
        print("measured: auto on ReLU FRN p (sigma_b = 0.5): \(describe(reluLength))")
        // ReLU chi^0/chi^l = (1 + r)^l exactly, prefactor 1 (ln C = 0: the case that once
        // defeated the fit's negligible-step test).
        let reluGradients = try GrowthLawFit.selectLaw(try data(configuration(.fullResidual, ReLU()), layers: 1...1700, gradientRatio))
        #expect(reluGradients.best.law == .exponential, "\(describe(reluGradients))")
    }
}

/// y = C1 x^-k + C2 x^-1/2 by least squares in relative residuals (weights 1/y^2): C1, C2 linear
/// at each k; k by a scan (step 0.001) refined by golden-section search on the profiled residual.
enum TwoTermFit {
    static func exponent(x: [Double], y: [Double]) -> Double {
        func residual(_ k: Double) -> Double {
            var saa = 0.0, sab = 0.0, sbb = 0.0, sa = 0.0, sb = 0.0
            for (xi, yi) in zip(x, y) {
                let a = pow(xi, -k) / yi, b = 1 / (xi.squareRoot() * yi)
                saa += a * a; sab += a * b; sbb += b * b; sa += a; sb += b
            }
            let det = saa * sbb - sab * sab
            let c1 = (sa * sbb - sb * sab) / det, c2 = (sb * saa - sa * sab) / det
            return zip(x, y).reduce(0) { sum, point in
                let f = (c1 * pow(point.0, -k) + c2 / point.0.squareRoot()) / point.1 - 1
                return sum + f * f
            }
        }
        var best = 0.05, bestResidual = Double.infinity
        for k in stride(from: 0.05, through: 0.95, by: 0.001) {
            let r = residual(k)
            if r < bestResidual { (best, bestResidual) = (k, r) }
        }
        var (a, b) = (best - 0.001, best + 0.001)
        let golden = (5.0.squareRoot() - 1) / 2
        for _ in 0..<60 {
            let c = b - golden * (b - a), d = a + golden * (b - a)
            if residual(c) < residual(d) { b = d } else { a = c }
        }
        return (a + b) / 2
    }
}
