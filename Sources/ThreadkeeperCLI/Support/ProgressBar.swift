import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
///
/// `[#########.........]  1234/5000  24%  198/s`, redrawn at most ten times a second and
/// erased when done, so logs and pipes never see it.
final class ProgressBar: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    private let output: TextOutput
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var done = 0
    private var lastDrawn: ContinuousClock.Instant?

    init(label: String, total: Int, output: TextOutput) {
        self.label = label
        self.total = max(total, 0)
        self.output = output
        enabled = output.isTerminal
    }

    /// Counts `count` more items and redraws when due.
    func advance(by count: Int = 1) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += count
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(100), done < total { return }
        lastDrawn = now
        output.write("\r" + Self.line(label: label, done: done, total: total, elapsed: seconds(now - started)))
        output.flush()
    }

    /// Erases the bar.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        output.write("\r\u{1B}[K")
        output.flush()
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func line(label: String, done: Int, total: Int, elapsed: Double, width: Int = 30) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = elapsed > 0 ? Int((Double(done) / elapsed).rounded()) : 0
        return "\(label) [\(bar)] \(done)/\(total) \(Int((fraction * 100).rounded(.down)))% \(rate)/s"
    }
}
