import CGSL
import Foundation
import MeanFieldNumerics

/// A nonlinear least-squares problem: minimize sum_i r_i(theta)^2, with the analytic Jacobian.
/// Weights are folded into the residuals (r_i = sqrt(w_i) (model_i - data_i)).
struct LeastSquaresProblem {
    let residualCount: Int
    let parameterCount: Int
    /// A sum of squares this small is rounding noise: no step can lower it further, so the
    /// solver may stop there even when GSL reports no progress.
    let roundingSumOfSquares: Double
    /// Writes r_i(theta), i = 0..<n, to `residuals`.
    let residuals: (_ theta: UnsafePointer<Double>, _ residuals: UnsafeMutablePointer<Double>) -> Void
    /// Writes dr_i/dtheta_j row-major (n rows of p) to `jacobian`.
    let jacobian: (_ theta: UnsafePointer<Double>, _ jacobian: UnsafeMutablePointer<Double>) -> Void
}

/// GSL's driver stopped without converging (status, e.g. GSL_EMAXITER), at `parameters`.
struct SolverStopped: Error {
    let status: Int32
    let iterations: Int
    let parameters: [Double]

    var reason: String { String(cString: gsl_strerror(status)) }
}

struct LeastSquaresSolution {
    var parameters: [Double]
    var sumOfSquares: Double
    /// (J^T J)^{-1} at the solution, row-major p x p; nil when J is numerically singular.
    var unscaledCovariance: [Double]?
    /// Reciprocal condition number of J at the solution.
    var reciprocalCondition: Double
    var iterations: Int
}

enum NonlinearLeastSquares {
    /// Steps below this relative size end the iteration (GSL's xtol test). Tight, because
    /// noiseless curves must be recovered to near machine precision.
    static let stepTolerance = 1e-12
    /// GSL's gradient test compares with max(cost, 1), far too loose for a near-zero residual;
    /// the step test decides instead.
    static let gradientTolerance = 1e-30
    static let maxIterations = 1000

