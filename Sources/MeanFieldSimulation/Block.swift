import COpenBLAS

/// A column-major rows x columns block of doubles: one column per input of the batch. Owned
/// by one run (not shared between threads); the hot loops work on its raw pointer.
final class Block {
    let rows: Int
    let columns: Int
    let data: UnsafeMutablePointer<Double>
    private let owned: Bool

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        data = .allocate(capacity: max(rows * columns, 1))
        data.initialize(repeating: 0, count: max(rows * columns, 1))
        owned = true
    }

    /// A view of memory owned elsewhere (a `BlockArena`), contents as left there.
    init(rows: Int, columns: Int, viewing storage: UnsafeMutablePointer<Double>) {
        self.rows = rows
        self.columns = columns
        data = storage
        owned = false
    }

    deinit { if owned { data.deallocate() } }

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

}

/// Memory for the blocks a run keeps for its backward pass, handed out in order and reused by
/// the next run on the same worker: allocating megabytes per layer cost more in page faults
/// than the layer's arithmetic.
final class BlockArena {
    private var storage: UnsafeMutablePointer<Double>
    private var capacity: Int
    private var used = 0

    init() {
        capacity = 0
        storage = .allocate(capacity: 1)
    }

    deinit { storage.deallocate() }

    /// Makes room for `doubles` in all and forgets earlier blocks (call before a run).
    func reset(reserving doubles: Int) {
        if doubles > capacity {
            storage.deallocate()
            storage = .allocate(capacity: doubles)
            capacity = doubles
        }
        used = 0
    }

    /// A block from the arena, or a separately allocated one if the reservation is exhausted.
    func block(rows: Int, columns: Int) -> Block {
        let count = rows * columns
        guard used + count <= capacity else { return Block(rows: rows, columns: columns) }
        defer { used += count }
        return Block(rows: rows, columns: columns, viewing: storage + used)
    }
}
