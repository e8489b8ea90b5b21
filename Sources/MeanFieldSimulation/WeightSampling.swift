import COpenBLAS

/// The two N x N weight matrices of a layer: W (every architecture) and V (FRN).
enum WeightMatrix {
    case w, v

    var forwardRole: RandomRole { self == .w ? .weightW : .weightV }
    var independentRole: RandomRole { self == .w ? .independentW : .independentV }
    var complementRole: RandomRole { self == .w ? .complementW : .complementV }
}

/// What the tied backward pass needs to reproduce a forward product in conditional mode: the
/// basis Q of the layer's inputs, and Z when memory allows keeping it (otherwise it is
/// regenerated from its stream, with the same numbers). Dense mode regenerates its weights.
struct ForwardRecord {
    let basis: OrthonormalBasis
    let normals: Block?
}

/// A layer's bias: N(0, sigma^2) per unit, shared by the batch; sigma = 0 for none.
struct Bias {
    let sigma: Double
    /// The stream it is drawn from where it is drawn (dense mode).
    let role: RandomRole
}

/// How a run obtains products with fresh Gaussian weights, entries N(0, scale^2):
/// forward Y = W X + b 1^T (or Y += W X + b 1^T with `accumulate`, for the residual stream),
/// and W^T g for the backward pass with W tied to the forward pass or replaced by an
/// independent copy.
protocol WeightSampling {
    func forward(_ matrix: WeightMatrix, layer: Int, input x: Block, output y: Block,
                 scale: Double, accumulate: Bool, bias: Bias, keepRecord: Bool) -> ForwardRecord?
    func tiedTranspose(_ matrix: WeightMatrix, layer: Int, record: ForwardRecord?,
                       gradient g: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                       scale: Double)
    func independentTranspose(_ matrix: WeightMatrix, layer: Int,
                              gradient g: UnsafePointer<Double>,
                              output: UnsafeMutablePointer<Double>, scale: Double)
}

/// Dense mode: every entry of W is drawn (entry (i, j) is normal number i N + j of the
/// matrix's stream), a panel of rows at a time so that the panel stays in cache while BLAS
/// uses it. The tied backward pass regenerates the same panels instead of storing L matrices.
final class DenseWeightSampling: WeightSampling {
    /// Panel size in doubles (256 KiB: about half of a core's L2).
    static let panelDoubles = 32_768
    /// Batches up to this size use matrix-vector products.
    static let gemvColumns = 8

    let width: Int
    let seed: UInt64
    let run: Int
    let panelRows: Int
    private let panel: UnsafeMutablePointer<Double>

    init(width: Int, seed: UInt64, run: Int) {
        self.width = width
        self.seed = seed
        self.run = run
        panelRows = Self.panelRows(width: width)
        panel = .allocate(capacity: panelRows * width)
    }

    deinit { panel.deallocate() }

    static func panelRows(width: Int) -> Int { max(1, min(width, panelDoubles / width)) }

