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

    /// `arena`: where Q lives when it is kept for the backward pass. `extraRow`: factor
    /// X' = [X; c 1^T] (one row more, every column's extra entry c) instead of X.
    init(of input: Block, extraRow: Double? = nil, arena: BlockArena? = nil) {
        let b = input.columns
        let n = input.rows + (extraRow == nil ? 0 : 1)
        let basis = arena?.block(rows: n, columns: b) ?? Block(rows: n, columns: b)
        if b == 2, let pair = Self.factorPair(input, extraRow: extraRow, into: basis) {
            (q, r, rank) = (basis, pair.r, pair.rank)
            return
        }
        var x = input
        if let extraRow {
            x = Block(rows: n, columns: b)
            for k in 0..<b {
                x.column(k).update(from: input.column(k), count: n - 1)
                x.column(k)[n - 1] = extraRow
            }
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
    /// The Gram sums and the overlap are summed as the fused pair path sums them (PairSums,
    /// PairBasis: four lanes, the extra row last), so that the two paths' bases agree to the
    /// last bit where the pair is nearly collinear and Q's second column amplifies rounding.
    private static func factorPair(_ x: Block, extraRow: Double?,
                                   into basis: Block) -> (r: [Double], rank: Int)? {
        let n = x.rows
        let rows = basis.rows
        let x0 = UnsafePointer(x.column(0)), x1 = UnsafePointer(x.column(1))
        let sums = PairSums(x0, x1, count: n)
        let extra = extraRow ?? 0
        let s00 = sums.s00 + extra * extra, s01 = sums.s01 + extra * extra
        let s11 = sums.s11 + extra * extra
        guard s00 > 0, s00.isFinite, s11.isFinite, s01.isFinite else { return nil }
        let length0 = s00.squareRoot()
        let inverse0 = 1 / length0
        var coefficient = s01 / length0
        let q0 = basis.column(0), v = basis.column(1)
        var overlapLanes = Quad()
        var i = 0
        while i < n {
            let valid = min(4, n - i)
            let q = x0.quad(i, valid) * inverse0
            let w = x1.quad(i, valid) - coefficient * q
            q0.setQuad(i, valid, q)
            v.setQuad(i, valid, w)
            overlapLanes += q * w
            i += 4
        }
        var overlap = overlapLanes.laneTotal
        if extraRow != nil {
            let q = extra * inverse0
            let w = extra - coefficient * q
            q0[n] = q
            v[n] = w
            overlap += q * w
        }
        var residual2 = 0.0
        for i in 0..<rows {
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
        for i in 0..<rows { v[i] *= inverse }
        // Column-major 2 x 2: R = [[length0, coefficient], [0, residual]].
        return ([length0, 0, coefficient, residual], 2)
    }
}
