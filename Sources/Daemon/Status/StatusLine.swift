import Foundation

/// The one line the daemon shows in `systemctl status` through `STATUS=`.
///
/// `idle; next: stale-support at 2026-11-25 03:00 UTC`,
/// `running stale-support: 1200/5000, 0 failed`, `reloading`, `stopping; waiting for stale-support`.
public enum DaemonStatus: Sendable, Equatable {
    /// How far one run is.
    public struct Progress: Sendable, Equatable {
        public var rule: String
        public var done: Int
        /// The threads the run acts on, once its plan is known.
        public var total: Int?
        public var failed: Int

        public init(rule: String, done: Int = 0, total: Int? = nil, failed: Int = 0) {
            self.rule = rule
            self.done = done
            self.total = total
            self.failed = failed
        }
    }

    case starting(String)
    case idle(next: (rule: String, date: Date)?)
    case running([Progress])
    case reloading
    case stopping(waitingFor: [String])

    public static func == (lhs: DaemonStatus, rhs: DaemonStatus) -> Bool {
        switch (lhs, rhs) {
        case (.starting(let a), .starting(let b)): a == b
        case (.idle(let a), .idle(let b)): a?.rule == b?.rule && a?.date == b?.date
        case (.running(let a), .running(let b)): a == b
        case (.reloading, .reloading): true
        case (.stopping(let a), .stopping(let b)): a == b
        default: false
        }
    }

    /// The `STATUS=` text.
    public var line: String {
        switch self {
        case .starting(let what): return "starting: \(what)"
        case .idle(let next):
            guard let next else { return "idle; no scheduled rules" }
            return "idle; next: \(next.rule) at \(Self.format(next.date))"
        case .running(let runs):
            let parts = runs.sorted { $0.rule < $1.rule }.map { run in
                "\(run.rule): \(run.done)/\(run.total.map(String.init) ?? "?"), \(run.failed) failed"
            }
            return "running " + parts.joined(separator: "; ")
        case .reloading: return "reloading"
        case .stopping(let rules):
            return rules.isEmpty ? "stopping" : "stopping; waiting for " + rules.sorted().joined(separator: ", ")
        }
    }

    /// `2026-11-25 03:00 UTC`, with seconds only when they are not zero.
    ///
    /// With libc's `gmtime_r`: Foundation's `Calendar` and `TimeZone` load ICU, about 4 MiB
    /// of the idle daemon's resident memory for one line (docs/BENCHMARKS.md).
    public static func format(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var c = tm()
        guard gmtime_r(&time, &c) != nil else { return "@\(time)" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let seconds = c.tm_sec == 0 ? "" : ":" + two(c.tm_sec)
        return "\(c.tm_year + 1900)-\(two(c.tm_mon + 1))-\(two(c.tm_mday)) \(two(c.tm_hour)):\(two(c.tm_min))\(seconds) UTC"
    }
}
