import Foundation

/// Runs the built `meanfield` executable (swift test builds it next to the test bundle); shared
/// by the test targets that check the command line end to end.
public enum CLI {
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    public struct ExecutableNotFound: Error, CustomStringConvertible {
        public var description: String { "meanfield executable not found next to the tests; run swift build" }
    }

    public static let executable: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("meanfield") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Output goes through files, so neither pipe can fill up and stall the child.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard let binary = executable else { throw ExecutableNotFound() }
        let directory = try temporaryDirectory()
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let result = Result(status: process.terminationStatus,
                            standardOutput: try String(contentsOf: outURL, encoding: .utf8),
                            standardError: try String(contentsOf: errURL, encoding: .utf8))
        try? FileManager.default.removeItem(at: directory)
        return result
    }

    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("meanfield-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