    /// GSL's trust-region solver with the Levenberg-Marquardt subproblem and geodesic
    /// acceleration, from `start`. The acceleration follows the narrow curved valley of
    /// power-corrected near k = 1/2 (C1 and C2 nearly cancel) in a tenth of the iterations.
    static func solve(_ problem: LeastSquaresProblem, start: [Double]) throws -> LeastSquaresSolution {
        GSL.ensureInitialized()
        let n = problem.residualCount, p = problem.parameterCount
        precondition(start.count == p && n >= p)
        var parameters = gsl_multifit_nlinear_default_parameters()
        parameters.trs = mf_multifit_nlinear_trs_lmaccel()
        guard let workspace = gsl_multifit_nlinear_alloc(mf_multifit_nlinear_trust(), &parameters, n, p),
              let x0 = gsl_vector_alloc(p), let covariance = gsl_matrix_alloc(p, p)
        else { throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_multifit_nlinear_alloc") }
        defer {
            gsl_multifit_nlinear_free(workspace)
            gsl_vector_free(x0)
            gsl_matrix_free(covariance)
        }
        for j in 0..<p { gsl_vector_set(x0, j, start[j]) }

        var context = problem
        return try withUnsafeMutablePointer(to: &context) { contextPointer in
            var fdf = gsl_multifit_nlinear_fdf()
            fdf.n = n
            fdf.p = p
            fdf.params = UnsafeMutableRawPointer(contextPointer)
            fdf.fvv = nil
            // GSL allocates its vectors and matrices contiguous (stride 1, tda = p); the
            // problem writes straight into them then, through a scratch copy otherwise.
            fdf.f = { theta, params, f in
                let problem = params!.assumingMemoryBound(to: LeastSquaresProblem.self).pointee
                let f = f!, n = problem.residualCount
                withContiguous(theta!) { theta in
                    if f.pointee.stride == 1 {
                        problem.residuals(theta, f.pointee.data)
                    } else {
                        withScratch(n) { r in
                            problem.residuals(theta, r)
                            for i in 0..<n { gsl_vector_set(f, i, r[i]) }
                        }
                    }
                }
                return Int32(GSL_SUCCESS)
            }
            fdf.df = { theta, params, jacobian in
                let problem = params!.assumingMemoryBound(to: LeastSquaresProblem.self).pointee
                let jacobian = jacobian!, n = problem.residualCount, p = problem.parameterCount
                withContiguous(theta!) { theta in
                    if jacobian.pointee.tda == p {
                        problem.jacobian(theta, jacobian.pointee.data)
                    } else {
                        withScratch(n * p) { J in
                            problem.jacobian(theta, J)
                            for i in 0..<n { for j in 0..<p { gsl_matrix_set(jacobian, i, j, J[i * p + j]) } }
                        }
                    }
                }
                return Int32(GSL_SUCCESS)
            }
            try GSL.check(gsl_multifit_nlinear_init(x0, &fdf, workspace), "gsl_multifit_nlinear_init")
            let position = gsl_multifit_nlinear_position(workspace)!
            let residualVector = gsl_multifit_nlinear_residual(workspace)!
            let J = gsl_multifit_nlinear_jac(workspace)!
            // A start at the minimum (the log-scale fits of the log-linear laws start at the
            // linear solution) needs one Gauss-Newton step to polish the last digits, not GSL's
            // iteration, which would only try steps until it reports no progress.
            let step = try JacobianQR(J).gaussNewtonStep(residualVector)
            if isNegligible(step, at: position, jacobian: J, roundingSumOfSquares: problem.roundingSumOfSquares) {
                for j in 0..<p { gsl_vector_set(x0, j, gsl_vector_get(position, j) + step[j]) }
                try GSL.check(gsl_multifit_nlinear_init(x0, &fdf, workspace), "gsl_multifit_nlinear_init")
            } else {
                var info: Int32 = 0
                let status = gsl_multifit_nlinear_driver(
                    maxIterations, stepTolerance, gradientTolerance, 0, nil, nil, &info, workspace)
                if status != Int32(GSL_SUCCESS) {
                    // No progress: fine if no step can lower the cost (a negligible Gauss-Newton
                    // step, or residuals at rounding level).
                    let stalled = status == Int32(GSL_EMAXITER) && info == Int32(GSL_ENOPROG)
                    let norm = gsl_blas_dnrm2(residualVector)
                    let atMinimum = try norm * norm <= problem.roundingSumOfSquares
                        || isNegligible(JacobianQR(J).gaussNewtonStep(residualVector), at: position,
                                        jacobian: J, roundingSumOfSquares: problem.roundingSumOfSquares)
                    guard stalled && atMinimum else {
                        throw SolverStopped(
                            status: status, iterations: Int(gsl_multifit_nlinear_niter(workspace)),
                            parameters: (0..<p).map { gsl_vector_get(position, $0) })
                    }
                }
            }
            let rcond = try JacobianQR(J).reciprocalCondition()
            try GSL.check(gsl_multifit_nlinear_covar(J, 0, covariance), "gsl_multifit_nlinear_covar")
            var unscaled = [Double](repeating: 0, count: p * p)
            for i in 0..<p { for j in 0..<p { unscaled[i * p + j] = gsl_matrix_get(covariance, i, j) } }
            let residualNorm = gsl_blas_dnrm2(residualVector)
            return LeastSquaresSolution(
                parameters: (0..<p).map { gsl_vector_get(position, $0) },
                sumOfSquares: residualNorm * residualNorm,
                unscaledCovariance: unscaled.allSatisfy(\.isFinite) && rcond > 0 ? unscaled : nil,
                reciprocalCondition: rcond,
                iterations: Int(gsl_multifit_nlinear_niter(workspace)))
        }
    }
}

/// The column-pivoted QR factorization of a Jacobian: the Gauss-Newton step and the condition.
private final class JacobianQR {
    private let qr: UnsafeMutablePointer<gsl_matrix>
    private let tau: UnsafeMutablePointer<gsl_vector>
    private let permutation: UnsafeMutablePointer<gsl_permutation>
    private let work: UnsafeMutablePointer<gsl_vector>
    private let rowCount: Int, columnCount: Int

