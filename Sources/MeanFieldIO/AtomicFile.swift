import Foundation

public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Writes files atomically: the data goes to a temporary file in the same directory, is
/// flushed to disk, and is renamed over the target. A reader (or an interrupted run) sees the
/// old file or the new one, never half of one.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        try write(bytes: Array(text.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws {
        try write(bytes: [UInt8](data), to: path)
    }

    public static func write(bytes data: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var template = Array("\(directory)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(path: path, reason: systemError())
        }
        let temporaryPath = String(validatingCString: template.withUnsafeBufferPointer { $0.baseAddress! }) ?? ""
        var ok = false
        defer {
            if !ok { unlink(temporaryPath) }
        }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else {
            throw OutputError(path: path, reason: systemError())
        }
        fchmodCompatible(temporaryPath)
        guard rename(temporaryPath, path) == 0 else {
            throw OutputError(path: path, reason: systemError())
        }
        ok = true
    }

    /// mkstemp creates files with mode 0600; give the result the usual 0644 (less umask).
    private static func fchmodCompatible(_ path: String) {
        let mask = umask(0)
        umask(mask)
        chmod(path, 0o666 & ~mask)
    }
}

/// Where output goes: a file (written atomically) or standard output.
public enum OutputDestination: Sendable {
    case standardOutput
    case file(String)

    public init(path: String?) {
        if let path, path != "-" { self = .file(path) } else { self = .standardOutput }
    }

    public func write(_ text: String) throws {
        try write(bytes: Array(text.utf8))
    }

    public func write(bytes: [UInt8]) throws {
        switch self {
        case .standardOutput:
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset,
                                             buffer.count - offset)
                    if n <= 0 { break }   // a closed pipe: nothing more to say
                    offset += n
                }
            }
        case .file(let path):
            try AtomicFile.write(bytes: bytes, to: path)
        }
    }
}

func systemError() -> String { String(validatingCString: strerror(errno)) ?? "error \(errno)" }
