import MeanFieldCore

/// phi and phi' over whole blocks. The built-in activations get loops specialized for their
/// concrete type (one call per element through an existential costs more than ReLU itself);
/// any other `Activation` goes through the protocol.
struct ActivationKernel {
    let activation: any Activation

    func values(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                count: Int) {
        switch activation {
        case let tanh as Tanh: Self.values(tanh, input, output, count)
        case let erf as Erf: Self.values(erf, input, output, count)
        case let linear as Linear: Self.values(linear, input, output, count)
        case let relu as ReLU: Self.values(relu, input, output, count)
        case let alphaReLU as AlphaReLU: Self.values(alphaReLU, input, output, count)
        default: Self.values(activation, input, output, count)
        }
    }

    func derivatives(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
                     count: Int) {
        switch activation {
        case let tanh as Tanh: Self.derivatives(tanh, input, output, count)
        case let erf as Erf: Self.derivatives(erf, input, output, count)
        case let linear as Linear: Self.derivatives(linear, input, output, count)
        case let relu as ReLU: Self.derivatives(relu, input, output, count)
        case let alphaReLU as AlphaReLU: Self.derivatives(alphaReLU, input, output, count)
        default: Self.derivatives(activation, input, output, count)
        }
    }

    @inline(__always)
    private static func values<A: Activation>(_ activation: A, _ input: UnsafePointer<Double>,
                                              _ output: UnsafeMutablePointer<Double>, _ count: Int) {
        for i in 0..<count { output[i] = activation.value(input[i]) }
    }

    @inline(__always)
    private static func derivatives<A: Activation>(_ activation: A, _ input: UnsafePointer<Double>,
                                                   _ output: UnsafeMutablePointer<Double>,
                                                   _ count: Int) {
        for i in 0..<count { output[i] = activation.derivative(input[i]) }
    }
}
