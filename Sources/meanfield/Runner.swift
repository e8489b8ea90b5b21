import ArgumentParser
import Foundation
import MeanFieldCore

/// Exit statuses of the CLI contract.
enum ExitStatus {
    static let success: Int32 = 0
    static let badInput: Int32 = 2
    static let checkFailed: Int32 = 3
    static let numericalFailure: Int32 = 4
}

/// Errors a command throws to end with a specific status and one line on stderr.
enum CommandFailure: Error, CustomStringConvertible {
    /// Bad usage or input (status 2).
    case badInput(String)
    /// A check the user asked for failed, e.g. `compare --max-z` (status 3).
    case checkFailed(String)
    /// A numerical failure; earlier output has been written (status 4).
    case numerical(String)

    var description: String {
        switch self {
        case .badInput(let m), .checkFailed(let m), .numerical(let m): return m
        }
    }

    var status: Int32 {
        switch self {
        case .badInput: return ExitStatus.badInput
        case .checkFailed: return ExitStatus.checkFailed
        case .numerical: return ExitStatus.numericalFailure
        }
    }
}

/// Classifies library errors into the contract's exit statuses. Library modules add their
/// own error types through `CommandLineRunner.classifiers`.
enum CommandLineRunner {
    /// Maps an error to (status, one-line message), or nil if the classifier does not know it.
    typealias Classifier = @Sendable (Error) -> (Int32, String)?

    static let classifiers: [Classifier] = [
        { ($0 as? CommandFailure).map { ($0.status, $0.description) } },
        { ($0 as? InvalidParameter).map { (ExitStatus.badInput, $0.description) } },
    ] + extraClassifiers

    static func run(_ command: ParsableCommand.Type, arguments: [String]) -> Int32 {
        do {
            var parsed = try command.parseAsRoot(arguments)
            try parsed.run()
            return ExitStatus.success
        } catch {
            return report(error, command: command)
        }
    }

    static func report(_ error: Error, command: ParsableCommand.Type) -> Int32 {
        for classify in classifiers {
            if let (status, message) = classify(error) {
                printError(message)
                return status
            }
        }
        // ArgumentParser: help, version, completion scripts and usage errors.
        let code = command.exitCode(for: error)
        if code == .success {
            print(command.fullMessage(for: error))
            return ExitStatus.success
        }
        if error is ExitCode { return code.rawValue }
        let message = command.message(for: error)
        if code == .validationFailure {
            printError(oneLine(message))
            return ExitStatus.badInput
        }
        printError(oneLine("\(error)"))
        return ExitStatus.numericalFailure
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("meanfield: error: \(oneLine(message))\n".utf8))
    }

    static func printWarning(_ message: String) {
        FileHandle.standardError.write(Data("meanfield: warning: \(oneLine(message))\n".utf8))
    }

    /// Warnings, at most `limit` of them and a count of the rest (grids repeat them per point).
    static func printWarnings(_ messages: [String], limit: Int = 10) {
        for message in messages.prefix(limit) { printWarning(message) }
        if messages.count > limit { printWarning("... and \(messages.count - limit) more warnings") }
    }

    /// Information that is neither an error nor a warning.
    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data("meanfield: \(oneLine(message))\n".utf8))
    }

    /// The first non-empty line, without ArgumentParser's "Error: " prefix.
    static func oneLine(_ message: String) -> String {
        let line = message.split(separator: "\n").first.map(String.init) ?? message
        return line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    }
}
