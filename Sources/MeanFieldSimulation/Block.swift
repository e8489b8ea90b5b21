import COpenBLAS

/// A column-major rows x columns block of doubles: one column per input of the batch. Owned
/// by one run (not shared between threads); the hot loops work on its raw pointer.
final class Block {
    let rows: Int
    let columns: Int
    let data: UnsafeMutablePointer<Double>

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        data = .allocate(capacity: max(rows * columns, 1))
        data.initialize(repeating: 0, count: max(rows * columns, 1))
    }

    deinit { data.deallocate() }

    @inline(__always) func column(_ index: Int) -> UnsafeMutablePointer<Double> {
        data + index * rows
    }

    var count: Int { rows * columns }

    func copy(from other: Block) {
        precondition(other.rows == rows && other.columns == columns)
        data.update(from: other.data, count: count)
    }
}

/// Sums of squares and products over N coordinates, through BLAS.
enum Vectors {
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        cblas_ddot(Int32(count), x, 1, y, 1)
    }

    /// |x - y|^2, summed directly: 2(p - gamma) would cancel when the inputs are close.
    static func squaredDistance(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                                count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count {
            let d = x[i] - y[i]
            sum += d * d
        }
        return sum
    }
}
