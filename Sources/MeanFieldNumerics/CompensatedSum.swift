/// Neumaier's compensated summation: the running sum of n terms has error O(eps) times the
/// sum of |terms| instead of O(n eps). The recurrences add 1e5+ small increments to p, gamma
/// and log chi; plain summation would lose up to five digits there.
public struct CompensatedSum: Sendable, Equatable {
    public private(set) var sum: Double
    public private(set) var compensation: Double = 0

    public init(_ initial: Double = 0) { sum = initial }

    public var value: Double { sum + compensation }

    @inline(__always)
    public mutating func add(_ term: Double) {
        let t = sum + term
        if abs(sum) >= abs(term) {
            compensation += (sum - t) + term
        } else {
            compensation += (term - t) + sum
        }
        sum = t
    }

    /// Multiplies by an exact power of two (no rounding), used to rescale huge states.
    @inline(__always)
    public mutating func scale(byPowerOfTwo exponent: Int) {
        sum = Double(sign: .plus, exponent: exponent, significand: sum)
        compensation = Double(sign: .plus, exponent: exponent, significand: compensation)
    }

    public static func += (lhs: inout CompensatedSum, rhs: Double) { lhs.add(rhs) }
}
