import CSystemd
import Foundation

/// Tells the service manager how the service is doing, with `sd_notify(3)`.
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call is a no-op that returns false, so the
/// daemon runs the same by hand. systemd 252 (Debian 12) has no `Type=notify-reload`; the unit
/// is `Type=notify` and a reload is announced with `RELOADING=1` … `READY=1`.
public struct ServiceNotifier: Sendable {
    /// One assignment of the notification protocol (sd_notify(3), "Well-known assignments").
    public enum State: Sendable, Equatable {
        /// `READY=1`: startup (or a reload) finished.
        case ready
        /// `RELOADING=1`: a reload began; also sends `MONOTONIC_USEC=` as systemd 253+ asks.
        case reloading
        /// `STOPPING=1`: shutdown began.
        case stopping
        /// `STATUS=…`: one line saying what the service does.
        case status(String)
        /// `WATCHDOG=1`: the service is alive.
        case watchdog
        /// `ERRNO=…`: why the service failed.
        case errno(Int32)

        var assignments: [String] {
            switch self {
            case .ready: ["READY=1"]
            case .reloading: ["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"]
            case .stopping: ["STOPPING=1"]
            case .status(let text): ["STATUS=" + Self.singleLine(text)]
            case .watchdog: ["WATCHDOG=1"]
            case .errno(let code): ["ERRNO=\(code)"]
            }
        }

        static func singleLine(_ text: String) -> String {
            String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        }

        static func monotonicMicroseconds() -> UInt64 {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
        }
    }

    public init() {}

    /// The message `states` make: assignments separated by newlines, as sd_notify expects.
    public static func message(_ states: [State]) -> String {
        states.flatMap(\.assignments).joined(separator: "\n")
    }

    /// Sends `states` in one datagram. True when the manager was told; false when no manager
    /// listens (`NOTIFY_SOCKET` unset). A send error throws.
    @discardableResult
    public func notify(_ states: [State]) throws(NotifyError) -> Bool {
        let text = Self.message(states)
        // sd_notify(3): "If the $NOTIFY_SOCKET environment variable is not set … returns 0";
        // the environment is left alone (unset_environment 0) so reloads can notify again.
        let result = sd_notify(0, text)
        if result < 0 { throw NotifyError(code: -result, message: text) }
        return result > 0
    }

    @discardableResult
    public func notify(_ state: State) throws(NotifyError) -> Bool { try notify([state]) }

    /// The watchdog timeout systemd expects pings within (`WATCHDOG_USEC`, for this process
    /// per `WATCHDOG_PID`), or nil when the watchdog is off.
    ///
    /// sd_watchdog_enabled(3): "the daemon should then call sd_notify with WATCHDOG=1 … It is
    /// recommended that a daemon sends a keep-alive notification message … every half of the
    /// time returned here."
    public static func watchdogTimeout() -> Duration? {
        var usec: UInt64 = 0
        let result = sd_watchdog_enabled(0, &usec)
        guard result > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }
}

/// `sd_notify` failed: `code` is the errno, `message` what was being sent (never secret).
public struct NotifyError: Error, CustomStringConvertible, Equatable {
    public var code: Int32
    public var message: String

    public var description: String {
        "cannot notify the service manager of '\(message.replacingOccurrences(of: "\n", with: " "))': "
            + "\(String(cString: strerror(code))); check NOTIFY_SOCKET"
    }
}
