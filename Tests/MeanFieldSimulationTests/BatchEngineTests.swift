import COpenBLAS
import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

/// The batch engine's parts against closed forms and exact identities (Docs/companion-papers.md).
@Suite struct BatchEngineTests {
    /// Standard normal matrix, column-major, from a stream of its own.
    static func gaussian(rows: Int, columns: Int, seed: UInt64 = 11, layer: Int = 1) -> [Double] {
        GaussianStream(seed: seed, run: 0, layer: layer, role: .inputDirections)
            .normals(count: rows * columns)
    }

    static func maxAbs(_ values: [Double]) -> Double { values.map(abs).max() ?? 0 }

    /// A - Q R columnwise relative to |a_j|, and Q^T Q - I.
    static func factorizationErrors(_ a: [Double], rows: Int, columns: Int,
                                    _ f: QRFactorization) -> (residual: Double, orthogonality: Double) {
        var residual = 0.0
        var orthogonality = 0.0
        for j in 0..<columns {
            var norm = 0.0
            for i in 0..<rows { norm += a[i + j * rows] * a[i + j * rows] }
            for i in 0..<rows {
                var sum = 0.0
                for k in 0...min(j, f.rank - 1) { sum += f.q[i + k * rows] * f.r[k + j * f.rank] }
                residual = max(residual, abs(sum - a[i + j * rows]) / norm.squareRoot())
            }
            for l in 0..<columns {
                var dot = 0.0
                for i in 0..<rows { dot += f.q[i + j * rows] * f.q[i + l * rows] }
                orthogonality = max(orthogonality, abs(dot - (j == l ? 1 : 0)))
            }
        }
        return (residual, orthogonality)
    }

    @Test func choleskyQRMatchesHouseholderWithPositiveDiagonal() throws {
        let (n, r) = (200, 24)
        var a = Self.gaussian(rows: n, columns: r)
        // Columns of very different lengths, as signal and noise.
        for j in 0..<r { for i in 0..<n { a[i + j * n] *= pow(10, Double(j % 5) - 2) } }
        let f = QRFactorization(rows: n, columns: r)
        f.factor(a, formQ: true)
        let errors = Self.factorizationErrors(a, rows: n, columns: r, f)
        #expect(errors.residual < 1e-14)
        #expect(errors.orthogonality < 1e-14)
        // Reference: LAPACK's Householder R, rows signed to a positive diagonal.
        var copy = a
        var tau = [Double](repeating: 0, count: r)
        var workspace: [Double] = []
        #expect(Lapack.factorQR(&copy, rows: n, columns: r, tau: &tau, workspace: &workspace))
        for j in 0..<r {
            for i in 0...j {
                let sign: Double = copy[i + i * n] < 0 ? -1 : 1
                let reference = sign * copy[i + j * n]
                #expect(abs(f.r[i + j * r] - reference) <= 1e-13 * abs(copy[j + j * n]) + 1e-14 * abs(reference))
            }
            #expect(f.r[j + j * r] > 0)
        }
    }

    @Test func illConditionedBlocksFallBackToHouseholder() throws {
        // Nearly dependent columns (cond ~ 1e12): Cholesky QR would lose the small directions.
        let (n, r) = (100, 6)
        var a = Self.gaussian(rows: n, columns: r)
        let base = Array(a[0..<n])
        for j in 1..<r {
            for i in 0..<n { a[i + j * n] = base[i] + 1e-12 * Double(j) * a[i + j * n] }
        }
        let f = QRFactorization(rows: n, columns: r)
        f.factor(a, formQ: true)
        let errors = Self.factorizationErrors(a, rows: n, columns: r, f)
        #expect(errors.residual < 1e-14)
        #expect(errors.orthogonality < 1e-13)
        // Rank-deficient (a zero column, identical columns) stays exact too.
        var b = a
        for i in 0..<n { b[i + 2 * n] = 0; b[i + 3 * n] = b[i] }
        f.factor(b, formQ: true)
        #expect(Self.factorizationErrors(b, rows: n, columns: r, f).residual < 1e-14)
    }

