import ArgumentParser

extension Meanfield {
    /// Every subcommand, in the order of shared/CLI.md.
    static let subcommandList: [ParsableCommand.Type] = [
        TheoryCommand.self,
        PredictCommand.self,
        SimulateCommand.self,
        CompareCommand.self,
        FitCommand.self,
        SweepCommand.self,
        SweepMergeCommand.self,
        LevelsCommand.self,
        PlotCommand.self,
        ReproduceCommand.self,
    ]
}
