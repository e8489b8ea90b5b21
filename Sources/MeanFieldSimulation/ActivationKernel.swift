import CMeanFieldKernels
import MeanFieldCore

/// phi and phi' over whole blocks. The built-in activations get loops specialized for their
/// concrete type (one call per element through an existential costs more than ReLU itself);
/// tanh, the paper's main case, gets the vectorized C kernel mf_tanh (libm's tanh costs about
/// 25 ns, more than the rest of a conditional-mode layer per unit). Any other `Activation`
/// goes through the protocol.
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
            mf_tanh_and_derivative(input, values, derivatives, Int64(count))
            return
        }
        self.derivatives(input, into: derivatives, count: count)
        self.values(input, into: values, count: count)
    }

    func values(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                count: Int) {
        switch activation {
        case is Tanh: mf_tanh(input, output, Int64(count))
        default: Self.dispatch(activation, input, output, count, derivative: false)
        }
    }

    func derivatives(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                     count: Int) {
        switch activation {
        case is Tanh: mf_tanh_derivative(input, output, Int64(count))
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
