import COpenBLAS

/// The LAPACK routines of OpenBLAS (declared in COpenBLAS/shim.h), with their workspaces.
/// One instance per run: not shared between threads.
enum Lapack {
    /// All eigenvalues (ascending) of the symmetric `order` x `order` matrix at `matrix`
    /// (column-major, upper triangle read, contents destroyed): dsyevd with jobz = "N",
    /// i.e. Householder tridiagonalization and the Pal-Walker-Kahan QR iteration (dsterf),
    /// backward stable, so each eigenvalue is exact to about eps * ||matrix||_2.
    /// False when LAPACK reports a failure (no convergence).
    static func symmetricEigenvalues(_ matrix: UnsafeMutablePointer<Double>, order: Int,
                                     into values: UnsafeMutablePointer<Double>,
                                     workspace: inout [Double]) -> Bool {
        guard order > 0 else { return true }
        var n = Int32(order)
        var lwork = Int32(2 * order + 1)
        var liwork: Int32 = 1
        var iwork: Int32 = 0
        var info: Int32 = 0
        if workspace.count < Int(lwork) { workspace = [Double](repeating: 0, count: Int(lwork)) }
        workspace.withUnsafeMutableBufferPointer { work in
            dsyevd_("N", "U", &n, matrix, &n, values, work.baseAddress, &lwork, &iwork, &liwork,
                    &info, 1, 1)
        }
        return info == 0
    }

    /// Cholesky factor U (upper, U^T U = matrix) in place; false if the matrix is not
    /// numerically positive definite.
    static func cholesky(_ matrix: UnsafeMutablePointer<Double>, order: Int) -> Bool {
        var n = Int32(order)
        var info: Int32 = 0
        dpotrf_("U", &n, matrix, &n, &info, 1)
        return info == 0
    }

    /// Householder QR of the rows x columns block at `matrix` (leading dimension `rows`), in
    /// place: R in the upper triangle (min(rows, columns) x columns), reflectors below it and
    /// in `tau` (min(rows, columns) values).
    static func factorQR(_ matrix: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
                         tau: UnsafeMutablePointer<Double>, workspace: inout [Double]) -> Bool {
        var m = Int32(rows)
        var n = Int32(columns)
        var info: Int32 = 0
        var lwork = Int32(max(1, columns) * 64)
        if workspace.count < Int(lwork) { workspace = [Double](repeating: 0, count: Int(lwork)) }
        workspace.withUnsafeMutableBufferPointer { work in
            dgeqrf_(&m, &n, matrix, &m, tau, work.baseAddress, &lwork, &info)
        }
        return info == 0
    }

    /// Overwrites the reflectors left by `factorQR` (rows x columns, rows >= columns) with the
    /// first `columns` columns of Q.
    static func formQ(_ matrix: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
                      tau: UnsafePointer<Double>, workspace: inout [Double]) -> Bool {
        var m = Int32(rows)
        var n = Int32(columns)
        var k = Int32(columns)
        var info: Int32 = 0
        var lwork = Int32(max(1, columns) * 64)
        if workspace.count < Int(lwork) { workspace = [Double](repeating: 0, count: Int(lwork)) }
        workspace.withUnsafeMutableBufferPointer { work in
            dorgqr_(&m, &n, &k, matrix, &m, tau, work.baseAddress, &lwork, &info)
        }
        return info == 0
    }
}
