import Foundation
import MeanFieldCore
import Testing
@testable import MeanFieldSimulation

@Suite struct LinearAlgebraTests {
    private func block(_ columns: [[Double]]) -> Block {
        let b = Block(rows: columns[0].count, columns: columns.count)
        for (k, column) in columns.enumerated() {
            for (i, v) in column.enumerated() { b.column(k)[i] = v }
        }
        return b
    }

    private func check(_ x: Block, rank expectedRank: Int) {
        let basis = OrthonormalBasis(of: x)
        #expect(basis.rank == expectedRank)
        let n = x.rows
        for a in 0..<basis.rank {
            for b in 0..<basis.rank {
                let dot = Vectors.dot(basis.q.column(a), basis.q.column(b), count: n)
                #expect(abs(dot - (a == b ? 1 : 0)) < 1e-14)
            }
        }
        for k in 0..<x.columns {
            for i in 0..<n {
                var value = 0.0
                for a in 0..<basis.rank { value += basis.q.column(a)[i] * basis.r[k * basis.rank + a] }
                #expect(abs(value - x.column(k)[i]) < 1e-12 * (1 + abs(x.column(k)[i])))
            }
        }
    }

    @Test func fullRankAndDependentColumns() {
        let g = GaussianStream(seed: 3, run: 0, layer: 0, role: .inputDirections).normals(count: 1500)
        let a = Array(g[0..<500]), b = Array(g[500..<1000]), c = Array(g[1000..<1500])
        check(block([a, b, c]), rank: 3)
        check(block([a, b]), rank: 2)
        check(block([a, a]), rank: 1)                               // identical inputs, e0 = 1
        check(block([a, a.map { _ in 0 }]), rank: 1)
        check(block([a, b, zip(a, b).map { 2 * $0 - $1 }]), rank: 2)
        check(block([a.map { _ in 0 }, b]), rank: 1)
        // Nearly collinear but distinct columns keep both directions, orthonormal.
        check(block([a, zip(a, b).map { $0 + 1e-9 * $1 }]), rank: 2)
    }

    /// The inputs have exactly the requested p0, e0 p0 and coordinate mean m0.
    @Test(arguments: [(1.0, 0.5, 0.0), (2.0, -0.9, 0.0), (1.0, 0.3, 0.5), (1.5, 1.0, 0.0),
                      (1.0, 1.0, 0.7), (0.5, -1.0, 0.0)])
    func inputsHaveTheRequestedGeometry(p0: Double, e0: Double, m0: Double) throws {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: ReLU(),
                                          p0: p0, e0: e0, inputMean: m0, depth: 1)
        try InputBatch.validate(configuration: config, batch: 2)
        let n = 301
        let x = InputBatch.make(configuration: config, width: n, batch: 2, seed: 9, run: 4)
        let p = Vectors.dot(x.column(0), x.column(0), count: n) / Double(n)
        let pPrime = Vectors.dot(x.column(1), x.column(1), count: n) / Double(n)
        let gamma = Vectors.dot(x.column(0), x.column(1), count: n) / Double(n)
        #expect(abs(p - p0) < 1e-13 && abs(pPrime - p0) < 1e-13)
        #expect(abs(gamma - e0 * p0) < 1e-13)
        for k in 0..<2 {
            let mean = (0..<n).reduce(0) { $0 + x.column(k)[$1] } / Double(n)
            #expect(abs(mean - m0) < 1e-13)
        }
    }

    @Test func infeasibleInputMeanIsRejected() {
        let config = NetworkConfiguration(architecture: .reducedResidual, activation: ReLU(),
                                          p0: 1, e0: -0.5, inputMean: 0.9, depth: 1)
        #expect(throws: InvalidParameter.self) { try InputBatch.validate(configuration: config, batch: 2) }
    }
}
