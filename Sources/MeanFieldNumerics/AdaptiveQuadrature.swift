import CGSL

/// The result of a quadrature: the value and GSL's estimate of its absolute error.
public struct QuadratureResult: Sendable {
    public var value: Double
    public var absoluteError: Double
    public init(value: Double, absoluteError: Double) {
        self.value = value
        self.absoluteError = absoluteError
    }
}

/// Gauss–Kronrod rules of GSL's QAG.
public enum KronrodRule: Int32, Sendable {
    case gauss15 = 1, gauss21 = 2, gauss31 = 3, gauss41 = 4, gauss51 = 5, gauss61 = 6
}

/// Adaptive quadrature through GSL (QAG, QAGP, QAGS, QAGIU, QAGIL). Owns one GSL workspace:
/// one integrator per thread and per nesting level (an integrand may call another integrator,
/// never the one that is calling it).
public final class AdaptiveIntegrator {
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    public var rule: KronrodRule
    /// When GSL stops short of the tolerance because of roundoff or the interval limit, the
    /// result is still accepted if its error estimate is within this factor of the requested
    /// tolerance (1: strict). Inner integrals of nested quadratures, whose tolerance is set
    /// far below the outer one, use a factor > 1.
    public var acceptanceFactor: Double = 1
    public let intervalLimit: Int
    private let workspace: UnsafeMutablePointer<gsl_integration_workspace>

    /// GSL refuses relative tolerances below 50 eps unless an absolute tolerance is given.
    public static let finestRelativeTolerance = 50 * Double.ulpOfOne

    public init(relativeTolerance: Double = 1e-13, absoluteTolerance: Double = 0,
                rule: KronrodRule = .gauss21, intervalLimit: Int = 2000) {
        GSL.ensureInitialized()
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.rule = rule
        self.intervalLimit = intervalLimit
        workspace = gsl_integration_workspace_alloc(intervalLimit)
    }

    deinit { gsl_integration_workspace_free(workspace) }

    private typealias Integrand = (Double) -> Double

    /// Calls `body` with a gsl_function that evaluates the Swift closure `f`.
    private func withGSLFunction<R>(_ f: Integrand,
                                    _ body: (UnsafeMutablePointer<gsl_function>) -> R) -> R {
        withoutActuallyEscaping(f) { escapable in
            var closure = escapable
            return withUnsafeMutablePointer(to: &closure) { closurePointer in
                var function = gsl_function(
                    function: { x, parameters in
                        parameters!.assumingMemoryBound(to: Integrand.self).pointee(x)
                    },
                    params: UnsafeMutableRawPointer(closurePointer))
                return body(&function)
            }
        }
    }

    private func finish(_ status: Int32, _ value: Double, _ error: Double, _ routine: String,
                        _ context: @autoclosure () -> String) throws -> QuadratureResult {
        if status != Int32(GSL_SUCCESS) {
            let requested = max(absoluteTolerance, relativeTolerance * abs(value))
            let limited = status == Int32(GSL_EROUND) || status == Int32(GSL_EMAXITER)
            if !(limited && value.isFinite && error <= acceptanceFactor * requested) {
                throw GSLError(code: status, routine: routine, context: context(),
                               partialResult: (value, error))
            }
        }
        guard value.isFinite, error.isFinite else {
            throw GSLError(code: Int32(GSL_EDOM), routine: routine,
                           context: "non-finite integral; \(context())")
        }
        return QuadratureResult(value: value, absoluteError: error)
    }

    /// Integral of f over [a, b] with QAG.
    public func integrate(from a: Double, to b: Double, context: @autoclosure () -> String = "",
                          _ f: (Double) -> Double) throws -> QuadratureResult {
        if a == b { return QuadratureResult(value: 0, absoluteError: 0) }
        var value = 0.0, error = 0.0
        let status = withGSLFunction(f) { function in
            gsl_integration_qag(function, a, b, absoluteTolerance, relativeTolerance,
                                intervalLimit, rule.rawValue, workspace, &value, &error)
        }
        return try finish(status, value, error, "gsl_integration_qag", context())
    }

