import Foundation
import Testing
@testable import MeanFieldSimulation

@Suite struct RandomStreamTests {
    /// Known-answer vectors of Random123 (kat_vectors, philox4x64 10), which numpy's Philox
    /// reproduces as well.
    @Test func philoxKnownAnswers() {
        let cases: [(Philox4x64.Words, (UInt64, UInt64), [UInt64])] = [
            ((0, 0, 0, 0), (0, 0),
             [0x1655_4d9e_ca36_314c, 0xdb20_fe9d_672d_0fdc, 0xd7e7_72ce_e186_176b, 0x7e68_b68a_ec7b_a23b]),
            ((.max, .max, .max, .max), (.max, .max),
             [0x87b0_92c3_013f_e90b, 0x438c_3c67_be8d_0224, 0x9cc7_d7c6_9cd7_77b6, 0xa09c_aebf_594f_0ba0]),
            ((0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89),
             (0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c),
             [0xa528_f454_03e6_1d95, 0x38c7_2dbd_566e_9788, 0xa5a1_610e_72fd_18b5, 0x57bd_43b5_e52b_7fe6]),
        ]
        for (counter, key, expected) in cases {
            let w = Philox4x64.block(counter: counter, key: key)
            #expect([w.0, w.1, w.2, w.3] == expected)
        }
    }

    /// Number i of a stream does not depend on where a fill starts or how long it is.
    @Test func normalsAreAddressable() {
        let stream = GaussianStream(seed: 11, run: 3, layer: 5, role: .weightW)
        let whole = stream.normals(count: 1000)
        for (start, count) in [(0, 1), (1, 2), (3, 5), (501, 37), (998, 2), (4, 400)] {
            var part = [Double](repeating: 0, count: count)
            part.withUnsafeMutableBufferPointer { stream.fill($0.baseAddress!, count: count, from: start) }
            #expect(part == Array(whole[start..<start + count]))
        }
        let scaled = stream.normals(count: 10, scale: 3)
        #expect(scaled == whole[0..<10].map { 3 * $0 })
    }

    @Test func streamsDifferByEveryCoordinate() {
        let base = GaussianStream(seed: 1, run: 0, layer: 1, role: .weightW).normals(count: 8)
        let others = [
            GaussianStream(seed: 2, run: 0, layer: 1, role: .weightW),
            GaussianStream(seed: 1, run: 1, layer: 1, role: .weightW),
            GaussianStream(seed: 1, run: 0, layer: 2, role: .weightW),
            GaussianStream(seed: 1, run: 0, layer: 1, role: .weightV),
        ]
        for other in others {
            let values = other.normals(count: 8)
            #expect(zip(values, base).allSatisfy { $0 != $1 })
        }
    }

    /// Moments, the tail beyond the ziggurat's base (the slow path) and a KS test against Phi.
    @Test func normalsAreStandardNormal() {
        let n = 400_000
        let x = GaussianStream(seed: 5, run: 0, layer: 0, role: .readoutGradient).normals(count: n)
        let count = Double(n)
        let mean = x.reduce(0, +) / count
        let second = x.reduce(0) { $0 + $1 * $1 } / count
        let fourth = x.reduce(0) { $0 + $1 * $1 * $1 * $1 } / count
        #expect(abs(mean) / (1 / count).squareRoot() < zBound)
        #expect(abs(second - 1) / (2 / count).squareRoot() < zBound)
        #expect(abs(fourth - 3) / (96 / count).squareRoot() < zBound)   // Var z^4 = 105 - 9
        let r = ZigguratTables.r
        let tailProbability = erfc(r / 2.0.squareRoot())
        let tail = Double(x.filter { abs($0) > r }.count)
        #expect(abs(tail - count * tailProbability)
                / (count * tailProbability * (1 - tailProbability)).squareRoot() < zBound)
        let sorted = x.sorted()
        var d = 0.0
        for (i, v) in sorted.enumerated() {
            let cdf = 0.5 * erfc(-v / 2.0.squareRoot())
            d = max(d, abs(cdf - Double(i) / count), abs(Double(i + 1) / count - cdf))
        }
        // One-sample KS at alpha = 1e-4: sqrt(-ln(alpha/2)/2)/sqrt(n).
        #expect(d < (-log(0.5e-4) / 2).squareRoot() / count.squareRoot())
    }
}

@Suite struct FastTanhTests {
    @Test func agreesWithLibm() {
        var points: [Double] = [0, 1e-300, 1e-30, 1e-10, 1e-5, 0.1, 0.3465, 0.3466, 0.5, 1, 2, 5,
                                19, 20, 21, 50, 300, 349, 351, 700, 1e6, .infinity]
        for k in 0..<2000 { points.append(pow(10, -12 + 15 * Double(k) / 2000)) }
        for x in points + points.map({ -$0 }) {
            let exact = tanh(x)
            let fast = FastTanh.value(x)
            #expect(fast == exact || abs(fast - exact) <= 4 * exact.ulp, "tanh(\(x))")
            #expect(fast.sign == exact.sign || exact == 0)
            if abs(x) < 300 {
                let sech = 1 / cosh(x)
                let derivative = FastTanh.derivative(x)
                #expect(abs(derivative - sech * sech) <= 1e-14 * sech * sech, "sech^2(\(x))")
            }
        }
        #expect(FastTanh.value(0) == 0)
        #expect(FastTanh.derivative(0) == 1)
        #expect(FastTanh.derivative(1000) >= 0 && FastTanh.derivative(1000) < 1e-300)
    }
}
