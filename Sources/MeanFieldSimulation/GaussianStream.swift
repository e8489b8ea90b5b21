import Foundation

/// What a stream of random numbers is used for. Each role of each layer of each run has its
/// own stream, so no two quantities ever share random numbers.
public enum RandomRole: UInt32, Sendable, CaseIterable {
    /// Random directions from which the inputs are built (layer 0).
    case inputDirections = 1
    case weightW, biasB, weightV, biasA
    /// g^L, the zero-mean read-out gradient.
    case readoutGradient
    /// Independent copies of W and V for the backward pass (gradient-independence assumption).
    case independentW, independentV
    /// Conditional mode, tied backward pass: the part of W^T g (V^T g) orthogonal to the
    /// layer's inputs, which the forward product W X (V phi) leaves undetermined.
    case complementW, complementV
    /// The batch engine's first-order input noise dx^0 (Labatie 2019 section 2). An explicit
    /// value, apart from the implicit ones, so that roles added elsewhere cannot shift it.
    case inputNoise = 64
}

/// Standard normal numbers addressed by (seed, run, layer, role, index): number i of a stream
/// is a function of those five values only, never of the order or thread that asks for it.
///
/// Each Philox4x64-10 block gives four 64-bit words; each word becomes one normal through the
/// 256-layer ziggurat of Marsaglia & Tsang (2000), in the variant numpy uses (8 bits choose the
/// layer, 1 the sign, 52 the magnitude). About 1% of words fall outside the rectangles; they
/// continue on a separate fallback stream keyed by the normal's index, so the result stays a
/// pure function of the address.
public struct GaussianStream: Sendable {
    public let seed: UInt64
    public let run: Int
    public let layer: Int
    public let role: RandomRole

    public init(seed: UInt64, run: Int, layer: Int, role: RandomRole) {
        precondition(run >= 0 && layer >= 0)
        self.seed = seed
        self.run = run
        self.layer = layer
        self.role = role
    }

    /// Counter: (block or normal index, role | fallback flag | attempt, layer, run).
    @inline(__always) private func counter(index: Int, attempt: UInt32 = 0, fallback: Bool = false)
        -> Philox4x64.Words {
        let purpose = UInt64(role.rawValue) | (fallback ? 0x100 : 0) | (UInt64(attempt) << 32)
        return (UInt64(index), purpose, UInt64(layer), UInt64(run))
    }

    @inline(__always) private var key: (UInt64, UInt64) { (seed, 0) }

    /// Writes `scale` times normals number start..<start+count to `output`.
    public func fill(_ output: UnsafeMutablePointer<Double>, count: Int, from start: Int = 0,
                     scale: Double = 1) {
        precondition(start >= 0 && count >= 0)
        let tables = ZigguratTables.shared
        let width = UnsafePointer(tables.width)
        let threshold = UnsafePointer(tables.threshold)
        let key = self.key
        @inline(__always) func normal(_ bits: UInt64, _ index: Int) -> Double {
            // The ziggurat's fast path: 99% of words return here.
            let layer = Int(truncatingIfNeeded: bits & 0xff)
            let magnitude = (bits &>> 9) & 0x000f_ffff_ffff_ffff
            let x = Double(Int64(bitPattern: magnitude)) * width[layer]
            if _fastPath(magnitude < threshold[layer]) {
                return Double(bitPattern: x.bitPattern | ((bits &<< 55) & 0x8000_0000_0000_0000))
            }
            return slowNormal(bits, index: index, tables)
        }
        // Block k holds normals 4k..<4k+4.
        var index = start
        var written = 0
        while written < count {
            let words = Philox4x64.block(counter: counter(index: index >> 2), key: key)
            if index & 3 == 0 && count - written >= 4 {
                output[written] = scale * normal(words.0, index)
                output[written &+ 1] = scale * normal(words.1, index &+ 1)
                output[written &+ 2] = scale * normal(words.2, index &+ 2)
                output[written &+ 3] = scale * normal(words.3, index &+ 3)
                index &+= 4
                written &+= 4
            } else {
                // A partial block at either end of the range.
                let all = [words.0, words.1, words.2, words.3]
                while written < count {
                    output[written] = scale * normal(all[index & 3], index)
                    index += 1
                    written += 1
                    if index & 3 == 0 { break }
                }
            }
        }
    }

