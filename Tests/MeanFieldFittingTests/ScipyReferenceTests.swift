import Foundation
import Testing
@testable import MeanFieldFitting

/// Noisy data sets fitted independently by scipy.optimize.curve_fit (References/scipy_fits.py):
/// the same least-squares minimum, the same Jacobian standard errors, interval and AIC.
struct ScipyReferenceTests {
    @Test(arguments: scipyReferences)
    func agreesWithScipy(_ reference: ScipyReference) throws {
        let fit = try GrowthLawFit.fit(x: reference.x, y: reference.y, law: reference.law,
                                       standardErrors: reference.standardErrors, scale: reference.scale)
        // Both solvers stop at relative steps near 1e-15; the minimum is well conditioned to 1e-9.
        for (parameter, expected) in zip(fit.parameters, reference.parameters) {
            #expect(abs(parameter.value - expected) <= 1e-8 * max(abs(expected), 1e-2),
                    "\(parameter.name): \(parameter.value) vs scipy \(expected)")
        }
        // Standard errors: sqrt of the diagonal of (J^T J)^{-1} (times RSS/(n-p) unweighted);
        // C's through the delta method, exact for this linearized covariance.
        for (parameter, expected) in zip(fit.parameters, reference.standardErrorsOfParameters) {
            let se = try #require(parameter.standardError)
            #expect(abs(se - expected) <= 1e-6 * expected, "\(parameter.name): se \(se) vs scipy \(expected)")
        }
        let interval = try #require(fit.exponent.confidenceInterval95)
        let width = reference.exponentInterval.upperBound - reference.exponentInterval.lowerBound
        #expect(abs(interval.lowerBound - reference.exponentInterval.lowerBound) <= 1e-6 * width)
        #expect(abs(interval.upperBound - reference.exponentInterval.upperBound) <= 1e-6 * width)
        #expect(abs(fit.aic - reference.aic) <= 1e-7 * max(abs(reference.aic), 1), "aic \(fit.aic) vs \(reference.aic)")
    }
}
