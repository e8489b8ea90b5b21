import COpenBLAS

/// The law of the weight matrices of the batch engine (`--weights`).
public enum WeightDistribution: String, CaseIterable, Sendable {
    /// W_ij ~ N(0, sigma^2/N), as everywhere else in the simulator.
    case gaussian
    /// W = sigma O with O Haar-distributed on the orthogonal group O(N).
    case orthogonal
    /// Blumenfeld et al. 2020 appendix B: on width N = 2n, W = sigma [[O, -O], [-O, O]] with
    /// O Haar on O(n). Fed [v; -v]-shaped inputs through ReLU it acts as the rotation O.
    case looksLinear = "looks-linear"
}

/// A = Q R for an N x r block, with R upper triangular (min(N, r) x r) and a nonnegative
/// diagonal, unique for full column rank, so both methods below give the same R up to
/// rounding. Columns are scaled to unit length first (R is scaled back), which makes the
/// errors relative to each column: signal and noise columns differ in size.
///
/// r <= N: Cholesky QR twice (Yamamoto et al. 2015): R1 = chol(A^T A), Q1 = A R1^-1,
/// R2 = chol(Q1^T Q1), R = R2 R1; all Level-3 BLAS, and as accurate as Householder QR when
/// cond(A) is well below eps^-1/2. It is used only when the first pass leaves Q1 close to
/// orthonormal (|Q1^T Q1 - I| <= 1/2 entrywise), otherwise, and for r > N, Householder QR
/// (dgeqrf, which at these sizes runs its unblocked Level-2 path, 3-4 times slower).
final class QRFactorization {
    let rows: Int
    let columns: Int
    /// min(rows, columns): the rows of R.
    let rank: Int
    /// Q (rows x rank) after `factor(_:formQ: true)`; working storage otherwise.
    let q: UnsafeMutablePointer<Double>
    /// R, rank x columns, column-major with leading dimension `rank`.
    let r: UnsafeMutablePointer<Double>
    private let gram: UnsafeMutablePointer<Double>
    private let second: UnsafeMutablePointer<Double>
    private var scales: [Double]
    private var tau: [Double]
    private var workspace: [Double] = []

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        rank = min(rows, columns)
        q = .allocate(capacity: rows * columns)
        r = .allocate(capacity: rank * columns)
        gram = .allocate(capacity: columns * columns)
        second = .allocate(capacity: columns * columns)
        scales = [Double](repeating: 1, count: columns)
        tau = [Double](repeating: 0, count: rank)
    }

    deinit {
        q.deallocate()
        r.deallocate()
        gram.deallocate()
        second.deallocate()
    }

    /// Factors the rows x columns block `a`; with `formQ` (columns <= rows) Q ends in `q`.
    func factor(_ a: UnsafePointer<Double>, formQ: Bool) {
        precondition(!formQ || columns <= rows)
        loadScaled(a)
        if columns > rows || !choleskyQR2(formQ: formQ) {
            loadScaled(a)
            householder(formQ: formQ)
        }
        // R := R D, D the column scales.
        for j in 0..<columns where scales[j] != 1 {
            cblas_dscal(Int32(rank), scales[j], r + j * rank, 1)
        }
    }

    private func loadScaled(_ a: UnsafePointer<Double>) {
        let n = rows
        q.update(from: a, count: n * columns)
        for j in 0..<columns {
            let column = q + j * n
            let length = cblas_dnrm2(Int32(n), column, 1)
            if length > 0 && length.isFinite {
                scales[j] = length
                cblas_dscal(Int32(n), 1 / length, column, 1)
            } else {
                scales[j] = 1
            }
        }
    }

    private func choleskyQR2(formQ: Bool) -> Bool {
        let n = Int32(rows)
        let c = Int32(columns)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, c, n, 1, q, n, 0, gram, c)
        guard Lapack.cholesky(gram, order: columns) else { return false }
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, c, 1,
                    gram, c, q, n)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, c, n, 1, q, n, 0, second, c)
        for j in 0..<columns {
            for i in 0...j {
                let target: Double = i == j ? 1 : 0
                guard abs(second[i + j * columns] - target) <= 0.5 else { return false }
            }
        }
        guard Lapack.cholesky(second, order: columns) else { return false }
        if formQ {
            cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, c, 1,
                        second, c, q, n)
        }
        // R = R2 R1 (both upper triangular; the strict lower parts are not referenced).
        for j in 0..<columns {
            for i in 0..<columns { r[i + j * columns] = i <= j ? gram[i + j * columns] : 0 }
        }
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, c, c, 1,
                    second, c, r, c)
        return true
    }

    private func householder(formQ: Bool) {
        let n = rows
        let k = rank
        let factored = tau.withUnsafeMutableBufferPointer {
            Lapack.factorQR(q, rows: n, columns: columns, tau: $0.baseAddress!, workspace: &workspace)
        }
        precondition(factored, "dgeqrf failed")
        // R's rows signed to a nonnegative diagonal (Q's columns alike): the unique factor,
        // and the sign fix that makes Q of a Gaussian matrix Haar (Mezzadri 2007).
        var signs = [Double](repeating: 1, count: k)
        for i in 0..<k where q[i + i * n] < 0 { signs[i] = -1 }
        for j in 0..<columns {
            for i in 0..<k { r[i + j * k] = i <= j ? signs[i] * q[i + j * n] : 0 }
        }
        if formQ {
            let formed = tau.withUnsafeBufferPointer {
                Lapack.formQ(q, rows: n, columns: k, tau: $0.baseAddress!, workspace: &workspace)
            }
            precondition(formed, "dorgqr failed")
            for j in 0..<k where signs[j] < 0 { cblas_dscal(Int32(n), -1, q + j * n, 1) }
        }
    }
}