    /// Integral of f over [points.first, points.last] for an integrand that is smooth inside
    /// each panel between consecutive breakpoints (kinks, scale changes at the breakpoints).
    /// Global error control: one Gauss–Kronrod 21 pass estimates the magnitude of the whole
    /// integral; QAG then refines every panel to its own relative tolerance or to its share
    /// of relativeTolerance times that magnitude, whichever is looser. A panel in an
    /// exponentially small tail is then not asked for relative accuracy of its tiny value. (QAGP's extrapolation
    /// is meant for end-point singularities and misreads smooth integrands that carry the
    /// small noise of an inner integral.)
    public func integrate(breakpoints points: [Double], context: @autoclosure () -> String = "",
                          _ f: (Double) -> Double) throws -> QuadratureResult {
        precondition(points.count >= 2, "need at least the two end points")
        let panels = points.count - 1
        var magnitude = 0.0
        withGSLFunction(f) { function in
            for i in 0..<panels {
                var result = 0.0, error = 0.0, absolute = 0.0, asc = 0.0
                gsl_integration_qk21(function, points[i], points[i + 1], &result, &error,
                                     &absolute, &asc)
                magnitude += abs(result)
            }
        }
        // Each panel: its own relative tolerance, or its share of the global budget,
        // whichever is looser.
        let savedAbsolute = absoluteTolerance
        absoluteTolerance = max(savedAbsolute, relativeTolerance * magnitude) / Double(panels)
        defer { absoluteTolerance = savedAbsolute }
        var total = CompensatedSum(), error = 0.0
        for i in 0..<panels {
            let panel: QuadratureResult
            do {
                panel = try integrate(from: points[i], to: points[i + 1], context: context(), f)
            } catch let error as GSLError where Self.extrapolationMayHelp(error) {
                // An end-point singularity inside the panel (e.g. x^alpha at a kink):
                // QAGS extrapolates where bisection alone stalls.
                panel = try integrateSingular(from: points[i], to: points[i + 1],
                                              context: context(), f)
            }
            total.add(panel.value)
            error += panel.absoluteError
        }
        return QuadratureResult(value: total.value, absoluteError: error)
    }

    static func extrapolationMayHelp(_ error: GSLError) -> Bool {
        error.code == Int32(GSL_EROUND) || error.code == Int32(GSL_EMAXITER)
    }

    /// QAGP: breakpoints with extrapolation, for integrands with singularities at them.
    public func integrateSingular(breakpoints points: [Double],
                                  context: @autoclosure () -> String = "",
                                  _ f: (Double) -> Double) throws -> QuadratureResult {
        var value = 0.0, error = 0.0
        var mutablePoints = points
        let status = withGSLFunction(f) { function in
            mutablePoints.withUnsafeMutableBufferPointer { buffer in
                gsl_integration_qagp(function, buffer.baseAddress, buffer.count,
                                     absoluteTolerance, relativeTolerance, intervalLimit,
                                     workspace, &value, &error)
            }
        }
        return try finish(status, value, error, "gsl_integration_qagp", context())
    }

    /// Integral of f over [a, b] for integrands with integrable end-point singularities: QAGS
    /// (Wynn epsilon extrapolation).
    public func integrateSingular(from a: Double, to b: Double,
                                  context: @autoclosure () -> String = "",
                                  _ f: (Double) -> Double) throws -> QuadratureResult {
        var value = 0.0, error = 0.0
        let status = withGSLFunction(f) { function in
            gsl_integration_qags(function, a, b, absoluteTolerance, relativeTolerance,
                                 intervalLimit, workspace, &value, &error)
        }
        return try finish(status, value, error, "gsl_integration_qags", context())
    }

    /// Integral of f over [a, +inf): QAGIU.
    public func integrate(from a: Double, toInfinity: Void = (),
                          context: @autoclosure () -> String = "",
                          _ f: (Double) -> Double) throws -> QuadratureResult {
        var value = 0.0, error = 0.0
        let status = withGSLFunction(f) { function in
            gsl_integration_qagiu(function, a, absoluteTolerance, relativeTolerance,
                                  intervalLimit, workspace, &value, &error)
        }
        return try finish(status, value, error, "gsl_integration_qagiu", context())
    }
}
