import Foundation
import TestSupport

/// Runs the machine's `systemd-analyze`, the reference the Schedule module is checked against.
enum SystemdAnalyze {
    static let path: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Why comparisons are skipped, or `nil` when the tool is here.
    static var missingReason: String? {
        path == nil ? "systemd-analyze is not installed on this machine (Debian package systemd)" : nil
    }

    static var isAvailable: Bool { path != nil }

    /// Runs `systemd-analyze ARGS` with `TZ` set and returns its standard output.
    static func run(_ arguments: [String], timeZone: String = "UTC") throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = timeZone
        environment["SYSTEMD_COLORS"] = "0"
        environment["LC_ALL"] = "C"
        return try ProcessRunner.run(path!, arguments, environment: environment)
    }
}
