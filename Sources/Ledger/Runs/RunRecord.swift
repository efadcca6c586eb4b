/// What started a run.
public enum RunTrigger: String, Sendable, Hashable, CaseIterable {
    /// The rule's `Schedule=` elapsed.
    case schedule
    /// Someone ran it by hand (`threadkeeper run`).
    case manual
    /// Finishing a run a crash or stop left with open intents.
    case resume
}

/// How a run ended (or that it has not).
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running
    /// Every planned action was attempted and none failed.
    case completed
    /// Actions failed (see `failed` and the journal's "run finished" entry for the first error),
    /// or the run stopped on an error before its first call (an archive directory it cannot write).
    case failed
    /// The breaker or a signal stopped it part way.
    case aborted
    /// A guard (MaxThreads, MaxFraction) refused it before any action.
    case refused
    /// The process stopped while it was running; found so at the next start.
    case interrupted
}

/// How many threads a run matched and what became of its actions.
public struct RunCounts: Sendable, Hashable {
    public var matched: Int
    /// Actions with outcome `ok`.
    public var done: Int
    /// Actions with outcome `gone` (404: already deleted).
    public var gone: Int
    public var skipped: Int
    public var failed: Int

    public init(matched: Int = 0, done: Int = 0, gone: Int = 0, skipped: Int = 0, failed: Int = 0) {
        self.matched = matched
        self.done = done
        self.gone = gone
        self.skipped = skipped
        self.failed = failed
    }
}

/// What the ledger is told when a run begins.
public struct RunStart: Sendable, Hashable {
    public var rule: String
    /// SHA-256 of the rule file's bytes (`SHA256.hex(of:)`).
    public var ruleDigest: String
    /// The rule file as it was, so an auditor can read exactly what was applied.
    public var ruleText: String
    public var trigger: RunTrigger
    public var dryRun: Bool

    public init(rule: String, ruleDigest: String, ruleText: String, trigger: RunTrigger, dryRun: Bool = false) {
        self.rule = rule
        self.ruleDigest = ruleDigest
        self.ruleText = ruleText
        self.trigger = trigger
        self.dryRun = dryRun
    }
}

/// One row of `runs`.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var rule: String
    public var ruleDigest: String
    public var ruleText: String
    public var trigger: RunTrigger
    public var dryRun: Bool
    public var startedAt: Int64
    public var finishedAt: Int64?
    public var status: RunStatus
    public var counts: RunCounts
}

/// What became of one action.
public enum ActionOutcome: String, Sendable, Hashable, CaseIterable {
    /// The API did it.
    case ok
    /// The thread was already gone (404).
    case gone
    /// Not done, on purpose (re-check failed, hold found, dry run).
    case skipped
    /// The call failed; `error` says why.
    case failed
}

/// An action about to be taken, written to the ledger before the API call.
public struct ActionIntent: Sendable, Hashable {
    /// Empty for a `create`: the thread has no id until the API answers (the outcome names it).
    public var threadID: String
    /// `delete`, `tag`, `untag`, `report`…
    public var action: String
    /// Why this thread was chosen: the conditions it met.
    public var reason: String
    /// The kind of object `threadID` names.
    public var object: ObjectKind

    public init(threadID: String, action: String, reason: String, object: ObjectKind = .thread) {
        self.threadID = threadID
        self.action = action
        self.reason = reason
        self.object = object
    }
}

/// The outcome of one action, and what it means for the thread.
public struct ActionSettlement: Sendable, Hashable {
    public var actionID: Int64
    public var outcome: ActionOutcome
    public var httpStatus: Int?
    public var requestID: String?
    public var attempts: Int
    /// Why it failed or was skipped; never contains the API key.
    public var error: String?
    /// The thread's new state, written in the same transaction (`.deleted` after a delete, `.gone` on 404).
    public var threadState: ThreadState?
    /// The thread's metadata as the API answered, written in the same transaction (after a
    /// verify, a tag or an untag) and marking the thread as synced.
    public var metadata: [String: String]?
    /// The thread's created_at as the API answered, written with `metadata`.
    public var createdAt: Int64?
    /// A thread the action created (`create`, whose intent cannot name it), recorded in the
    /// same transaction as the outcome, so the ledger never says one without the other.
    public var created: ThreadRecord?

    public init(
        actionID: Int64, outcome: ActionOutcome, httpStatus: Int? = nil, requestID: String? = nil, attempts: Int = 1,
        error: String? = nil, threadState: ThreadState? = nil, metadata: [String: String]? = nil, createdAt: Int64? = nil,
        created: ThreadRecord? = nil
    ) {
        self.createdAt = createdAt
        self.created = created
        self.actionID = actionID
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.attempts = attempts
        self.error = error
        self.threadState = threadState
        self.metadata = metadata
    }
}

/// One row of `actions`.
public struct ActionRecord: Sendable, Hashable {
    public var id: Int64
    public var runID: Int64
    public var threadID: String
    public var action: String
    public var reason: String
    public var intentAt: Int64
    /// Nil while the action is open (intent written, outcome not yet).
    public var outcome: ActionOutcome?
    public var httpStatus: Int?
    public var requestID: String?
    public var attempts: Int
    public var error: String?
    public var settledAt: Int64?
    public var prevHash: String
    public var hash: String
    /// The kind of object `threadID` names; nil on actions written before schema 5 (threads).
    public var object: ObjectKind? = nil

    /// The kind of object acted on.
    public var kind: ObjectKind { object ?? .thread }
}
