import CommandLineKit
import Executor
import Foundation
import Synchronization

/// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class RunProgressPrinter: Sendable {
    private struct State {
        var lastDraw = ContinuousClock.now - .seconds(60)
        var drewBar = false
    }

    private let output: TextOutput
    private let isTerminal: Bool
    private let interval: Duration
    private let state = Mutex(State())

    init(output: TextOutput, isTerminal: Bool) {
        self.output = output
        self.isTerminal = isTerminal
        interval = isTerminal ? .milliseconds(200) : .seconds(5)
    }

    func update(_ progress: RunProgress) {
        let due = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            guard now - state.lastDraw >= interval || progress.settled == progress.planned else { return false }
            state.lastDraw = now
            state.drewBar = isTerminal
            return true
        }
        guard due else { return }
        let eta = progress.remaining.map { Self.duration($0) } ?? "?"
        let rate = String(format: "%.0f/s", progress.rate)
        if isTerminal {
            let width = 30
            let share = progress.planned > 0 ? Double(progress.settled) / Double(progress.planned) : 1
            let filled = min(width, Int(share * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            output.write(
                "\r\(progress.rule) [\(bar)] \(progress.settled)/\(progress.planned) \(rate) eta \(eta) \(progress.failed) failed\u{1B}[K")
        } else {
            output.line(
                "threadkeeper: \(progress.rule): \(progress.settled)/\(progress.planned) done, \(rate), eta \(eta), \(progress.failed) failed"
            )
        }
        output.flush()
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    func finish() {
        if state.withLock({ $0.drewBar }) {
            output.line()
            output.flush()
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole >= 3600 { return "\(whole / 3600)h\(whole % 3600 / 60)m" }
        if whole >= 60 { return "\(whole / 60)m\(whole % 60)s" }
        return "\(whole)s"
    }
}