    init(_ J: UnsafeMutablePointer<gsl_matrix>) throws {
        rowCount = Int(J.pointee.size1)
        columnCount = Int(J.pointee.size2)
        guard let qr = gsl_matrix_alloc(rowCount, columnCount), let tau = gsl_vector_alloc(columnCount),
              let permutation = gsl_permutation_alloc(columnCount), let work = gsl_vector_alloc(3 * columnCount)
        else { throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_matrix_alloc") }
        (self.qr, self.tau, self.permutation, self.work) = (qr, tau, permutation, work)
        gsl_matrix_memcpy(qr, J)
        var signum: Int32 = 0
        let norm = gsl_vector_view_array(work.pointee.data, columnCount)
        var normVector = norm.vector
        try GSL.check(gsl_linalg_QRPT_decomp(qr, tau, permutation, &signum, &normVector), "gsl_linalg_QRPT_decomp")
    }

    deinit {
        gsl_matrix_free(qr)
        gsl_vector_free(tau)
        gsl_permutation_free(permutation)
        gsl_vector_free(work)
    }

    /// 1/cond(J) in the 1-norm, estimated from R.
    func reciprocalCondition() throws -> Double {
        var rcond = 0.0
        try GSL.check(gsl_linalg_QRPT_rcond(qr, &rcond, work), "gsl_linalg_QRPT_rcond")
        return rcond
    }

    /// The Gauss-Newton step -(J^T J)^{-1} J^T r (GSL's residuals are model - data, so
    /// solving J step = r gives the step with the opposite sign: subtracting it lowers the cost).
    func gaussNewtonStep(_ r: UnsafeMutablePointer<gsl_vector>) throws -> [Double] {
        guard let step = gsl_vector_alloc(columnCount), let residual = gsl_vector_alloc(rowCount) else {
            throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_vector_alloc")
        }
        defer { gsl_vector_free(step); gsl_vector_free(residual) }
        try GSL.check(gsl_linalg_QRPT_lssolve(qr, tau, permutation, r, step, residual), "gsl_linalg_QRPT_lssolve")
        return (0..<columnCount).map { -gsl_vector_get(step, $0) }
    }
}

/// True when `step` changes no parameter by more than 1e-8 relative, or changes the model by
/// no more than rounding noise (|step_j| ||J_j|| <= sqrt(rounding sum of squares)): theta is
/// a least-squares minimum to that precision. The second test accepts a parameter at zero
/// (ln C = 0 for a unit prefactor), where no relative test can.
private func isNegligible(
    _ step: [Double], at theta: UnsafeMutablePointer<gsl_vector>,
    jacobian J: UnsafeMutablePointer<gsl_matrix>, roundingSumOfSquares: Double
) -> Bool {
    let roundingNorm = roundingSumOfSquares.squareRoot()
    return step.indices.allSatisfy { j in
        guard step[j].isFinite else { return false }
        if abs(step[j]) <= 1e-8 * abs(gsl_vector_get(theta, j)) { return true }
        var column = gsl_matrix_const_column(J, j)
        return abs(step[j]) * gsl_blas_dnrm2(&column.vector) <= roundingNorm
    }
}

/// GSL's vectors may be strided; the problem closures want contiguous memory.
private func withContiguous<R>(_ v: UnsafePointer<gsl_vector>, _ body: (UnsafePointer<Double>) -> R) -> R {
    let n = Int(v.pointee.size)
    return withScratch(n) { buffer in
        for i in 0..<n { buffer[i] = gsl_vector_get(v, i) }
        return body(buffer)
    }
}

private func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Double>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(count, 1)) { body($0.baseAddress!) }
}