    func forward(_ matrix: WeightMatrix, layer: Int, input x: Block, output y: Block,
                 scale: Double, accumulate: Bool, bias: Bias, keepRecord: Bool) -> ForwardRecord? {
        let n = width
        let beta: Double = accumulate ? 1 : 0
        let stream = GaussianStream(seed: seed, run: run, layer: layer, role: matrix.forwardRole)
        var row = 0
        while row < n {
            let rows = min(panelRows, n - row)
            stream.fill(panel, count: rows * n, from: row * n)
            // The row-major panel is a column-major n x rows matrix: Y[row..., :] = panel^T X.
            // For a few columns, one dgemv each beats dgemm's packing (0.2 vs 2 ns a weight).
            if x.columns <= Self.gemvColumns {
                for k in 0..<x.columns {
                    cblas_dgemv(CblasColMajor, CblasTrans, Int32(n), Int32(rows), scale, panel,
                                Int32(n), x.column(k), 1, beta, y.column(k) + row, 1)
                }
            } else {
                cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(x.columns),
                            Int32(n), scale, panel, Int32(n), x.data, Int32(n), beta, y.data + row,
                            Int32(n))
            }
            row += rows
        }
        addBias(bias, layer: layer, to: y, seed: seed, run: run, scratch: panel)
        return nil
    }

    func tiedTranspose(_ matrix: WeightMatrix, layer: Int, record: ForwardRecord?,
                       gradient g: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                       scale: Double) {
        transpose(role: matrix.forwardRole, layer: layer, gradient: g, output: output, scale: scale)
    }

    func independentTranspose(_ matrix: WeightMatrix, layer: Int, gradient g: UnsafePointer<Double>,
                              output: UnsafeMutablePointer<Double>, scale: Double) {
        transpose(role: matrix.independentRole, layer: layer, gradient: g, output: output,
                  scale: scale)
    }

    /// output = W^T g = sum over panels of panel^T g[panel rows].
    private func transpose(role: RandomRole, layer: Int, gradient g: UnsafePointer<Double>,
                           output: UnsafeMutablePointer<Double>, scale: Double) {
        let n = width
        let stream = GaussianStream(seed: seed, run: run, layer: layer, role: role)
        var row = 0
        while row < n {
            let rows = min(panelRows, n - row)
            stream.fill(panel, count: rows * n, from: row * n)
            cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(rows), scale, panel,
                        Int32(n), g + row, 1, row == 0 ? 0 : 1, output, 1)
            row += rows
        }
    }
}

/// Conditional mode: W is never drawn. With X = Q R (Q orthonormal, N x r), W X = (W Q) R and
/// W Q has i.i.d. N(0, scale^2) entries, because W's rows are isotropic; so Y = scale Z R with
/// Z an N x r standard normal block. Given W Q, the rest of W, W (I - Q Q^T), is independent
/// of it, hence
///     W^T g = Q (W Q)^T g + (I - Q Q^T) W^T g = scale Q Z^T g + scale |g| (I - Q Q^T) xi,
/// xi ~ N(0, I_N) fresh. Both steps cost O(N r) instead of O(N^2); Z is regenerated from its
/// stream in the backward pass (or kept), so a layer stores only Q.
///
/// A bias b ~ N(0, sigma_b^2) per unit is one more column of weights: W X + b 1^T = W' X' with
/// W' = [W, b / c] (entries N(0, scale^2) when c = sigma_b / scale) and X' = [X; c 1^T], one
/// row more. Sampling W' X' = scale Z R' from X' = Q' R' draws N r normals instead of
/// N (r + 1); the backward pass takes the first N rows of W'^T g, whose complement xi' has
/// N + 1 entries.
final class ConditionalWeightSampling: WeightSampling {
    let width: Int
    let seed: UInt64
    let run: Int
    /// Keep Z for the backward pass (N x rank per weight matrix and layer) instead of
    /// regenerating it.
    let storesNormals: Bool
    private let normals: Block
    private var coefficients: [Double]
    /// The complement xi' (N + 1 entries where a bias is a column).
    private let complement: UnsafeMutablePointer<Double>
    /// Holds the records (Q, Z) of every layer until the backward pass.
    private let arena: BlockArena

    init(width: Int, batch: Int, seed: UInt64, run: Int, storesNormals: Bool, arena: BlockArena) {
        self.width = width
        self.seed = seed
        self.run = run
        self.storesNormals = storesNormals
        self.arena = arena
        normals = Block(rows: width, columns: batch)
        coefficients = [Double](repeating: 0, count: batch)
        complement = .allocate(capacity: width + 1)
    }

    deinit { complement.deallocate() }

    /// The extra input coordinate c = sigma_b / scale of a bias column, nil when the bias is
    /// absent or cannot be a column (scale 0: then it is drawn and added).
    static func biasCoordinate(_ bias: Bias, scale: Double) -> Double? {
        bias.sigma > 0 && scale > 0 ? bias.sigma / scale : nil
    }

