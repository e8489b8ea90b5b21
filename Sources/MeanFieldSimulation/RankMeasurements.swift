import COpenBLAS
import Foundation

/// Statistics of an N x M block (channel i = row i, input k = column k, column-major) over
/// the batch, as Labatie 2019 section 3.1 defines them for the fully connected case: the
/// expectation over the data is the average over the M inputs, moments are taken per channel
/// and then averaged over the N channels.
///
/// - nu_p = E_c[E_k v_ck^p] (non-central), mu_p = E_c[E_k (v_ck - m_c)^p] with m_c the
///   channel's batch mean (1/M normalization, as the paper's code).
/// - Effective rank (Vershynin): trace(C)/||C||_2 of the channel covariance
///   C = (1/M) sum_k (v_k - m)(v_k - m)^T.
/// - Daneshmand et al. 2020: M = V V^T / M_batch (uncentered); rank proxy
///   r = trace(M)^2/||M||_F^2 (= d^2/||M||_F^2 when every row has mean square 1, as after
///   their batch norm), and the soft rank: the number of eigenvalues of M scaled to trace N
///   that are >= tau.
///
/// C and M have the nonzero spectrum of the min(N, M) x min(N, M) Gram matrix of the other
/// side, so the eigenvalue problems have the batch's size, not the width's.
final class BatchMeasurements {
    let channels: Int
    let batch: Int
    private let order: Int
    private let gram: UnsafeMutablePointer<Double>
    private let eigenvalues: UnsafeMutablePointer<Double>
    private let centered: UnsafeMutablePointer<Double>
    private var channelSums: [Double]
    private var channelSquares: [Double]
    private var workspace: [Double] = []
    private let ledger: CostLedger

    init(channels: Int, batch: Int, ledger: CostLedger = CostLedger(enabled: false)) {
        self.ledger = ledger
        self.channels = channels
        self.batch = batch
        order = min(channels, batch)
        gram = .allocate(capacity: order * order)
        eigenvalues = .allocate(capacity: order)
        centered = .allocate(capacity: channels * batch)
        channelSums = [Double](repeating: 0, count: channels)
        channelSquares = [Double](repeating: 0, count: channels)
    }

    deinit {
        gram.deallocate()
        eigenvalues.deallocate()
        centered.deallocate()
    }

    /// Mean of v^2 over all entries (nu_2; for the noise, centered by construction, mu_2).
    func meanSquare(_ v: UnsafePointer<Double>) -> Double {
        let count = channels * batch
        return ledger.measure(.moments) { cblas_ddot(Int32(count), v, 1, v, 1) / Double(count) }
    }

    /// Per-channel batch means into `channelSums` (as means).
    private func channelMeans(_ v: UnsafePointer<Double>) {
        let n = channels
        channelSums.withUnsafeMutableBufferPointer { sums in
            for i in 0..<n { sums[i] = 0 }
            for k in 0..<batch {
                let column = v + k * n
                for i in 0..<n { sums[i] += column[i] }
            }
            let scale = 1 / Double(batch)
            for i in 0..<n { sums[i] *= scale }
        }
    }

    /// mu_2 = E_c[E_k (v_ck - m_c)^2].
    func centralSecondMoment(_ v: UnsafePointer<Double>) -> Double {
        ledger.measure(.moments) { centralSecondMomentUntimed(v) }
    }

    private func centralSecondMomentUntimed(_ v: UnsafePointer<Double>) -> Double {
        channelMeans(v)
        let n = channels
        var total = 0.0
        channelSums.withUnsafeBufferPointer { means in
            for k in 0..<batch {
                let column = v + k * n
                var sum = 0.0
                for i in 0..<n {
                    let d = column[i] - means[i]
                    sum += d * d
                }
                total += sum
            }
        }
        return total / Double(n * batch)
    }

    /// (nu_1(|z|), mu_4(z)) of the per-channel standardized block
    /// z_ck = (u_ck - m_c)/sqrt(mu_2,c(u)): the average absolute value (sqrt(2/pi) = 0.798
    /// for Gaussian data) and the average kurtosis (3 for Gaussian data). After batch norm with
    /// epsilon = 0 z is the BN output itself; standardizing removes epsilon's shrinkage.
    /// Channels constant over the batch have no standardized value and are left out.
    func standardizedMoments(_ u: UnsafePointer<Double>) -> (nu1: Double, mu4: Double) {
        ledger.measure(.moments) { standardizedMomentsUntimed(u) }
    }

