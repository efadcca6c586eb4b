import Foundation
import Ledger

/// This process as a rule lock's holder, and whether a recorded holder still runs.
public enum ProcessIdentity {
    /// The host name, as `gethostname(2)` gives it.
    public static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The fields of `/proc/PID/stat` from field 3 (the state) on, or nil when it cannot be read:
    /// field N is at index N - 3.
    public static func statFields(of pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // The command name (field 2) may hold spaces; the fields after its ')' are plain.
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Field 22 of `/proc/PID/stat` (start time in clock ticks since boot), or "" when unknown.
    public static func startTime(of pid: Int32) -> String {
        guard let fields = statFields(of: pid), fields.count > 19 else { return "" }
        return String(fields[19])
    }

    /// This process as a lock holder.
    public static func current() -> RuleLockHolder {
        let pid = getpid()
        return RuleLockHolder(pid: pid, host: host, processStart: startTime(of: pid))
    }

    /// Whether `holder` still runs: on another host we cannot tell, so it counts as alive.
    public static func isAlive(_ holder: RuleLockHolder) -> Bool {
        guard holder.host == host else { return true }
        // "If sig is 0, then no signal is sent, but existence and permission checks are still performed."
        if kill(holder.pid, 0) != 0, errno == ESRCH { return false }
        let start = startTime(of: holder.pid)
        // The pid exists but is another process than the one that took the lock: the pid was reused.
        if !start.isEmpty, !holder.processStart.isEmpty, start != holder.processStart { return false }
        return true
    }
}