/// Weighted linear least squares, minimize sum_i w_i (y_i - sum_j X_ij c_j)^2, through GSL's
/// SVD solver (robust to the near-collinear columns of the power-corrected law). One
/// workspace serves many solves of the same shape.
final class WeightedLinearLeastSquares {
    let rowCount: Int, columnCount: Int
    private let workspace: OpaquePointer
    private let design: UnsafeMutablePointer<gsl_matrix>
    private let weightVector: UnsafeMutablePointer<gsl_vector>
    private let valueVector: UnsafeMutablePointer<gsl_vector>
    private let coefficients: UnsafeMutablePointer<gsl_vector>
    private let covariance: UnsafeMutablePointer<gsl_matrix>

    init(rows: Int, columns: Int) throws {
        GSL.ensureInitialized()
        guard let workspace = gsl_multifit_linear_alloc(rows, columns),
              let design = gsl_matrix_alloc(rows, columns), let weightVector = gsl_vector_alloc(rows),
              let valueVector = gsl_vector_alloc(rows), let coefficients = gsl_vector_alloc(columns),
              let covariance = gsl_matrix_alloc(columns, columns)
        else { throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_multifit_linear_alloc") }
        rowCount = rows
        columnCount = columns
        self.workspace = OpaquePointer(workspace)
        self.design = design
        self.weightVector = weightVector
        self.valueVector = valueVector
        self.coefficients = coefficients
        self.covariance = covariance
    }

    deinit {
        gsl_multifit_linear_free(UnsafeMutablePointer(workspace))
        gsl_matrix_free(design)
        gsl_vector_free(weightVector)
        gsl_vector_free(valueVector)
        gsl_vector_free(coefficients)
        gsl_matrix_free(covariance)
    }

    /// `column(j, i)` is X_ij. Returns the coefficients and the weighted residual sum of squares.
    func solve(values: [Double], weights: [Double], column: (Int, Int) -> Double) throws
        -> (coefficients: [Double], sumOfSquares: Double)
    {
        for i in 0..<rowCount {
            gsl_vector_set(valueVector, i, values[i])
            gsl_vector_set(weightVector, i, weights[i])
            for j in 0..<columnCount { gsl_matrix_set(design, i, j, column(j, i)) }
        }
        var chiSquared = 0.0
        try GSL.check(gsl_multifit_wlinear(design, weightVector, valueVector, coefficients, covariance,
                                           &chiSquared, UnsafeMutablePointer(workspace)),
                      "gsl_multifit_wlinear")
        return ((0..<columnCount).map { gsl_vector_get(coefficients, $0) }, chiSquared)
    }
}

/// Distribution functions and the seeded generator, through GSL.
enum Distributions {
    /// The two-sided 95% quantile of Student's t with `dof` degrees of freedom.
    static func studentT975(dof: Int) -> Double {
        GSL.ensureInitialized()
        return gsl_cdf_tdist_Pinv(0.975, Double(dof))
    }

    /// The 97.5% quantile of the standard normal distribution.
    static var normal975: Double {
        GSL.ensureInitialized()
        return gsl_cdf_ugaussian_Pinv(0.975)
    }

    /// P(chi^2_dof >= value).
    static func chiSquaredUpperTail(_ value: Double, dof: Int) -> Double {
        GSL.ensureInitialized()
        return gsl_cdf_chisq_Q(value, Double(dof))
    }
}

/// Mersenne Twister (GSL's mt19937) with a fixed seed: the same seed gives the same draws on
/// every platform.
final class SeededNormalGenerator {
    private let generator: UnsafeMutablePointer<gsl_rng>

    init(seed: UInt64) throws {
        GSL.ensureInitialized()
        guard let generator = gsl_rng_alloc(mf_rng_mt19937()) else {
            throw GSLError(code: Int32(GSL_ENOMEM), routine: "gsl_rng_alloc")
        }
        gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
        self.generator = generator
    }

    deinit { gsl_rng_free(generator) }

    /// A draw from N(0, sigma^2).
    func normal(standardDeviation sigma: Double) -> Double { gsl_ran_gaussian(generator, sigma) }
}