    private func standardizedMomentsUntimed(_ u: UnsafePointer<Double>) -> (nu1: Double, mu4: Double) {
        channelMeans(u)
        let n = channels
        var absolute = [Double](repeating: 0, count: n)
        var fourth = [Double](repeating: 0, count: n)
        channelSums.withUnsafeBufferPointer { means in
            channelSquares.withUnsafeMutableBufferPointer { squares in
                for i in 0..<n { squares[i] = 0 }
                for k in 0..<batch {
                    let column = u + k * n
                    for i in 0..<n {
                        let d = column[i] - means[i]
                        let d2 = d * d
                        squares[i] += d2
                        absolute[i] += abs(d)
                        fourth[i] += d2 * d2
                    }
                }
            }
        }
        var nu1 = 0.0, mu4 = 0.0
        var used = 0
        let m = Double(batch)
        for i in 0..<n {
            let variance = channelSquares[i] / m
            guard variance > 0, variance.isFinite else { continue }
            nu1 += absolute[i] / m / variance.squareRoot()
            mu4 += fourth[i] / m / (variance * variance)
            used += 1
        }
        guard used > 0 else { return (.nan, .nan) }
        return (nu1 / Double(used), mu4 / Double(used))
    }

    /// The Gram matrix of the block (min(N, M) square, upper triangle), scaled by 1/M.
    private func formGram(_ v: UnsafePointer<Double>) {
        let n = channels
        let m = batch
        ledger.measure(.grams) {
            if m <= n {
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(m), Int32(n),
                            1 / Double(m), v, Int32(n), 0, gram, Int32(m))
            } else {
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(m),
                            1 / Double(m), v, Int32(n), 0, gram, Int32(n))
            }
        }
    }

    private var gramTrace: Double {
        var trace = 0.0
        for i in 0..<order { trace += gram[i + i * order] }
        return trace
    }

    /// Eigenvalues of the Gram matrix (destroys it); nil if LAPACK fails.
    private func gramEigenvalues() -> UnsafeMutablePointer<Double>? {
        ledger.measure(.eigenvalues) {
            Lapack.symmetricEigenvalues(gram, order: order, into: eigenvalues, workspace: &workspace)
        } ? eigenvalues : nil
    }

    /// trace(C)/||C||_2 of the channel covariance; NaN when the block is constant over the
    /// batch (C = 0) or an eigenvalue solve fails.
    func effectiveRank(_ v: UnsafePointer<Double>) -> Double {
        ledger.measure(.moments) {
            channelMeans(v)
            let n = channels
            channelSums.withUnsafeBufferPointer { means in
                for k in 0..<batch {
                    let column = v + k * n
                    let target = centered + k * n
                    for i in 0..<n { target[i] = column[i] - means[i] }
                }
            }
        }
        formGram(centered)
        let trace = gramTrace
        guard trace > 0, trace.isFinite, let values = gramEigenvalues() else { return .nan }
        let largest = values[order - 1]
        return largest > 0 ? trace / largest : .nan
    }

    /// (rank proxy, soft rank) of M = V V^T / batch (Daneshmand et al. 2020 section 2).
    func rankMeasures(_ v: UnsafePointer<Double>, tau: Double) -> (proxy: Double, soft: Double) {
        formGram(v)
        let trace = gramTrace
        guard trace > 0, trace.isFinite else { return (.nan, .nan) }
        // ||M / trace(M)||_F^2 from the upper triangle: diagonal once, off-diagonal twice.
        // Scaled by the trace before squaring: a chain without normalization shrinks its
        // signal geometrically (ReLU, d = 32: p ~ 1e-164 at depth 500), and the squares of
        // the unscaled entries would underflow to 0 (a proxy of NaN or garbage).
        var frobenius = 0.0
        for j in 0..<order {
            for i in 0..<j {
                let x = gram[i + j * order] / trace
                frobenius += 2 * x * x
            }
            let d = gram[j + j * order] / trace
            frobenius += d * d
        }
        let proxy = 1 / frobenius
        guard let values = gramEigenvalues() else { return (proxy, .nan) }
        let scale = Double(channels) / trace
        var soft = 0
        for i in 0..<order where values[i] * scale >= tau { soft += 1 }
        return (proxy, Double(soft))
    }
}