    /// Haar on O(n): E[O_11] = 0, E[O_11^2] = 1/n, E[O_11^4] = 3/(n(n + 2)). The sign fix is
    /// what makes E[O_11] vanish: LAPACK's reflectors give Q_11 of one sign.
    @Test func haarFramesHaveTheHaarMoments() throws {
        let n = 6
        let samples = 4000
        let frame = HaarFrame(rows: n, columns: n)
        var first = [Double](), second = [Double](), fourth = [Double]()
        var worst = 0.0
        for sample in 0..<samples {
            let q = frame.sample(GaussianStream(seed: 3, run: sample, layer: 1, role: .weightW))
            for j in 0..<n {
                for l in 0..<n {
                    var dot = 0.0
                    for i in 0..<n { dot += q[i + j * n] * q[i + l * n] }
                    worst = max(worst, abs(dot - (j == l ? 1 : 0)))
                }
            }
            // All n^2 entries are identically distributed; average them per sample.
            var m1 = 0.0, m2 = 0.0, m4 = 0.0
            for index in 0..<(n * n) {
                let x = q[index]
                m1 += x; m2 += x * x; m4 += x * x * x * x
            }
            first.append(q[0])
            second.append(m2 / Double(n * n))
            fourth.append(m4 / Double(n * n))
            _ = m1
        }
        #expect(worst < 1e-14)
        func z(_ values: [Double], _ reference: Double) -> Double {
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
            return (mean - reference) / (variance / Double(values.count)).squareRoot()
        }
        #expect(abs(z(first, 0)) < zBound)
        // Rows of an orthogonal matrix have length 1: sum of squares is exact.
        #expect(abs(second.reduce(0, +) / Double(samples) - 1 / Double(n)) < 1e-14)
        #expect(abs(z(fourth, 3 / Double(n * (n + 2))))  < zBound)
    }

