import Ledger
import Rules

/// One rule as `status` shows it: its last run, its next, the threads it matches now and how
/// long clearing them takes at the account's budget.
public struct RuleBacklog: Sendable {
    public var rule: Rule
    /// The rule's newest run (dry runs included), nil when it never ran.
    public var lastRun: RunRecord?
    /// When the daemon runs it next (Unix seconds); nil for a manual-only, disabled or spent schedule.
    public var nextRun: Int64?
    /// Threads it matches now, as `plan` counts them.
    public var matches: Int
    public var clearance: ClearanceEstimate
    /// With `MaxThreads=`: how many runs clearing the backlog takes; nil without a limit.
    public var runsNeeded: Int?

    /// The backlog of each rule against the ledger at `now`.
    public static func collect(
        rules: [Rule], ledger: Ledger, now: Int64, hold: String, requestsPerSecond: Double
    ) throws -> [RuleBacklog] {
        try rules.map { rule in
            let matches = try Planner.backlog(rule, ledger: ledger, now: now, hold: hold)
            var runsNeeded: Int?
            if let maxThreads = rule.limits.maxThreads, maxThreads > 0 {
                runsNeeded = (matches + maxThreads - 1) / maxThreads
            }
            return RuleBacklog(
                rule: rule, lastRun: try ledger.recentRuns(limit: 1, rule: rule.name).first,
                nextRun: rule.enabled ? rule.schedule?.nextElapse(after: now) : nil, matches: matches,
                clearance: ClearanceEstimate(rule: rule, threads: matches, requestsPerSecond: requestsPerSecond),
                runsNeeded: runsNeeded)
        }
    }

    /// The exit code a run's recorded status stands for, as `threadkeeper run` gives it
    /// (`RunCommand.exitCode`) where the ledger can tell; nil while it runs.
    ///
    /// The ledger does not keep why a run was aborted: `run` exits 69 when the answers were
    /// not the API's and 130 or 143 on a signal, which are all 2 here.
    public static func exitCode(status: RunStatus, failed: Int) -> Int? {
        switch status {
        case .completed: failed > 0 ? 1 : 0
        case .failed: 1
        case .refused, .aborted: 2
        case .interrupted: 75
        case .running: nil
        }
    }
}