    /// A new array of `count` normals (times `scale`) from the start of the stream.
    public func normals(count: Int, scale: Double = 1) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer.baseAddress!, count: count, scale: scale) }
            initialized = count
        }
    }

    /// Wedges and tail, drawing further words from the fallback stream of this index.
    @inline(never)
    private func slowNormal(_ firstBits: UInt64, index: Int, _ tables: ZigguratTables) -> Double {
        var fallback = FallbackWords(stream: self, index: index)
        var bits = firstBits
        while true {
            let layer = Int(truncatingIfNeeded: bits & 0xff)
            let negative = (bits >> 8) & 1 == 1
            let magnitude = (bits >> 9) & 0x000f_ffff_ffff_ffff
            var x = Double(Int64(bitPattern: magnitude)) * tables.width[layer]
            if negative { x = -x }
            if magnitude < tables.threshold[layer] { return x }
            if layer == 0 {
                // Tail beyond r (Marsaglia 1964): 1 - U avoids log(0).
                while true {
                    let xx = -log1p(-fallback.nextUnit()) / ZigguratTables.r
                    let yy = -log1p(-fallback.nextUnit())
                    if yy + yy > xx * xx {
                        return negative ? -(ZigguratTables.r + xx) : ZigguratTables.r + xx
                    }
                }
            }
            let f = tables.density
            if (f[layer - 1] - f[layer]) * fallback.nextUnit() + f[layer] < exp(-0.5 * x * x) {
                return x
            }
            bits = fallback.nextWord()
        }
    }

    /// Sequential words of the fallback stream of one normal.
    private struct FallbackWords {
        let stream: GaussianStream
        let index: Int
        var attempt: UInt32 = 0
        var words: Philox4x64.Words = (0, 0, 0, 0)
        var position = 4

        init(stream: GaussianStream, index: Int) {
            self.stream = stream
            self.index = index
        }

        mutating func nextWord() -> UInt64 {
            if position == 4 {
                words = Philox4x64.block(
                    counter: stream.counter(index: index, attempt: attempt, fallback: true),
                    key: stream.key)
                attempt &+= 1
                position = 0
            }
            position += 1
            switch position {
            case 1: return words.0
            case 2: return words.1
            case 3: return words.2
            default: return words.3
            }
        }

        /// Uniform in [0, 1) with 53 random bits.
        mutating func nextUnit() -> Double { Double(nextWord() >> 11) * 0x1p-53 }
    }
}

/// The 256-layer ziggurat for the standard normal, in the layout of Marsaglia & Tsang (2000):
/// layer i covers [0, x_i] with equal areas v; `threshold[i]` (in units of 2^-52) is the
/// share of the layer's rectangle inside the next one, where no density test is needed.
/// Written once in `init`, read-only afterwards.
final class ZigguratTables: @unchecked Sendable {
    static let layers = 256
    /// x_255 = r, the start of the tail, and v, the common area of the layers.
    static let r = 3.6541528853610087963519472518
    static let area = 0.0049286732339746519

    static let shared = ZigguratTables()

    let threshold: UnsafeMutablePointer<UInt64>
    let width: UnsafeMutablePointer<Double>
    let density: UnsafeMutablePointer<Double>

    private init() {
        let n = Self.layers
        threshold = .allocate(capacity: n)
        width = .allocate(capacity: n)
        density = .allocate(capacity: n)
        let scale = 0x1p52
        var dn = Self.r
        var tn = dn
        let q = Self.area / exp(-0.5 * dn * dn)
        threshold[0] = UInt64((dn / q) * scale)
        threshold[1] = 0
        width[0] = q / scale
        width[n - 1] = dn / scale
        density[0] = 1
        density[n - 1] = exp(-0.5 * dn * dn)
        for i in stride(from: n - 2, through: 1, by: -1) {
            dn = (-2 * log(Self.area / dn + exp(-0.5 * dn * dn))).squareRoot()
            threshold[i + 1] = UInt64((dn / tn) * scale)
            tn = dn
            density[i] = exp(-0.5 * dn * dn)
            width[i] = dn / scale
        }
    }
}
