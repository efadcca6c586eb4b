import Daemon
import Foundation
import Journal
import Rules
import Synchronization
import UnitFile

/// `threadkeeper-bench daemon [--rules N] [--idle SECONDS]`.
///
/// Starts the daemon's runtime (rules loading, scheduler, watchdog at WATCHDOG_USEC=30s, signal
/// handling) over N rule files (default 1,000) with daily schedules spread over the day, and
/// prints the time from start to READY=1, then the CPU time and resident memory of SECONDS
/// (default 60) of idling. Runs are not carried out (the Executor plugs in through
/// `DaemonHost`); the ledger's share of the start time is measured by its own benchmarks.
enum DaemonBenchmark {
    struct Host: DaemonHost {
        var directory: String
        func loadRules() async -> (rules: [Rule], diagnostics: [Diagnostic]) { RuleSet.load(directory: directory) }
        func lastScheduledRuns(of rules: [String]) async -> [String: Date] { [:] }
        func run(_ rule: Rule, progress: @escaping @Sendable (DaemonStatus.Progress) -> Void) async {}
    }

    static func option(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }

    static func run(_ arguments: [String]) async throws {
        let count = option(arguments, "--rules").flatMap(Int.init) ?? 1000
        let idle = option(arguments, "--idle").flatMap(Double.init) ?? 60
        let directory = NSTemporaryDirectory() + "/threadkeeper-bench-daemon-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in 0..<count {
            let minute = index % 1440
            let text = """
                [Rule]
                Schedule=*-*-* \(minute / 60):\(minute % 60):00 UTC
                Action=report

                [Match]
                OlderThan=\(30 + index % 300)d
                Metadata=tag=team-\(index % 50)*
                """
            try text.write(toFile: "\(directory)/rule-\(index).rule", atomically: false, encoding: .utf8)
        }

        let start = DispatchTime.now().uptimeNanoseconds
        let ready = Mutex<UInt64?>(nil)
        let watchdogPings = Mutex(0)
        let options = DaemonOptions(watchdogTimeout: .seconds(30))
        async let termination = DaemonRuntime.run(
            host: Host(directory: directory), options: options, logger: Logger(handler: NullLogHandler())
        ) { states in
            if states.contains(.ready) { ready.withLock { $0 = $0 ?? DispatchTime.now().uptimeNanoseconds } }
            if states.contains(.watchdog) { watchdogPings.withLock { $0 += 1 } }
        }
        while ready.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        let readyMilliseconds = Double(ready.withLock { $0 }! - start) / 1e6
        let cpuBefore = RulesBenchmark.cpuMilliseconds()
        let rssBefore = residentKiB()
        try await Task.sleep(for: .seconds(idle))
        let cpuIdle = RulesBenchmark.cpuMilliseconds() - cpuBefore
        let rssAfter = residentKiB()
        kill(getpid(), SIGTERM)
        _ = try await termination
        print("daemon: \(count) rules, start to READY=1: \(String(format: "%.1f", readyMilliseconds)) ms")
        print(
            "daemon: idle \(Int(idle)) s: CPU \(String(format: "%.1f", cpuIdle)) ms "
                + "(\(String(format: "%.4f", cpuIdle / 1000 / idle * 100)) % of a core), "
                + "RSS \(rssBefore / 1024) MiB at READY, \(rssAfter / 1024) MiB after, \(watchdogPings.withLock { $0 }) watchdog pings")
    }
}
