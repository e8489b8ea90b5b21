import Foundation
import Synchronization

/// A progress bar on standard error, drawn only when standard error is a terminal (never in
/// pipes, logs or CI). Thread-safe; redraws at most ten times a second.
public final class ProgressBar: Sendable {
    private struct State {
        var done = 0
        var lastDraw = 0.0
        var finished = false
    }

    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private let state = Mutex(State())

    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    public init(total: Int, label: String, enabled: Bool = ProgressBar.standardErrorIsTerminal) {
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled
    }

    public func advance(by count: Int = 1) {
        guard enabled else { return }
        state.withLock { state in
            state.done += count
            let now = Date().timeIntervalSince(start)
            if now - state.lastDraw >= 0.1 || state.done >= total {
                state.lastDraw = now
                draw(done: state.done, elapsed: now)
            }
        }
    }

    public func finish() {
        guard enabled else { return }
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }

    private func draw(done: Int, elapsed: Double) {
        let fraction = min(Double(done) / Double(total), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var eta = ""
        if fraction > 0.01 && fraction < 1 {
            eta = String(format: " eta %.0fs", elapsed / fraction * (1 - fraction))
        }
        let line = String(format: "\r%@ [%@] %3.0f%%%@", label, bar, fraction * 100, eta)
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }
}
