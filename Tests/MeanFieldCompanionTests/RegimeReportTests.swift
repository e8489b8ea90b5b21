import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldCompanion

/// The regime classification on curves of known shape.
@Suite struct RegimeReportTests {
    static let depth = 200

    static func classify(_ logS: (Int) -> Double, effRank: Double, mu4: Double,
                         thresholds: RegimeThresholds = RegimeThresholds()) throws -> RegimeReport {
        let layers = 0...depth
        let log = layers.map { $0 == 0 ? 0 : logS($0) }
        let factors: [Double?] = layers.map { $0 == 0 ? nil : exp(log[$0] - log[$0 - 1]) }
        return try RegimeReport.classify(
            logSensitivity: log, sensitivityFactor: factors,
            effRank: layers.map { _ in effRank }, mu4: layers.map { $0 == 0 ? nil : mu4 },
            maximumRank: 63, thresholds: thresholds)
    }

    /// A small deterministic wiggle, so that neither law fits to rounding.
    static func wiggle(_ l: Int) -> Double { 0.01 * sin(Double(l) * 1.7) }

    @Test func exponentialGrowthIsExplodingSensitivity() throws {
        let report = try Self.classify({ 0.18 * Double($0) + Self.wiggle($0) }, effRank: 8, mu4: 6)
        #expect(report.regime == .explodingSensitivity)
        #expect(report.regime.isPathological == true)
        #expect(abs(report.exponential.exponent.value - 0.18) < 1e-3)
        #expect(report.deltaAIC > 2)
    }

    @Test func powerLawWithHealthySignalIsWellBehaved() throws {
        let report = try Self.classify({ 0.6 * log(Double($0)) + Self.wiggle($0) }, effRank: 20, mu4: 3.1)
        #expect(report.regime == .wellBehaved)
        #expect(report.regime.isPathological == false)
        #expect(abs(report.power.exponent.value - 0.6) < 1e-2)
        #expect(report.deltaAIC < -2)
    }

    @Test func saturatingSensitivityWithOneDirectionIsRankCollapse() throws {
        let report = try Self.classify({ 2 * (1 - exp(-Double($0) / 30)) + Self.wiggle($0) },
                                       effRank: 1.1, mu4: 3)
        #expect(report.regime == .rankCollapse)
        #expect(report.finalEffRank == 1.1)
    }

    @Test func failedCriteriaLeaveItUndetermined() throws {
        let heavyTails = try Self.classify({ 0.6 * log(Double($0)) + Self.wiggle($0) }, effRank: 20, mu4: 7)
        #expect(heavyTails.regime == .undetermined)
        #expect(heavyTails.regime.isPathological == nil)
        let fewDirections = try Self.classify({ 0.6 * log(Double($0)) + Self.wiggle($0) }, effRank: 4, mu4: 3)
        #expect(fewDirections.regime == .undetermined)
        // A slow exponential below the rate threshold is not called exploding.
        let slow = try Self.classify({ 0.005 * Double($0) + Self.wiggle($0) }, effRank: 20, mu4: 3)
        #expect(slow.regime == .undetermined)
        var strict = RegimeThresholds()
        strict.exponentialRate = 0.001
        let lowered = try Self.classify({ 0.005 * Double($0) + Self.wiggle($0) }, effRank: 20, mu4: 3,
                                        thresholds: strict)
        #expect(lowered.regime == .explodingSensitivity)
    }

    @Test func badThresholdsNameTheirOption() throws {
        func option(_ change: (inout RegimeThresholds) -> Void) -> String? {
            var thresholds = RegimeThresholds()
            change(&thresholds)
            do { try thresholds.validate(); return nil } catch let error as InvalidParameter { return error.option } catch { return "other" }
        }
        #expect(option { $0.exponentialRate = -1 } == "regime-rate")
        #expect(option { $0.collapsedRank = 0.5 } == "regime-collapsed-rank")
        #expect(option { $0.healthyRankFraction = 0 } == "regime-healthy-rank")
        #expect(option { $0.kurtosisTolerance = 0 } == "regime-kurtosis-tolerance")
        #expect(option { $0.tailFraction = 2 } == "regime-tail")
        #expect(option { $0.fitFrom = 0 } == "regime-from")
        #expect(option { _ in } == nil)
    }
}