/// Haar-distributed orthonormal frames: the first k columns of a Haar matrix on O(n) are Q
/// of the QR factorization of an n x k standard Gaussian matrix with R's diagonal positive
/// (Mezzadri 2007, "How to generate random matrices from the classical compact groups";
/// with arbitrary signs Q would not be Haar).
final class HaarFrame {
    let rows: Int
    let columns: Int
    private let gaussian: UnsafeMutablePointer<Double>
    private let factorization: QRFactorization
    private let ledger: CostLedger

    init(rows: Int, columns: Int, ledger: CostLedger = CostLedger(enabled: false)) {
        precondition(columns <= rows)
        self.rows = rows
        self.columns = columns
        self.ledger = ledger
        gaussian = .allocate(capacity: rows * columns)
        factorization = QRFactorization(rows: rows, columns: columns)
    }

    deinit { gaussian.deallocate() }

    /// A frame from normal numbers 0..<rows*columns of `stream` (rows x columns, in `q`).
    func sample(_ stream: GaussianStream) -> UnsafeMutablePointer<Double> {
        ledger.measure(.randomNumbers) { stream.fill(gaussian, count: rows * columns) }
        ledger.measure(.factorization) { factorization.factor(gaussian, formQ: true) }
        return factorization.q
    }
}

/// Y = W A or Y += W A for a fresh weight matrix W of one layer and a block A holding the
/// batch's signal and noise columns together (both must see the same W).
///
/// conditional (default): with A = Q_A R_A (Householder QR, k = min(N, columns)),
/// W A = (W Q_A) R_A, and W Q_A is an N x k matrix of i.i.d. N(0, sigma^2/N) entries for
/// Gaussian W (rows isotropic), a Haar frame times sigma for orthogonal W (O Q_A is uniform
/// on the Stiefel manifold). So Y = sigma/sqrt(N) Z R_A or sigma Q_G R_A: exact in
/// distribution, O(N k columns) instead of O(N^2 columns), no N x N matrix.
/// dense: every entry of W drawn (Gaussian: panels of rows as in `DenseWeightSampling`, the
/// same stream layout, entry (i, j) = normal number i N + j; orthogonal:
/// the Q factor of an N x N Gaussian matrix) and multiplied through BLAS: the direct check.
/// Conditional mode uses it too when the block has as many columns as rows (2M >= N).
final class BatchWeightProduct {
    let width: Int
    let columns: Int
    let distribution: WeightDistribution
    let mode: SimulationMode
    let seed: UInt64
    let run: Int
    private let ledger: CostLedger
    /// Conditional mode: R_A of the layer's block.
    private let factorization: QRFactorization?
    /// Z or the Haar frame (times R_A), or the dense Gaussian panel.
    private let product: UnsafeMutablePointer<Double>
    private let panelRows: Int
    private let frame: HaarFrame?
    /// looks-linear: the orthogonal product on half the width, applied to A_top - A_bottom.
    private let half: BatchWeightProduct?
    private let difference: Block?
    private let halfOutput: Block?

