import Foundation
import Testing
import CMeanFieldKernels
import MeanFieldCore
@testable import MeanFieldSimulation

@Suite struct RandomStreamTests {
    /// Known-answer vectors of Random123 (tests/kat_vectors, "ars4x32 10": the ten-round
    /// variant, the only one listed; the rounds are a parameter of the same code), through the
    /// portable AES round.
    @Test func arsKnownAnswers() {
        let cases: [([UInt32], [UInt32], [UInt32])] = [
            ([0, 0, 0, 0], [0, 0, 0, 0], [0x8d73_ee19, 0x5064_01ef, 0x13c2_dbe4, 0x0cbe_9c0d]),
            ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
             [0xa409_3822, 0x299f_31d0, 0x082e_fa98, 0xec4e_6c89],
             [0xa516_e7d6, 0x8357_ad74, 0x5b59_b3ec, 0x8763_fff3]),
            ([.max, .max, .max, .max], [.max, .max, 0, 0],
             [0xbb37_43b1, 0x9f63_5551, 0xecbc_87fc, 0xa194_78a9]),
        ]
        for (counter, key, expected) in cases {
            var out = [UInt32](repeating: 0, count: 4)
            mf_ars4x32(counter, key, 10, &out)
            #expect(out == expected)
        }
    }

    /// The processor's AES instructions (where present) give the portable round's blocks.
    @Test func hardwareAndPortableBlocksAgree() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        var compared = 0
        for _ in 0..<2000 {
            let counter = (0..<4).map { _ in next() }, key = (0..<4).map { _ in next() }
            var portable = [UInt32](repeating: 0, count: 4), hardware = portable
            mf_ars4x32(counter, key, 7, &portable)
            guard mf_ars4x32_hardware(counter, key, 7, &hardware) == 1 else { break }
            #expect(hardware == portable)
            compared += 1
        }
        print("measured: ARS blocks compared with the AES instructions: \(compared)")
    }

    /// Normal 2k + j is the ziggurat of 64-bit word j of block k: (low, high) = words (0, 1)
    /// and (2, 3) of ARS4x32-7 at counter (k, role << 16, layer, run), key (seed low, high, 0,
    /// 0). Checked on the fast path of a few words, independently of the kernel's loops.
    @Test func normalsComeFromTheDocumentedWords() {
        let seed: UInt64 = 0x1234_5678_9abc_def0, run: UInt32 = 3, layer: UInt32 = 7
        let role = RandomRole.weightV
        let values = GaussianStream(seed: seed, run: Int(run), layer: Int(layer), role: role)
            .normals(count: 64)
        var checked = 0
        for index in 0..<64 {
            var out = [UInt32](repeating: 0, count: 4)
            mf_ars4x32([UInt32(index / 2), role.rawValue << 16, layer, run],
                       [UInt32(truncatingIfNeeded: seed), UInt32(seed >> 32), 0, 0], 7, &out)
            let word = UInt64(out[2 * (index % 2)]) | UInt64(out[2 * (index % 2) + 1]) << 32
            // The rectangle test with numpy's threshold: accepted words need no more bits.
            let magnitude = (word >> 9) & 0x000f_ffff_ffff_ffff
            let layerIndex = Int(word & 0xff)
            let x = Double(magnitude) * ZigguratReference.width(layerIndex)
            guard Double(magnitude) < ZigguratReference.threshold(layerIndex) else { continue }
            let negative = (word >> 8) & 1 == 1
            #expect(values[index] == (negative ? -x : x), "normal \(index)")
            checked += 1
        }
        #expect(checked > 50)
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

    /// No correlation between the two normals of a block, neighbouring blocks, or streams that
    /// differ in one address coordinate (z = r sqrt(n) for each sample correlation).
    @Test func normalsAreUncorrelated() {
        let n = 200_000
        let base = GaussianStream(seed: 5, run: 1, layer: 2, role: .weightW).normals(count: 2 * n)
        func z(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / Double(a.count).squareRoot()
        }
        let even = stride(from: 0, to: 2 * n, by: 2).map { base[$0] }
        let odd = stride(from: 1, to: 2 * n, by: 2).map { base[$0] }
        #expect(abs(z(even, odd)) < zBound)
        #expect(abs(z(Array(base.dropLast(2)), Array(base.dropFirst(2)))) < zBound)
        for other in [GaussianStream(seed: 6, run: 1, layer: 2, role: .weightW),
                      GaussianStream(seed: 5, run: 2, layer: 2, role: .weightW),
                      GaussianStream(seed: 5, run: 1, layer: 3, role: .weightW),
                      GaussianStream(seed: 5, run: 1, layer: 2, role: .weightV)] {
            #expect(abs(z(base, other.normals(count: 2 * n))) < zBound)
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
        let r = mf_ziggurat_tail_start()
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

/// The ziggurat tables recomputed from their definition (Marsaglia & Tsang 2000, 256 layers of
/// area v, base strip with the tail beyond r), independently of the kernel's constants.
enum ZigguratReference {
    static let r = 3.6541528853610087963519472518
    static let area = 0.0049286732339746519

    /// x_i for i = 0...255 (x_0 is the base strip's v / f(r), x_255 = r).
    static let edges: [Double] = {
        var x = [Double](repeating: 0, count: 256)
        x[255] = r
        x[0] = area / exp(-0.5 * r * r)
        var dn = r
        for i in stride(from: 254, through: 1, by: -1) {
            dn = (-2 * log(area / dn + exp(-0.5 * dn * dn))).squareRoot()
            x[i] = dn
        }
        return x
    }()

    static func width(_ layer: Int) -> Double { edges[layer] / 0x1p52 }

    /// Magnitudes below this (units of 2^-52) lie inside the next layer's rectangle.
    static func threshold(_ layer: Int) -> Double {
        switch layer {
        case 0: return (r / edges[0] * 0x1p52).rounded(.towardZero)
        case 1: return 0
        default: return (edges[layer - 1] / edges[layer] * 0x1p52).rounded(.towardZero)
        }
    }
}

/// Whole simulations give the same bytes with the kernels' AVX2 paths turned off (the path
/// a processor without AVX2 takes): the normals and tanh, conditional (fused pair path) and
/// dense. Other tests running meanwhile may take either path; the bits are the same by design.
/// Serialized: both tests change which path the kernels take.
@Suite(.serialized) struct PortablePathSimulationTests {
    /// Every path (VAES, AES-NI, portable; those the processor has) gives the same bits, for
    /// any start and length (partial blocks at either end, lengths below and above the vector
    /// loop's 32 normals, starts across a 2^32-block boundary of the counter).
    @Test func vectorAndPortablePathsAgree() {
        let roles: [RandomRole] = [.weightW, .complementV]
        let best = mf_normals_path()
        defer { _ = mf_limit_normal_path(Int32(MF_NORMALS_VAES.rawValue)) }
        for path in [MF_NORMALS_VAES, MF_NORMALS_AESNI] where Int32(path.rawValue) <= best {
            #expect(mf_limit_normal_path(Int32(path.rawValue)) == Int32(path.rawValue))
            for role in roles {
                for (start, count) in [(0, 100_000), (1, 37), (3, 1000), (7, 33), (5, 64), (8, 200),
                                       (1 << 40, 4097), (13, 70), ((1 << 33) - 40, 200)] {
                    var fast = [Double](repeating: 0, count: count)
                    var portable = fast
                    mf_fill_normals(&fast, Int64(count), UInt64(start), 1.5, 99, 4, 12, role.rawValue)
                    mf_fill_normals_portable(&portable, Int64(count), UInt64(start), 1.5, 99, 4, 12,
                                             role.rawValue)
                    #expect(fast == portable, "path \(path.rawValue) start \(start) count \(count)")
                }
            }
        }
        print("measured: normals' paths compared with the portable one: up to \(best) (2 = VAES, 1 = AES-NI)")
    }

    @Test func simulationsDoNotDependOnTheVectorPaths() throws {
        let frn = NetworkConfiguration(architecture: .fullResidual, activation: Tanh(),
                                       sigmaW: 1.5, sigmaB: 0.5, sigmaV: 1.5, sigmaA: 0.5,
                                       depth: 30)
        let rrn = NetworkConfiguration(architecture: .reducedResidual, activation: Tanh(),
                                       sigmaW: 1.3, sigmaB: 0.2, depth: 12)
        func outputs() throws -> [String] {
            [try simulate(frn, width: 3001, runs: 4, seed: 5, backward: .tied).table().csv(),
             try simulate(frn, width: 2000, runs: 3, seed: 6, backward: .independent).table().csv(),
             try simulate(rrn, width: 200, runs: 3, seed: 8, mode: .dense, backward: .tied)
                .table().csv()]
        }
        let vector = try outputs()
        let hadVectorPaths = mf_normals_path() != Int32(MF_NORMALS_PORTABLE.rawValue)
        _ = mf_set_vector_paths(0)
        defer { _ = mf_set_vector_paths(1) }
        #expect(mf_normals_path() == Int32(MF_NORMALS_PORTABLE.rawValue))
        let portable = try outputs()
        for (a, b) in zip(vector, portable) { #expect(a == b) }
        print("measured: vector paths \(hadVectorPaths ? "AVX2 + AES" : "unavailable") against portable: identical = \(vector == portable)")
    }
}

/// The slow path's own exp and log (CMeanFieldKernels/portable_math.h: libm's FMA and
/// non-FMA variants may differ in the last bit) against libm, within a few ulp.
@Suite struct PortableMathTests {
    @Test func expAndLogAgreeWithLibm() {
        for k in 0...20_000 {
            let y = -7 * Double(k) / 20_000
            let exact = exp(y)
            #expect(abs(mf_portable_exp(y) - exact) <= 2 * exact.ulp, "exp(\(y))")
        }
        for y in [-50.0, -300, -700] {
            #expect(abs(mf_portable_exp(y) - exp(y)) <= 2 * exp(y).ulp, "exp(\(y))")
        }
        // 1 - u on the 2^-53 grid, as the tail uses it, and a spread of magnitudes.
        var points: [Double] = [1, 0x1p-53, 0.5, 0.70710678118654746, 0.70710678118654757,
                                1 - 0x1p-53, 1 - 0x1p-30, 1e-300, 2, 1e300]
        for k in 1...20_000 { points.append(Double(k) / 20_000) }
        for k in 0...2000 { points.append(pow(10, -15 * Double(k) / 2000)) }
        for v in points {
            let exact = log(v)
            #expect(abs(mf_portable_log(v) - exact) <= 3 * max(abs(exact).ulp, 0x1p-1074), "log(\(v))")
        }
        #expect(mf_portable_log(1) == 0)
    }
}

/// The tanh kernel (CMeanFieldKernels/tanh.c) against libm, on both paths.
@Suite struct TanhKernelTests {
    @Test func agreesWithLibm() {
        var points: [Double] = [0, 1e-300, 1e-30, 1e-10, 1e-5, 0.1, 0.3465, 0.3466, 0.5, 1, 2, 5,
                                19, 20, 21, 50, 300, 349, 351, 700, 1e6, .infinity]
        for k in 0..<2000 { points.append(pow(10, -12 + 15 * Double(k) / 2000)) }
        let x = points + points.map { -$0 }
        let n = x.count
        var values = [Double](repeating: 0, count: n), both = values, derivatives = values
        var alone = values, portableValues = values, portableDerivatives = values
        mf_tanh(x, &values, Int64(n))
        mf_tanh_and_derivative(x, &both, &derivatives, Int64(n))
        mf_tanh_derivative(x, &alone, Int64(n))
        mf_tanh_portable(x, &portableValues, &portableDerivatives, Int64(n))
        #expect(portableValues == both && portableDerivatives == derivatives)
        // The value-only and derivative-only kernels, vector against portable, bit for bit.
        var portableAlone = values
        mf_tanh_portable(x, &portableAlone, nil, Int64(n))
        #expect(portableAlone == values)
        mf_tanh_portable(x, nil, &portableAlone, Int64(n))
        #expect(portableAlone == alone)
        for i in 0..<n {
            let exact = tanh(x[i])
            for value in [values[i], both[i]] {
                #expect(value == exact || abs(value - exact) <= 4 * exact.ulp, "tanh(\(x[i]))")
                #expect(value.sign == exact.sign || exact == 0)
            }
            if abs(x[i]) < 300 {
                let sech = 1 / cosh(x[i])
                for derivative in [derivatives[i], alone[i]] {
                    #expect(abs(derivative - sech * sech) <= 1e-14 * sech * sech, "sech^2(\(x[i]))")
                }
            } else if abs(x[i]) >= 350 {
                // Clamped: sech^2(350) = 4 e^-700, below 1e-300.
                #expect(derivatives[i] >= 0 && derivatives[i] < 1e-300)
            }
        }
        #expect(values[0] == 0 && derivatives[0] == 1)
        var out = [0.0]
        mf_tanh([Double.nan], &out, 1)
        #expect(out[0].isNaN)
    }
}
