import CGSL
import Foundation

/// Special functions through GSL, with GSL's error estimates where the caller needs them.
public enum SpecialFunctions {
    @inline(__always)
    private static func call(_ routine: String, _ arguments: @autoclosure () -> String,
                             _ body: (UnsafeMutablePointer<gsl_sf_result>) -> Int32) throws
        -> EstimatedValue
    {
        GSL.ensureInitialized()
        var result = gsl_sf_result(val: 0, err: 0)
        try GSL.check(body(&result), routine, context: arguments())
        return EstimatedValue(value: result.val, error: result.err)
    }

    public static func gamma(_ x: Double) throws -> Double {
        try call("gsl_sf_gamma_e", "x = \(x)") { gsl_sf_gamma_e(x, $0) }.value
    }

    public static func logGamma(_ x: Double) throws -> Double {
        try call("gsl_sf_lngamma_e", "x = \(x)") { gsl_sf_lngamma_e(x, $0) }.value
    }

    /// Gauss hypergeometric 2F1(a, b; c; x) for |x| < 1 (x = 1 handled by GSL when convergent).
    public static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double,
                                         _ x: Double) throws -> EstimatedValue {
        try call("gsl_sf_hyperg_2F1_e", "a = \(a), b = \(b), c = \(c), x = \(x)") {
            gsl_sf_hyperg_2F1_e(a, b, c, x, $0)
        }
    }

    /// e^x K0(x), the exponentially scaled modified Bessel function of the second kind.
    public static func besselK0Scaled(_ x: Double) throws -> Double {
        try call("gsl_sf_bessel_K0_scaled_e", "x = \(x)") {
            gsl_sf_bessel_K0_scaled_e(x, $0)
        }.value
    }

    /// Dirichlet eta function, eta(s) = (1 - 2^(1-s)) zeta(s).
    public static func eta(_ s: Double) throws -> Double {
        try call("gsl_sf_eta_e", "s = \(s)") { gsl_sf_eta_e(s, $0) }.value
    }
}
