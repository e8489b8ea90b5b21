import COpenBLAS

/// X = Q R for an N x B block X: Q (N x rank) has orthonormal columns spanning the columns of
/// X, R (rank x B) holds their coordinates. Classical Gram-Schmidt with one
/// reorthogonalization ("twice is enough", Giraud et al. 2005) keeps Q orthonormal to working
/// precision; a column whose part orthogonal to the earlier ones is below `relativeTolerance`
/// of its length adds no direction (identical inputs, e0 = 1), so rank-deficient X is exact.
struct OrthonormalBasis {
    /// Columns shorter than this after projection (relative to their length) are dependent.
    static let relativeTolerance = 64 * Double.ulpOfOne

    let q: Block
    /// Column-major rank x B.
    let r: [Double]
    let rank: Int

    /// `arena`: where Q lives when it is kept for the backward pass.
    init(of x: Block, arena: BlockArena? = nil) {
        let n = x.rows
        let b = x.columns
        let basis = arena?.block(rows: n, columns: b) ?? Block(rows: n, columns: b)
        if b == 2, let pair = Self.factorPair(x, into: basis) {
            (q, r, rank) = (basis, pair.r, pair.rank)
            return
        }
        var r = [Double](repeating: 0, count: b * b)
        var rank = 0
        var coefficients = [Double](repeating: 0, count: b)
        var correction = [Double](repeating: 0, count: b)
        for k in 0..<b {
            let v = basis.column(rank)
            v.update(from: x.column(k), count: n)
            let length = Vectors.dot(v, v, count: n).squareRoot()
            for i in 0..<b { coefficients[i] = 0 }
            if rank > 0 {
                for _ in 0..<2 {
                    // c = Q^T v; v -= Q c
                    cblas_dgemv(CblasColMajor, CblasTrans, Int32(n), Int32(rank), 1, basis.data,
                                Int32(n), v, 1, 0, &correction, 1)
                    cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(rank), -1,
                                basis.data, Int32(n), correction, 1, 1, v, 1)
                    for i in 0..<rank { coefficients[i] += correction[i] }
                }
            }
            let residual = Vectors.dot(v, v, count: n).squareRoot()
            for i in 0..<rank { r[k * b + i] = coefficients[i] }
            if residual > Self.relativeTolerance * length && residual > 0 {
                cblas_dscal(Int32(n), 1 / residual, v, 1)
                r[k * b + rank] = residual
                rank += 1
            }
        }
        self.q = basis
        self.rank = rank
        // Keep only the first `rank` rows of R (stored with leading dimension b above).
        var compact = [Double](repeating: 0, count: rank * b)
        for k in 0..<b {
            for i in 0..<rank { compact[k * rank + i] = r[k * b + i] }
        }
        self.r = compact
    }

    /// The same factorization for a pair in four fused passes instead of about fourteen
    /// BLAS calls (the pair is the common case and these passes are memory-bound): the Gram
    /// sums, q0 and the projected x1 with its overlap t = q0.v, the reorthogonalization
    /// v -= t q0, the normalization. nil when x0 vanishes (the general path handles it).
    private static func factorPair(_ x: Block, into basis: Block) -> (r: [Double], rank: Int)? {
        let n = x.rows
        let x0 = x.column(0), x1 = x.column(1)
        var s00 = 0.0, s01 = 0.0, s11 = 0.0
        for i in 0..<n {
            s00 += x0[i] * x0[i]
            s01 += x0[i] * x1[i]
            s11 += x1[i] * x1[i]
        }
        guard s00 > 0, s00.isFinite, s11.isFinite, s01.isFinite else { return nil }
        let length0 = s00.squareRoot()
        let inverse0 = 1 / length0
        var coefficient = s01 / length0
        let q0 = basis.column(0), v = basis.column(1)
        var overlap = 0.0
        for i in 0..<n {
            let q = x0[i] * inverse0
            let w = x1[i] - coefficient * q
            q0[i] = q
            v[i] = w
            overlap += q * w
        }
        var residual2 = 0.0
        for i in 0..<n {
            let w = v[i] - overlap * q0[i]
            v[i] = w
            residual2 += w * w
        }
        coefficient += overlap
        let residual = residual2.squareRoot()
        guard residual > relativeTolerance * s11.squareRoot() && residual > 0 else {
            return ([length0, coefficient], 1)
        }
        let inverse = 1 / residual
        for i in 0..<n { v[i] *= inverse }
        // Column-major 2 x 2: R = [[length0, coefficient], [0, residual]].
        return ([length0, 0, coefficient, residual], 2)
    }
}
