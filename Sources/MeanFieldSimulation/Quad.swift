/// Four units at a time for the fused pair path's loops (PairConditionalRun). Sums keep one
/// partial sum per lane (unit i of a vector goes to lane i mod 4; chunks start at multiples of
/// four), so a reduction is four short chains of additions instead of one long one, and its
/// order is fixed: the same numbers on every machine and for every thread count. The loops
/// over quads are written out (`while i < count { let valid = min(4, count - i) ... }`): a
/// helper taking the loop body as a closure was not inlined, and its sums then lived in memory,
/// slower than the scalar loops it replaced.
typealias Quad = SIMD4<Double>

extension Quad {
    /// The lanes added in a fixed order.
    @inline(__always) var laneTotal: Double { (self[0] + self[1]) + (self[2] + self[3]) }

    /// The lanes as the double[4] a C kernel adds to (CMeanFieldKernels' pair passes).
    @inline(__always) mutating func withLanes<R>(_ body: (UnsafeMutablePointer<Double>) -> R) -> R {
        withUnsafeMutableBytes(of: &self) { body($0.baseAddress!.assumingMemoryBound(to: Double.self)) }
    }
}

/// A C kernel's four lanes added in Quad.laneTotal's order.
@inline(__always) func laneTotal(_ lanes: (Double, Double, Double, Double)) -> Double {
    (lanes.0 + lanes.1) + (lanes.2 + lanes.3)
}

extension UnsafePointer where Pointee == Double {
    /// Elements i ..< i + valid (valid <= 4); missing lanes read as zeros, which leave sums
    /// unchanged.
    @inline(__always) func quad(_ i: Int, _ valid: Int) -> Quad {
        if valid == 4 { return UnsafeRawPointer(self + i).loadUnaligned(as: Quad.self) }
        var value = Quad()
        for k in 0..<valid { value[k] = self[i + k] }
        return value
    }
}

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always) func quad(_ i: Int, _ valid: Int) -> Quad {
        UnsafePointer(self).quad(i, valid)
    }

    /// Writes lanes 0 ..< valid to elements i ..< i + valid.
    @inline(__always) func setQuad(_ i: Int, _ valid: Int, _ value: Quad) {
        if valid == 4 {
            UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: Quad.self)
            return
        }
        for k in 0..<valid { self[i + k] = value[k] }
    }
}