    init(width: Int, columns: Int, distribution: WeightDistribution, mode: SimulationMode,
         seed: UInt64, run: Int, ledger: CostLedger = CostLedger(enabled: false)) {
        self.width = width
        self.columns = columns
        self.distribution = distribution
        self.mode = mode
        self.seed = seed
        self.run = run
        self.ledger = ledger
        var factorization: QRFactorization? = nil
        var frame: HaarFrame? = nil
        var productCount = 1
        var panelRows = 0
        if distribution == .looksLinear {
            precondition(width % 2 == 0)
            half = BatchWeightProduct(width: width / 2, columns: columns, distribution: .orthogonal,
                                      mode: mode, seed: seed, run: run, ledger: ledger)
            difference = Block(rows: width / 2, columns: columns)
            halfOutput = Block(rows: width / 2, columns: columns)
        } else {
            half = nil
            difference = nil
            halfOutput = nil
            // With columns >= N the conditional factor is N x N: a dense matrix in disguise,
            // and the QR would be wasted.
            let drawsAll = mode == .dense || columns >= width
            switch (drawsAll, distribution) {
            case (true, .gaussian):
                panelRows = DenseWeightSampling.panelRows(width: width)
                productCount = panelRows * width
            case (true, _):
                frame = HaarFrame(rows: width, columns: width, ledger: ledger)
            case (false, _):
                factorization = QRFactorization(rows: width, columns: columns)
                productCount = width * columns
                if distribution == .orthogonal {
                    frame = HaarFrame(rows: width, columns: columns, ledger: ledger)
                }
            }
        }
        self.factorization = factorization
        self.frame = frame
        self.panelRows = panelRows
        product = .allocate(capacity: productCount)
    }

    deinit { product.deallocate() }

    /// output (=|+=) W input. `scale` is the entry standard deviation for Gaussian weights
    /// (sigma/sqrt(N)) and the factor sigma for orthogonal ones.
    func apply(_ matrix: WeightMatrix, layer: Int, input: Block, output: Block, scale: Double,
               accumulate: Bool) {
        precondition(input.rows == width && input.columns == columns && output.count == input.count)
        if let half, let difference, let halfOutput {
            applyLooksLinear(matrix, layer: layer, input: input, output: output, scale: scale,
                             accumulate: accumulate, half: half, difference: difference,
                             halfOutput: halfOutput)
            return
        }
        let stream = GaussianStream(seed: seed, run: run, layer: layer, role: matrix.forwardRole)
        let n = width
        let r = columns
        let beta: Double = accumulate ? 1 : 0
        if panelRows > 0 {
            // Dense Gaussian: the row-major panel is a column-major n x rows matrix,
            // Y[row..., :] = scale panel^T A.
            var row = 0
            while row < n {
                let rows = min(panelRows, n - row)
                ledger.measure(.randomNumbers) { stream.fill(product, count: rows * n, from: row * n) }
                ledger.measure(.products) {
                    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(r),
                                Int32(n), scale, product, Int32(n), input.data, Int32(n), beta,
                                output.data + row, Int32(n))
                }
                row += rows
            }
            return
        }
        guard let factorization else {
            // Dense orthogonal: O from this layer's N x N Gaussian matrix.
            let o = frame!.sample(stream)
            ledger.measure(.products) {
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(r), Int32(n),
                            scale, o, Int32(n), input.data, Int32(n), beta, output.data, Int32(n))
            }
            return
        }
        // Conditional: W A = (W Q_A) R_A, with R_A square upper triangular (r < N).
        ledger.measure(.factorization) { factorization.factor(input.data, formQ: false) }
        if let frame {
            let q = frame.sample(stream)
            ledger.measure(.products) { product.update(from: q, count: n * r) }
        } else {
            ledger.measure(.randomNumbers) { stream.fill(product, count: n * r) }
        }
        ledger.measure(.products) {
            cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
                        Int32(n), Int32(r), scale, factorization.r, Int32(r), product, Int32(n))
            if accumulate {
                cblas_daxpy(Int32(n * r), 1, product, 1, output.data, 1)
            } else {
                output.data.update(from: product, count: n * r)
            }
        }
    }

    /// W [a; b] = [O (a - b); -O (a - b)] scaled: only the difference of the halves matters.
    private func applyLooksLinear(_ matrix: WeightMatrix, layer: Int, input: Block,
                                  output: Block, scale: Double, accumulate: Bool,
                                  half: BatchWeightProduct, difference: Block, halfOutput: Block) {
        let n = width / 2
        for k in 0..<columns {
            let top = input.column(k)
            let bottom = top + n
            let d = difference.column(k)
            for i in 0..<n { d[i] = top[i] - bottom[i] }
        }
        half.apply(matrix, layer: layer, input: difference, output: halfOutput, scale: scale,
                   accumulate: false)
        for k in 0..<columns {
            let top = output.column(k)
            let bottom = top + n
            let y = halfOutput.column(k)
            if accumulate {
                for i in 0..<n {
                    top[i] += y[i]
                    bottom[i] -= y[i]
                }
            } else {
                for i in 0..<n {
                    top[i] = y[i]
                    bottom[i] = -y[i]
                }
            }
        }
    }
}
