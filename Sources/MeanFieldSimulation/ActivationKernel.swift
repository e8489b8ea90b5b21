import MeanFieldCore

/// phi and phi' over whole blocks. The built-in activations get loops specialized for their
/// concrete type (one call per element through an existential costs more than ReLU itself);
/// tanh, the paper's main case, gets a branch-free kernel the compiler vectorizes (libm's
/// tanh costs about 25 ns, more than the rest of a conditional-mode layer per unit). Any
/// other `Activation` goes through the protocol.
struct ActivationKernel {
    let activation: any Activation

    /// phi of every column of `h` into `values`, and phi' of column 0 (input 1, the one the
    /// backward pass follows) into `firstColumnDerivatives`; tanh shares one exponential.
    func apply(_ h: Block, values output: Block,
               firstColumnDerivatives derivatives: UnsafeMutablePointer<Double>) {
        let n = h.rows
        applyFirst(h.data, values: output.data, derivatives: derivatives, count: n)
        values(h.data + n, into: output.data + n, count: h.count - n)
    }

    /// The same for `count` units of a pair held in separate arrays (the fused pair path).
    func applyPair(_ h0: UnsafePointer<Double>, _ h1: UnsafePointer<Double>, count: Int,
                   values0: UnsafeMutablePointer<Double>, values1: UnsafeMutablePointer<Double>,
                   derivatives: UnsafeMutablePointer<Double>) {
        applyFirst(h0, values: values0, derivatives: derivatives, count: count)
        values(h1, into: values1, count: count)
    }

    /// phi and phi' of one input.
    private func applyFirst(_ input: UnsafePointer<Double>, values: UnsafeMutablePointer<Double>,
                            derivatives: UnsafeMutablePointer<Double>, count: Int) {
        if activation is Tanh {
            for i in 0..<count {
                let (value, derivative) = FastTanh.valueAndDerivative(input[i])
                values[i] = value
                derivatives[i] = derivative
            }
            return
        }
        self.derivatives(input, into: derivatives, count: count)
        self.values(input, into: values, count: count)
    }

    func values(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                count: Int) {
        switch activation {
        case is Tanh: for i in 0..<count { output[i] = FastTanh.value(input[i]) }
        default: Self.dispatch(activation, input, output, count, derivative: false)
        }
    }

    func derivatives(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                     count: Int) {
        switch activation {
        case is Tanh: for i in 0..<count { output[i] = FastTanh.derivative(input[i]) }
        default: Self.dispatch(activation, input, output, count, derivative: true)
        }
    }

    private static func dispatch(_ activation: any Activation, _ input: UnsafePointer<Double>,
                                 _ output: UnsafeMutablePointer<Double>, _ count: Int,
                                 derivative: Bool) {
        switch activation {
        case let erf as Erf: apply(erf, input, output, count, derivative)
        case let linear as Linear: apply(linear, input, output, count, derivative)
        case let relu as ReLU: apply(relu, input, output, count, derivative)
        case let alphaReLU as AlphaReLU: apply(alphaReLU, input, output, count, derivative)
        default: apply(activation, input, output, count, derivative)
        }
    }

    @inline(__always)
    private static func apply<A: Activation>(_ activation: A, _ input: UnsafePointer<Double>,
                                             _ output: UnsafeMutablePointer<Double>, _ count: Int,
                                             _ derivative: Bool) {
        if derivative {
            for i in 0..<count { output[i] = activation.derivative(input[i]) }
        } else {
            for i in 0..<count { output[i] = activation.value(input[i]) }
        }
    }
}

/// tanh and sech^2 from one exponential, without branches. With a = |x| and
/// m = expm1(-2a), e = exp(-2a): tanh a = -m / (2 + m) (no cancellation for small a) and
/// sech^2 a = 4 e / (1 + e)^2 (no cancellation for large a). expm1 by range reduction
/// -2a = k ln 2 + r, |r| <= ln2/2, and a degree-14 Taylor polynomial (truncation below
/// 1e-17 relative); expm1(-2a) = 2^k expm1(r) + (2^k - 1). Within a few ulp of libm.
enum FastTanh {
    /// Beyond this |x|, tanh is 1 in double precision and sech^2 below 1e-300; clamping keeps
    /// 2^k a normal number.
    static let clamp = 350.0

    @inline(__always) static func value(_ x: Double) -> Double {
        let (m, _) = exponentials(x)
        let magnitude = -m / (2 + m)
        return Double(bitPattern: magnitude.bitPattern | (x.bitPattern & 0x8000_0000_0000_0000))
    }

    /// One division for both: 2 + m = 1 + e, so sech^2 = 4 e r^2 with r = 1/(2 + m) (the
    /// division is the costliest step of a simulated tanh layer).
    @inline(__always) static func valueAndDerivative(_ x: Double) -> (Double, Double) {
        let (m, e) = exponentials(x)
        let r = 1 / (2 + m)
        let magnitude = -m * r
        return (Double(bitPattern: magnitude.bitPattern | (x.bitPattern & 0x8000_0000_0000_0000)),
                4 * e * r * r)
    }

    @inline(__always) static func derivative(_ x: Double) -> Double {
        let (_, e) = exponentials(x)
        let denominator = 1 + e
        return 4 * e / (denominator * denominator)
    }

    /// (expm1(-2|x|), exp(-2|x|)).
    @inline(__always) static func exponentials(_ x: Double) -> (Double, Double) {
        let a = min(Double(bitPattern: x.bitPattern & 0x7fff_ffff_ffff_ffff), clamp)
        let y = -2 * a
        // k = round(y / ln 2) through the 1.5 * 2^52 shift: the integer lands in the low bits.
        let shifter = 0x1.8p52
        let shifted = y * 1.4426950408889634 + shifter
        let k = shifted - shifter
        let r = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        // Estrin's scheme: short dependency chains, so consecutive elements overlap.
        let r2 = r * r
        let r4 = r2 * r2
        let r8 = r4 * r4
        let a0 = 1 + r * 0.5
        let a1 = 1.0 / 6 + r * (1.0 / 24)
        let a2 = 1.0 / 120 + r * (1.0 / 720)
        let a3 = 1.0 / 5_040 + r * (1.0 / 40_320)
        let a4 = 1.0 / 362_880 + r * (1.0 / 3_628_800)
        let a5 = 1.0 / 39_916_800 + r * (1.0 / 479_001_600)
        let a6 = 1.0 / 6_227_020_800 + r * (1.0 / 87_178_291_200)
        let b0 = a0 + r2 * a1
        let b1 = a2 + r2 * a3
        let b2 = a4 + r2 * a5
        let p = (b0 + r4 * b1) + r8 * (b2 + r4 * a6)
        let expm1r = p * r
        // 2^k from the integer in the shifted value's low bits (k >= -1010 by the clamp).
        let scale = Double(bitPattern: (shifted.bitPattern &+ 1023) << 52)
        return (scale * expm1r + (scale - 1), scale * (1 + expm1r))
    }
}
