import Dispatch
import Synchronization

/// Calls `body` for 0..<count on up to `threads` workers, in no particular order. The first
/// error stops the workers from taking new indices and is rethrown.
public func parallelForEach(count: Int, threads: Int, _ body: @Sendable (Int) throws -> Void) throws {
    let next = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let failure = Mutex<(any Error)?>(nil)
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        while !stop.load(ordering: .relaxed) {
            let index = next.add(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            do {
                try body(index)
            } catch {
                failure.withLock { stored in
                    if stored == nil { stored = error }
                }
                stop.store(true, ordering: .relaxed)
            }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
}
