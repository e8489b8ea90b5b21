import ArgumentParser
import Foundation
import MeanFieldCore

/// `--threads T` for commands whose output does not depend on the thread count.
struct ThreadOption: ParsableArguments {
    @Option(name: .customLong("threads"), parsing: .unconditional,
            help: ArgumentHelp("Worker threads (default: the number of cores; the output does not depend on it).", valueName: "T"))
    var requested: Int?

    /// The validated count.
    func count() throws -> Int {
        let count = requested ?? ProcessInfo.processInfo.activeProcessorCount
        guard count >= 1 else { throw InvalidParameter(option: "threads", value: count, reason: "must be at least 1") }
        return count
    }
}
