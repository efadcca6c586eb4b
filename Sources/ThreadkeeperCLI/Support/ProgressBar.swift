import CommandLineKit
import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
///
/// `[#########.........]  1234/5000  24%  198/s`, redrawn at most ten times a second and
/// erased when done, so logs and pipes never see it.
final class ProgressBar: @unchecked Sendable {
    /// What the bar counts: items, or bytes (shown in MB).
    enum Unit: Sendable {
        case items
        case bytes
    }

    // @unchecked Sendable: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    private let output: TextOutput
    private let label: String
    private let total: Int
    private let unit: Unit
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var done = 0
    private var lastDrawn: ContinuousClock.Instant?

    init(label: String, total: Int, unit: Unit = .items, output: TextOutput) {
        self.label = label
        self.total = max(total, 0)
        self.unit = unit
        self.output = output
        enabled = output.isTerminal
    }

    /// Counts `count` more items and redraws when due.
    func advance(by count: Int = 1) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        draw(done + count)
    }

    /// Sets how much is done and redraws when due.
    func update(done count: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        draw(count)
    }

    /// Replaces the bar with `text` until `finish()`: what happens next, when it has no count.
    func show(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        output.write("\r\u{1B}[K" + text)
        output.flush()
    }

    private func draw(_ count: Int) {
        done = count
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(100), done < total { return }
        lastDrawn = now
        output.write("\r" + Self.line(label: label, done: done, total: total, elapsed: seconds(now - started), unit: unit))
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

    static func line(label: String, done: Int, total: Int, elapsed: Double, width: Int = 30, unit: Unit = .items) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let percent = "\(Int((fraction * 100).rounded(.down)))%"
        switch unit {
        case .items:
            return "\(label) [\(bar)] \(done)/\(total) \(percent) \(Int(rate.rounded()))/s"
        case .bytes:
            let megabytes = { (bytes: Double) in String(format: "%.1f", bytes / 1_000_000) }
            // A pipe has no size: no bar, no share.
            guard total > 0 else { return "\(label) \(megabytes(Double(done))) MB read \(megabytes(rate)) MB/s" }
            return "\(label) [\(bar)] \(megabytes(Double(done)))/\(megabytes(Double(total))) MB \(percent) \(megabytes(rate)) MB/s"
        }
    }
}
