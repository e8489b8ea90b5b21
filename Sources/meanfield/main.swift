// Entry point. ArgumentParser's own `main()` exits with 64 on bad usage; the CLI contract
// (shared/CLI.md) wants 2, with one line naming the option, so errors are mapped here.
import ArgumentParser
import Foundation

exit(CommandLineRunner.run(Meanfield.self, arguments: Array(CommandLine.arguments.dropFirst())))
