import Foundation

enum TestSettings {
    /// Slow statistical tests run only with MEANFIELD_SLOW_TESTS=1.
    static let slow = ProcessInfo.processInfo.environment["MEANFIELD_SLOW_TESTS"] == "1"
}

/// SplitMix64 (Steele, Lea & Flood 2014) with Box-Muller normals: a fixed-seed generator for
/// synthetic data, independent of the GSL generator the bootstrap uses.
struct SplitMix64 {
    private var state: UInt64
    private var spareNormal: Double?

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1): 53 random bits, never 0.
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * log(uniform())).squareRoot(), angle = 2 * Double.pi * uniform()
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }
}
