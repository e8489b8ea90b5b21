import Foundation

/// Where a batch run's time goes (Docs/companion-papers.md, "Speed"): CPU time of the
/// calling thread per part, summed over runs. Off unless asked for (`simulate --timing`);
/// a reading costs about a microsecond, against milliseconds per layer.
public enum CostPart: String, CaseIterable, Sendable {
    case randomNumbers = "random numbers"
    case factorization = "QR factorizations"
    case products = "weight products"
    case eigenvalues = "eigenvalue problems"
    case grams = "Gram matrices"
    case moments = "moments and sensitivity"
    case network = "batch norm, activation, copies"
}

final class CostLedger {
    let enabled: Bool
    private(set) var nanoseconds = [UInt64](repeating: 0, count: CostPart.allCases.count)

    init(enabled: Bool) { self.enabled = enabled }

    @inline(__always)
    func measure<T>(_ part: CostPart, _ body: () -> T) -> T {
        guard enabled else { return body() }
        let start = Self.threadTime()
        let result = body()
        nanoseconds[Self.index(part)] &+= Self.threadTime() &- start
        return result
    }

    static func index(_ part: CostPart) -> Int { CostPart.allCases.firstIndex(of: part)! }

    static func threadTime() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

/// CPU seconds per part, summed over runs and threads.
public struct CostBreakdown: Sendable, Equatable {
    public var seconds: [CostPart: Double]

    public init(seconds: [CostPart: Double] = [:]) { self.seconds = seconds }

    public var total: Double { seconds.values.reduce(0, +) }

    mutating func add(_ ledger: CostLedger) {
        for part in CostPart.allCases {
            seconds[part, default: 0] += Double(ledger.nanoseconds[CostLedger.index(part)]) * 1e-9
        }
    }

    /// One line per part, largest first, with shares of the measured total.
    public var text: String {
        let total = self.total
        return seconds.sorted { $0.value > $1.value }.map { part, value in
            String(format: "%@: %.3f s (%.1f%%)", part.rawValue, value,
                   total > 0 ? 100 * value / total : 0)
        }.joined(separator: "\n")
    }
}
