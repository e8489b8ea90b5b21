import MeanFieldFitting
import MeanFieldIO
import MeanFieldNumerics
import MeanFieldPlot
import MeanFieldSweep
import MeanFieldTheory

/// Error types of the library modules and their exit statuses. Each module that adds an
/// error type registers it here.
extension CommandLineRunner {
    static let extraClassifiers: [Classifier] = [
        { ($0 as? CSVError).map { (ExitStatus.badInput, $0.description) } },
        { ($0 as? OutputError).map { (ExitStatus.badInput, $0.description) } },
        { ($0 as? GSLError).map { (ExitStatus.numericalFailure, "numerical failure: \($0)") } },
        { ($0 as? FittingError).map { (ExitStatus.numericalFailure, "numerical failure: \($0)") } },
        { ($0 as? NumericalFailure).map { (ExitStatus.numericalFailure, "numerical failure at \($0)") } },
        { ($0 as? RootFindingError).map { (ExitStatus.numericalFailure, "numerical failure: \($0)") } },
        { ($0 as? SweepMergeError).map { (ExitStatus.badInput, $0.description) } },
        { ($0 as? PlotError).map { (ExitStatus.numericalFailure, "rendering failed: \($0)") } },
    ]
}
