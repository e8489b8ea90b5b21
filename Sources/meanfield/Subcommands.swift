import ArgumentParser

extension Meanfield {
    /// Every subcommand, in the order of shared/CLI.md.
    static let subcommandList: [ParsableCommand.Type] = [
        TheoryCommand.self,
        SimulateCommand.self,
        CompareCommand.self,
        FitCommand.self,
    ]
}
