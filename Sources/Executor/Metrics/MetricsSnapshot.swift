import Ledger
import Rules
import ThreadsAPI

/// Everything the metrics file shows, gathered at one moment.
///
/// Plain data: `collect` reads the ledger and counts each rule's backlog, `PrometheusText`
/// renders it, `MetricsTextfile` writes it. Request counts come from the process's client and
/// are absent in a process that sent nothing (`threadkeeper metrics`).
public struct MetricsSnapshot: Sendable, Hashable {
    /// Unix seconds when it was gathered.
    public var now: Int64
    public var ledger: LedgerMetrics
    /// Threads each loaded rule matches now, by rule name.
    public var backlog: [String: Int]
    public var requests: RequestCounts?

    public init(now: Int64, ledger: LedgerMetrics, backlog: [String: Int], requests: RequestCounts?) {
        self.now = now
        self.ledger = ledger
        self.backlog = backlog
        self.requests = requests
    }

    /// Reads the ledger and counts each rule's matches with the count `plan` makes.
    ///
    /// A rule whose count fails is left out of the backlog (and `failures` names it), so one
    /// bad rule does not cost the whole file.
    public static func collect(
        ledger: Ledger, rules: [Rule], hold: String, now: Int64, requests: RequestCounts?
    ) throws -> (snapshot: MetricsSnapshot, failures: [String]) {
        let counts = try ledger.metrics()
        var backlog: [String: Int] = [:]
        var failures: [String] = []
        for rule in rules {
            do {
                backlog[rule.name] = try Planner.backlog(rule, ledger: ledger, now: now, hold: hold)
            } catch {
                failures.append("rule '\(rule.name)': \(error)")
            }
        }
        return (MetricsSnapshot(now: now, ledger: counts, backlog: backlog, requests: requests), failures)
    }

    /// The run's exit code as its recorded status gives it (see `RuleBacklog.exitCode`).
    public static func exitCode(_ run: LedgerMetrics.LastRun) -> Int {
        RuleBacklog.exitCode(status: run.status, failed: run.failed) ?? 75
    }
}
