import Ledger
import Rules

/// One run to carry out: which rule, how it was started, and the caller's overrides.
public struct RunRequest: Sendable {
    public var rule: Rule
    public var trigger: RunTrigger
    /// Plan and guard, record the run, call nothing.
    public var dryRun: Bool
    /// Run although `MaxFraction=` would refuse it.
    public var force: Bool
    /// At most this many threads (`--limit`), on top of `MaxThreads=`.
    public var limit: Int?
    /// Act only on the threads of this saved plan.
    public var planID: Int64?
    /// The metadata key that holds a thread (`[Rules] Hold=`).
    public var hold: String

    public init(
        rule: Rule, trigger: RunTrigger = .manual, dryRun: Bool = false, force: Bool = false, limit: Int? = nil,
        planID: Int64? = nil, hold: String = RuleSet.defaultHold
    ) {
        self.rule = rule
        self.trigger = trigger
        self.dryRun = dryRun
        self.force = force
        self.limit = limit
        self.planID = planID
        self.hold = hold
    }
}

/// How a run that started ended.
public enum RunEnd: Sendable, Hashable {
    /// Every planned thread was handled (some may have failed).
    case completed
    /// A guard refused the run before any action.
    case refused(String)
    /// The breaker (or a ledger write failure) stopped the run part way; the rest is untouched.
    case aborted(String)
    /// A signal stopped the run part way.
    case stopped(StopReason)
}

/// What a run did, for the summary table, `--json` and the exit code.
public struct RunReport: Sendable {
    /// The `runs` row; nil when nothing was written (a dry run writes one too).
    public var runID: Int64?
    public var rule: String
    public var action: String
    public var dryRun: Bool
    public var end: RunEnd
    public var matched: Int
    /// Threads the run set out to handle (after `MaxThreads=` and `--limit`).
    public var planned: Int
    public var counts: RunCounts
    /// Intents left open (calls cancelled at a stop); the next start reconciles them.
    public var leftOpen: Int
    /// Open intents of earlier runs reconciled before this one started.
    public var reconciled: Int
    /// Seconds from the first call to the last outcome.
    public var elapsed: Double
    /// Archives written.
    public var archived: Int
    /// The run was aborted because the answers showed the base URL does not lead to the
    /// Threads API (a CLI exits 69 for it rather than 2).
    public var apiUnavailable = false
    /// The first failed action's thread and error, when any failed.
    public var firstFailure: String?

    public init(
        runID: Int64?, rule: String, action: String, dryRun: Bool, end: RunEnd, matched: Int, planned: Int,
        counts: RunCounts = RunCounts(), leftOpen: Int = 0, reconciled: Int = 0, elapsed: Double = 0, archived: Int = 0
    ) {
        self.runID = runID
        self.rule = rule
        self.action = action
        self.dryRun = dryRun
        self.end = end
        self.matched = matched
        self.planned = planned
        self.counts = counts
        self.leftOpen = leftOpen
        self.reconciled = reconciled
        self.elapsed = elapsed
        self.archived = archived
    }

    /// The `runs.status` this end is recorded with: a run that went through its plan but in
    /// which actions failed is `failed`, never plainly `completed`.
    public var status: RunStatus {
        switch end {
        case .completed: firstFailure == nil && counts.failed == 0 ? .completed : .failed
        case .refused: .refused
        case .aborted, .stopped: .aborted
        }
    }
}

/// Where a run is, for a progress bar or periodic log lines.
public struct RunProgress: Sendable, Hashable {
    public var rule: String
    public var planned: Int
    /// Threads with an outcome so far.
    public var settled: Int
    public var failed: Int
    /// Seconds since the first call.
    public var elapsed: Double

    /// Outcomes a second so far.
    public var rate: Double { elapsed > 0 ? Double(settled) / elapsed : 0 }
    /// Seconds left at the current rate, if it can be told.
    public var remaining: Double? { rate > 0 ? Double(planned - settled) / rate : nil }
}