    func forward(_ matrix: WeightMatrix, layer: Int, input x: Block, output y: Block,
                 scale: Double, accumulate: Bool, bias: Bias, keepRecord: Bool) -> ForwardRecord? {
        let n = width
        let coordinate = Self.biasCoordinate(bias, scale: scale)
        let basis = OrthonormalBasis(of: x, extraRow: coordinate, arena: keepRecord ? arena : nil)
        let rank = basis.rank
        let stream = GaussianStream(seed: seed, run: run, layer: layer, role: matrix.forwardRole)
        let kept = keepRecord && storesNormals && rank > 0 ? arena.block(rows: n, columns: rank) : nil
        let z = kept ?? normals
        if rank == 0 {
            if !accumulate { y.data.update(repeating: 0, count: y.count) }
        } else {
            stream.fill(z.data, count: n * rank)
            // Y = scale Z R: with r, B of a few, one fused pass per column beats dgemm's setup.
            for k in 0..<x.columns {
                let column = y.column(k)
                let first = scale * basis.r[k * rank]
                let z0 = z.data
                if accumulate {
                    for i in 0..<n { column[i] += first * z0[i] }
                } else {
                    for i in 0..<n { column[i] = first * z0[i] }
                }
                for a in 1..<rank {
                    cblas_daxpy(Int32(n), scale * basis.r[k * rank + a], z.column(a), 1, column, 1)
                }
            }
        }
        if coordinate == nil {
            addBias(bias, layer: layer, to: y, seed: seed, run: run, scratch: complement)
        }
        return keepRecord ? ForwardRecord(basis: basis, normals: kept) : nil
    }

    func tiedTranspose(_ matrix: WeightMatrix, layer: Int, record: ForwardRecord?,
                       gradient g: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                       scale: Double) {
        guard let record else {
            preconditionFailure("the tied conditional backward pass needs the forward basis")
        }
        let basis = record.basis
        let n = width
        // N + 1 rows when the forward product had a bias column (X' = [X; c 1^T]).
        let rows = basis.q.rows
        let rank = basis.rank
        let gradientLength = Vectors.dot(g, g, count: n).squareRoot()
        // The undetermined part: scale |g| (I - Q Q^T) xi, its first N rows.
        GaussianStream(seed: seed, run: run, layer: layer, role: matrix.complementRole)
            .fill(complement, count: rows, scale: scale * gradientLength)
        output.update(from: complement, count: n)
        guard rank > 0 else { return }
        let q = basis.q.data
        cblas_dgemv(CblasColMajor, CblasTrans, Int32(rows), Int32(rank), 1, q, Int32(rows),
                    complement, 1, 0, &coefficients, 1)
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(rank), -1, q, Int32(rows),
                    coefficients, 1, 1, output, 1)
        // The part fixed by the forward pass: scale Q Z^T g.
        let z: Block
        if let stored = record.normals {
            z = stored
        } else {
            z = normals
            GaussianStream(seed: seed, run: run, layer: layer, role: matrix.forwardRole)
                .fill(z.data, count: n * rank)
        }
        cblas_dgemv(CblasColMajor, CblasTrans, Int32(n), Int32(rank), scale, z.data,
                    Int32(n), g, 1, 0, &coefficients, 1)
        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(rank), 1, q, Int32(rows),
                    coefficients, 1, 1, output, 1)
    }

    /// An independent copy W~ gives W~^T g ~ N(0, scale^2 |g|^2 I_N) exactly.
    func independentTranspose(_ matrix: WeightMatrix, layer: Int, gradient g: UnsafePointer<Double>,
                              output: UnsafeMutablePointer<Double>, scale: Double) {
        let gradientLength = Vectors.dot(g, g, count: width).squareRoot()
        GaussianStream(seed: seed, run: run, layer: layer, role: matrix.independentRole)
            .fill(output, count: width, scale: scale * gradientLength)
    }
}

/// Draws the bias (N(0, sigma^2) per unit, from its stream) into `scratch` (N doubles) and
/// adds it to every column of `block`.
func addBias(_ bias: Bias, layer: Int, to block: Block, seed: UInt64, run: Int,
             scratch: UnsafeMutablePointer<Double>) {
    guard bias.sigma > 0 else { return }
    let n = block.rows
    GaussianStream(seed: seed, run: run, layer: layer, role: bias.role)
        .fill(scratch, count: n, scale: bias.sigma)
    for k in 0..<block.columns {
        cblas_daxpy(Int32(n), 1, scratch, 1, block.column(k), 1)
    }
}
