import CGSL

public enum RootFindingError: Error, CustomStringConvertible, Sendable {
    case notBracketed(lower: Double, upper: Double, fLower: Double, fUpper: Double)
    case noConvergence(iterations: Int, lower: Double, upper: Double)

    public var description: String {
        switch self {
        case let .notBracketed(a, b, fa, fb):
            return "root not bracketed: f(\(a)) = \(fa), f(\(b)) = \(fb)"
        case let .noConvergence(n, a, b):
            return "root finder did not converge in \(n) iterations (bracket [\(a), \(b)])"
        }
    }
}

/// Bracketing root finder: GSL's Brent–Dekker solver, iterated until the bracket is as narrow
/// as double precision allows (relative width 4 eps, or absolute width `absoluteTolerance`).
public func findRoot(in lower: Double, _ upper: Double, absoluteTolerance: Double = 0,
                     relativeTolerance: Double = 4 * Double.ulpOfOne, maxIterations: Int = 500,
                     _ f: (Double) -> Double) throws -> Double {
    GSL.ensureInitialized()
    let fLower = f(lower), fUpper = f(upper)
    if fLower == 0 { return lower }
    if fUpper == 0 { return upper }
    guard fLower.isFinite, fUpper.isFinite, (fLower < 0) != (fUpper < 0) else {
        throw RootFindingError.notBracketed(lower: lower, upper: upper, fLower: fLower,
                                            fUpper: fUpper)
    }
    typealias Function = (Double) -> Double
    return try withoutActuallyEscaping(f) { escapable in
        var closure = escapable
        return try withUnsafeMutablePointer(to: &closure) { closurePointer in
            var function = gsl_function(
                function: { x, parameters in
                    parameters!.assumingMemoryBound(to: Function.self).pointee(x)
                },
                params: UnsafeMutableRawPointer(closurePointer))
            guard let solver = gsl_root_fsolver_alloc(mf_root_fsolver_brent()) else {
                throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_root_fsolver_alloc")
            }
            defer { gsl_root_fsolver_free(solver) }
            try GSL.check(gsl_root_fsolver_set(solver, &function, lower, upper),
                          "gsl_root_fsolver_set")
            for _ in 0..<maxIterations {
                try GSL.check(gsl_root_fsolver_iterate(solver), "gsl_root_fsolver_iterate")
                let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
                let root = gsl_root_fsolver_root(solver)
                if f(root) == 0 { return root }
                if gsl_root_test_interval(a, b, absoluteTolerance, relativeTolerance)
                    == Int32(GSL_SUCCESS) || b - a <= 2 * (a.ulp + b.ulp)
                {
                    return root
                }
            }
            throw RootFindingError.noConvergence(
                iterations: maxIterations, lower: gsl_root_fsolver_x_lower(solver),
                upper: gsl_root_fsolver_x_upper(solver))
        }
    }
}
