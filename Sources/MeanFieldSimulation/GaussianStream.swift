import CMeanFieldKernels

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
/// ARS4x32-7 (Salmon et al. 2011: seven AES rounds under a Weyl sequence of keys, Random123's
/// default, Crush-resistant from five rounds; Random123's known-answer vectors are the tests),
/// with key = (seed, 0) and counter (block, role, layer, run); each 64-bit half of a block
/// becomes one normal through the 256-layer ziggurat of Marsaglia & Tsang (2000) in numpy's
/// layout (8 bits choose the layer, 1 the sign, 52 the magnitude; numpy's tables). About 1% of
/// words fall outside the rectangles; they continue on a fallback stream keyed by the normal's
/// index, so the result stays a pure function of the address. The C kernel
/// (CMeanFieldKernels) runs the ziggurat with AVX2 and the rounds with VAES or AES-NI where
/// the processor has them, with the same bits as its portable path.
public struct GaussianStream: Sendable {
    public let seed: UInt64
    public let run: Int
    public let layer: Int
    public let role: RandomRole

    /// Normals per stream: the counter has 48 bits for the index.
    public static let capacity = 1 << 48

    public init(seed: UInt64, run: Int, layer: Int, role: RandomRole) {
        precondition(run >= 0 && layer >= 0 && run <= Int(UInt32.max) && layer <= Int(UInt32.max))
        self.seed = seed
        self.run = run
        self.layer = layer
        self.role = role
    }

    /// Writes `scale` times normals number start..<start+count to `output`.
    public func fill(_ output: UnsafeMutablePointer<Double>, count: Int, from start: Int = 0,
                     scale: Double = 1) {
        precondition(start >= 0 && count >= 0 && start + count <= Self.capacity)
        mf_fill_normals(output, Int64(count), UInt64(start), scale, seed, UInt32(run),
                        UInt32(layer), role.rawValue)
    }

    /// A new array of `count` normals (times `scale`) from the start of the stream.
    public func normals(count: Int, scale: Double = 1) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer.baseAddress!, count: count, scale: scale) }
            initialized = count
        }
    }
}
