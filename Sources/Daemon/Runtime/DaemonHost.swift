import Foundation
import Rules
import UnitFile

/// What the daemon needs from the rest of threadkeeper; the `daemon` command builds one from
/// the config, the ledger and the Executor.
public protocol DaemonHost: Sendable {
    /// Reads the config and the rules directory (`RuleSet.load`), at start and on every reload.
    func loadRules() async -> (rules: [Rule], diagnostics: [Diagnostic])

    /// When each of the scheduled `rules` last started on schedule (the ledger's `runs`, see
    /// `ScheduleHistory`), for `RunMissed=yes`; called once at start.
    func lastScheduledRuns(of rules: [String]) async -> [String: Date]

    /// Carries out one scheduled run of `rule` and returns when it has ended, reporting its
    /// progress for the status line (from any thread, as often as it likes: the status is
    /// throttled). A stop request reaches the run through `withGracefulShutdownHandler` (take
    /// no new work, settle the calls in flight); a second one cancels its task.
    func run(_ rule: Rule, progress: @escaping @Sendable (DaemonStatus.Progress) -> Void) async

    /// Checks whether the setup can work (what `threadkeeper doctor` checks), at start and on
    /// every reload, without changing anything at the API.
    func checkSetup() async -> SetupCheck

    /// Writes the metrics file (`[Metrics] TextfileDirectory=`), every `metricsInterval` while
    /// the daemon runs; never throws (a failure is the host's to log).
    func writeMetrics() async
}

extension DaemonHost {
    public func writeMetrics() async {}

    /// A host that cannot check its setup reports nothing.
    public func checkSetup() async -> SetupCheck { SetupCheck() }
}

/// What the daemon's setup check found: one line per check that did not pass.
public struct SetupCheck: Sendable, Equatable {
    /// `name: detail; fix: …` of each failed check.
    public var failed: [String]
    public var warnings: [String]

    public init(failed: [String] = [], warnings: [String] = []) {
        self.failed = failed
        self.warnings = warnings
    }

    /// For `STATUS=`: empty when every check passed, else `; setup: 1 failed (probe)`.
    public var statusSuffix: String {
        guard !failed.isEmpty else { return "" }
        let names = failed.map { $0.prefix { $0 != ":" } }.joined(separator: ", ")
        return "; setup: \(failed.count) failed (\(names)), see the journal or 'threadkeeper doctor'"
    }
}

/// How the daemon runs: the parts a test replaces and the `[Daemon]` settings.
public struct DaemonOptions: Sendable {
    /// `[Daemon] RunMissed=`: run a schedule missed while stopped once at start.
    public var runMissed: Bool
    /// `WATCHDOG_USEC` (see `ServiceNotifier.watchdogTimeout()`); nil when the watchdog is off.
    public var watchdogTimeout: Duration?
    public var wallClock: any WallClock
    public var watchdogClock: any Clock<Duration>
    public var shutdownSignals: [Int32]
    public var reloadSignals: [Int32]
    /// `[Metrics] Interval=` when `TextfileDirectory=` is set: how often `writeMetrics` runs; nil: never.
    public var metricsInterval: Duration?

    public init(
        runMissed: Bool = false, watchdogTimeout: Duration? = nil, wallClock: any WallClock = SystemWallClock(),
        watchdogClock: any Clock<Duration> = ContinuousClock(), shutdownSignals: [Int32] = [SIGTERM, SIGINT],
        reloadSignals: [Int32] = [SIGHUP], metricsInterval: Duration? = nil
    ) {
        self.metricsInterval = metricsInterval
        self.runMissed = runMissed
        self.watchdogTimeout = watchdogTimeout
        self.wallClock = wallClock
        self.watchdogClock = watchdogClock
        self.shutdownSignals = shutdownSignals
        self.reloadSignals = reloadSignals
    }
}
