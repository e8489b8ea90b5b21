import ArgumentParser

struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory", abstract: "Infinite-width recurrences, one row per layer.")
    @OptionGroup var network: NetworkOptions
    @OptionGroup var output: OutputOptions
    func run() throws { throw CommandFailure.badInput("theory: engine not built yet") }
}
