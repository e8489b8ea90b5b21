import ArgumentParser

struct Meanfield: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meanfield",
        abstract: "Signal and gradient propagation in deep random networks at initialization.",
        discussion: """
            Mean-field theory of feedforward (ff), reduced residual (rrn) and full residual \
            (frn) networks (Yang & Schoenholz 2017), a finite-width simulator to check it, \
            asymptotic predictions and growth-law fits.

            Examples:
              meanfield theory --arch frn --activation tanh --depth 200 --format csv
              meanfield reproduce fig1 --output-dir out
            """,
        version: "0.1.0",
        subcommands: Meanfield.subcommandList)
}
