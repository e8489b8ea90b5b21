import MeanFieldCore

/// The B inputs of a run: (1/N)|x_k|^2 = p0 for every k, (1/N) x_j . x_k = e0 p0 for j != k,
/// and every input's coordinates average exactly m0 (THEORY.md section 2, RRN with non-odd
/// phi). Built from orthonormal random directions u_1..u_B orthogonal to the all-ones vector: with a = p0 - m0^2 and rho = (e0 p0 - m0^2)/a, the symmetric square root of
/// the equicorrelation matrix gives
///     x_k = m0 + sqrt(N a) [sqrt(1 - rho) (u_k - u_bar) + sqrt(1 + (B - 1) rho) u_bar],
/// u_bar the mean direction; the products come out exactly as required.
enum InputBatch {
    static func validate(configuration: NetworkConfiguration, batch: Int) throws {
        let m0 = configuration.inputMean
        let a = configuration.p0 - m0 * m0
        let target = configuration.e0 * configuration.p0 - m0 * m0
        if a <= 0 {
            guard configuration.e0 == 1 else {
                throw InvalidParameter(option: "m0", value: m0, reason:
                    "with m0^2 = p0 every coordinate equals m0, so the inputs coincide: e0 must be 1")
            }
            return
        }
        let rho = target / a
        guard rho <= 1 + 1e-12, rho >= -1 / Double(batch - 1) - 1e-12 else {
            throw InvalidParameter(
                option: "e0", value: configuration.e0,
                reason: "inputs with mean m0 = \(m0) and p0 = \(configuration.p0) need "
                    + "(e0 p0 - m0^2)/(p0 - m0^2) in [\(-1 / Double(batch - 1)), 1]")
        }
    }

    /// Columns needed: B directions, plus the all-ones direction when m0 != 0.
    static func minimumWidth(configuration: NetworkConfiguration, batch: Int) -> Int {
        configuration.inputMean == 0 ? batch : batch + 1
    }

    /// The mean is fixed whenever there is room for the all-ones direction (N > B); only
    /// N = B with m0 = 0 leaves it free.
    static func fixesMean(configuration: NetworkConfiguration, width: Int, batch: Int) -> Bool {
        configuration.inputMean != 0 || width > batch
    }

    static func make(configuration: NetworkConfiguration, width n: Int, batch: Int,
                     seed: UInt64, run: Int) -> Block {
        let m0 = configuration.inputMean
        let a = max(configuration.p0 - m0 * m0, 0)
        let rho = a > 0 ? min(max((configuration.e0 * configuration.p0 - m0 * m0) / a,
                                  -1 / Double(batch - 1)), 1) : 1
        let constrained = fixesMean(configuration: configuration, width: n, batch: batch)
        let offset = constrained ? 1 : 0
        let directions = Block(rows: n, columns: batch + offset)
        if constrained {
            directions.column(0).update(repeating: 1, count: n)
        }
        GaussianStream(seed: seed, run: run, layer: 0, role: .inputDirections)
            .fill(directions.column(offset), count: n * batch)
        let basis = OrthonormalBasis(of: directions)
        precondition(basis.rank == batch + offset, "random input directions are dependent")
        let x = Block(rows: n, columns: batch)
        let scale = (Double(n) * a).squareRoot()
        let individual = scale * (1 - rho).squareRoot()
        let common = scale * max(1 + Double(batch - 1) * rho, 0).squareRoot()
        let mean = Block(rows: n, columns: 1)
        for k in 0..<batch {
            let u = basis.q.column(k + offset)
            for i in 0..<n { mean.data[i] += u[i] / Double(batch) }
        }
        for k in 0..<batch {
            let u = basis.q.column(k + offset)
            let column = x.column(k)
            for i in 0..<n {
                column[i] = m0 + individual * (u[i] - mean.data[i]) + common * mean.data[i]
            }
        }
        return x
    }
}
