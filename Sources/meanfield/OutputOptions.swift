import ArgumentParser
import MeanFieldCore
import MeanFieldIO

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Output options shared by the per-layer commands (shared/CLI.md).
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @Option(help: "Write to FILE (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Only these layers, comma-separated (layer 0 is the input), e.g. 1,10,100.")
    var layers: String?

    @Option(parsing: .unconditional, help: "Only every K-th layer (and the last).")
    var every: Int?

    var destination: OutputDestination { OutputDestination(path: output) }

    /// The selected layer numbers among 0...depth, or nil for all. Throws on bad lists.
    func layerSelection(depth: Int) throws -> ((Int) -> Bool)? {
        if let every {
            guard every >= 1 else {
                throw InvalidParameter(option: "every", value: every, reason: "must be at least 1")
            }
        }
        var chosen: Set<Int>? = nil
        if let layers {
            var set = Set<Int>()
            for field in layers.split(separator: ",", omittingEmptySubsequences: false) {
                let text = field.trimmingCharacters(in: .whitespaces)
                guard let layer = Int(text) else {
                    throw InvalidParameter(option: "layers", value: layers,
                                           reason: "'\(text)' is not a layer number")
                }
                guard layer >= 0 && layer <= depth else {
                    throw InvalidParameter(option: "layers", value: layers,
                                           reason: "layer \(layer) is outside 0...\(depth)")
                }
                set.insert(layer)
            }
            chosen = set
        }
        if chosen == nil && every == nil { return nil }
        let step = every ?? 1
        return { layer in
            if let chosen, !chosen.contains(layer) { return false }
            return layer % step == 0 || layer == depth || chosen != nil && every == nil
        }
    }
}

import Foundation