    /// Orthogonal weights: Y^T Y = sigma^2 A^T A for every draw, in both modes; Gaussian weights:
    /// E[Y^T Y]/N = scale^2 A^T A, z-scores over draws.
    @Test(arguments: [SimulationMode.conditional, .dense])
    func productsHaveTheRightLaw(mode: SimulationMode) throws {
        let (n, r) = (48, 6)
        let a = Self.gaussian(rows: n, columns: r)
        let input = Block(rows: n, columns: r)
        input.data.update(from: a, count: n * r)
        let output = Block(rows: n, columns: r)
        var gram = [Double](repeating: 0, count: r * r)
        for j in 0..<r { for l in 0..<r { for i in 0..<n { gram[j + l * r] += a[i + j * n] * a[i + l * n] } } }

        let orthogonal = BatchWeightProduct(width: n, columns: r, distribution: .orthogonal,
                                            mode: mode, seed: 5, run: 0)
        for layer in 1...5 {
            orthogonal.apply(.w, layer: layer, input: input, output: output, scale: 1.5, accumulate: false)
            for j in 0..<r {
                for l in 0..<r {
                    var dot = 0.0
                    for i in 0..<n { dot += output.column(j)[i] * output.column(l)[i] }
                    #expect(abs(dot - 2.25 * gram[j + l * r]) < 1e-12 * 2.25 * (gram[j + j * r] * gram[l + l * r]).squareRoot())
                }
            }
        }

        let gaussian = BatchWeightProduct(width: n, columns: r, distribution: .gaussian,
                                          mode: mode, seed: 5, run: 0)
        let draws = 1500
        let scale = 0.7
        var statistics = [[Double]](repeating: [], count: r * r)
        for layer in 1...draws {
            gaussian.apply(.w, layer: layer, input: input, output: output, scale: scale, accumulate: false)
            for j in 0..<r {
                for l in j..<r {
                    var dot = 0.0
                    for i in 0..<n { dot += output.column(j)[i] * output.column(l)[i] }
                    statistics[j + l * r].append(dot / Double(n))
                }
            }
        }
        for j in 0..<r {
            for l in j..<r {
                let values = statistics[j + l * r]
                let mean = values.reduce(0, +) / Double(draws)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws - 1)
                let z = (mean - scale * scale * gram[j + l * r]) / (variance / Double(draws)).squareRoot()
                #expect(abs(z) < zBound, "entry (\(j), \(l)): z = \(z)")
            }
        }
    }

    @Test func looksLinearProductIsARotationOfTheDifference() throws {
        let (n, r) = (40, 4)
        let a = Self.gaussian(rows: n, columns: r)
        let input = Block(rows: n, columns: r)
        input.data.update(from: a, count: n * r)
        let output = Block(rows: n, columns: r)
        let product = BatchWeightProduct(width: n, columns: r, distribution: .looksLinear,
                                         mode: .conditional, seed: 2, run: 0)
        product.apply(.w, layer: 1, input: input, output: output, scale: 1, accumulate: false)
        let half = n / 2
        for k in 0..<r {
            var lengthIn = 0.0, lengthOut = 0.0
            for i in 0..<half {
                let d = a[i + k * n] - a[i + half + k * n]
                lengthIn += d * d
                lengthOut += output.column(k)[i] * output.column(k)[i]
                #expect(output.column(k)[i + half] == -output.column(k)[i])
            }
            #expect(abs(lengthOut - lengthIn) < 1e-13 * lengthIn)
        }
    }

    // MARK: Measurements

    /// Channels j = 0, 1, 2 hold s_j h_j (h_j orthogonal +-1/2 patterns with mean 0 over the
    /// batch of 4), the rest zero: C = diag(s_j^2/4) exactly.
    static func hadamardBlock(channels: Int, scales: [Double]) -> [Double] {
        let patterns: [[Double]] = [[1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]]
        var x = [Double](repeating: 0, count: channels * 4)
        for (j, s) in scales.enumerated() {
            for k in 0..<4 { x[j + k * channels] = s * patterns[j][k] / 2 }
        }
        return x
    }

    @Test func effectiveRankRankProxyAndSoftRankOfAKnownSpectrum() throws {
        let channels = 6
        let x = Self.hadamardBlock(channels: channels, scales: [3, 1, 1])
        let measurements = BatchMeasurements(channels: channels, batch: 4)
        // Eigenvalues of C (and of M, the channel means being 0): 9/16, 1/16, 1/16.
        #expect(abs(measurements.effectiveRank(x) - 11.0 / 9) < 1e-14)
        let ranks = measurements.rankMeasures(x, tau: 0.5)
        #expect(abs(ranks.proxy - 121.0 / 83) < 1e-14)
        // Scaled to trace 6: 54/11, 6/11, 6/11, 0, 0, 0.
        #expect(ranks.soft == 3)
        #expect(measurements.rankMeasures(x, tau: 0.6).soft == 1)
        // A common offset leaves C alone (centered) but not M.
        let shifted = x.enumerated().map { $0.element + ($0.offset % channels == 0 ? 5 : 0) }
        #expect(abs(measurements.effectiveRank(shifted) - 11.0 / 9) < 1e-13)
        #expect(measurements.rankMeasures(shifted, tau: 0.5).proxy < 121.0 / 83)
        // Wide batches (M > N) go through the N x N Gram matrix: the same spectrum.
        let wide = BatchMeasurements(channels: 3, batch: 4)
        let narrow = Self.hadamardBlock(channels: 3, scales: [3, 1, 1])
        #expect(abs(wide.effectiveRank(narrow) - 11.0 / 9) < 1e-14)
        #expect(abs(wide.rankMeasures(narrow, tau: 0.5).proxy - 121.0 / 83) < 1e-14)
    }

    /// The measures are scale-invariant down to tiny signals: an unnormalized ReLU chain
    /// reaches p ~ 1e-164 at depth 500, where the squares of M's entries (~1e-328) underflow.
    @Test(arguments: [1e-80, 1e-150, 1e80])
    func rankMeasuresOfTinyAndHugeSignals(scale: Double) throws {
        let channels = 6
        let x = Self.hadamardBlock(channels: channels, scales: [3, 1, 1]).map { $0 * scale }
        let measurements = BatchMeasurements(channels: channels, batch: 4)
        #expect(abs(measurements.effectiveRank(x) - 11.0 / 9) < 1e-13)
        let ranks = measurements.rankMeasures(x, tau: 0.5)
        #expect(abs(ranks.proxy - 121.0 / 83) < 1e-13, "proxy \(ranks.proxy) at scale \(scale)")
        #expect(ranks.soft == 3)
    }

    @Test func standardizedMomentsOfKnownDistributions() throws {
        // Channel values +-a: |z| = 1, kurtosis 1. Values {-a, 0, a} (3 inputs): nu1 = (2/3)
        // sqrt(3/2), mu4 = 3/2. Constant channels are left out.
        let m = 6
        let measurements = BatchMeasurements(channels: 3, batch: m)
        var x = [Double](repeating: 0, count: 3 * m)
        for k in 0..<m {
            x[0 + k * 3] = 7 + (k % 2 == 0 ? 2.5 : -2.5)
            x[1 + k * 3] = [-1.0, 0, 1][k % 3] * 4 - 1
            x[2 + k * 3] = 3
        }
        let moments = measurements.standardizedMoments(x)
        #expect(abs(moments.nu1 - (1 + 2.0 / 3 * 1.5.squareRoot()) / 2) < 1e-14)
        #expect(abs(moments.mu4 - (1 + 1.5) / 2) < 1e-14)
        // mu_2 averages the per-channel variances: 2.5^2, 32/3, 0.
        #expect(abs(measurements.centralSecondMoment(x) - (6.25 + 32.0 / 3) / 3) < 1e-13)
    }
}
