/// The ledger's side of the metrics file: counts by state, runs, actions, the last run of each
/// rule and the audit chain's head, read in one pass under the connection's lock.
public struct LedgerMetrics: Sendable, Hashable {
    /// The last finished run of one rule.
    public struct LastRun: Sendable, Hashable {
        public var runID: Int64
        public var startedAt: Int64
        public var finishedAt: Int64
        public var status: RunStatus
        public var failed: Int
    }

    /// One group of `actions`: its action, and its outcome (nil while open).
    public struct ActionGroup: Sendable, Hashable {
        public var action: String
        public var outcome: ActionOutcome?
    }

    /// A run's rule and status.
    public struct RunGroup: Sendable, Hashable {
        public var rule: String
        public var status: RunStatus
    }

    /// Rows by state, of every kind.
    public var threadsByState: [ThreadState: Int]
    /// Rows by kind and state.
    public var rowsByObject: [ObjectKind: [ThreadState: Int]] = [:]
    public var runs: [RunGroup: Int]
    public var actions: [ActionGroup: Int]
    /// Keyed by rule name.
    public var lastRuns: [String: LastRun]
    public var chainRows: Int64
    /// When the fact the newest chain row covers was written (Unix seconds); nil for an empty chain.
    public var chainHeadAt: Int64?
}

extension Ledger {
    /// Everything the metrics file takes from the ledger; reads only.
    public func metrics() throws -> LedgerMetrics {
        try withDatabase { database in
            var byState: [ThreadState: Int] = [:]
            var byObject: [ObjectKind: [ThreadState: Int]] = [:]
            for row in try database.rows("SELECT object, state, count(*) FROM threads GROUP BY object, state") {
                guard let kind = row[0].textValue.flatMap(ObjectKind.init(rawValue:)),
                    let state = row[1].textValue.flatMap(ThreadState.init(rawValue:))
                else { continue }
                let count = Int(row[2].integerValue ?? 0)
                byObject[kind, default: [:]][state] = count
                byState[state, default: 0] += count
            }
            var runs: [LedgerMetrics.RunGroup: Int] = [:]
            for row in try database.rows("SELECT rule, status, count(*) FROM runs GROUP BY rule, status") {
                guard let rule = row[0].textValue, let status = row[1].textValue.flatMap(RunStatus.init(rawValue:)) else { continue }
                runs[LedgerMetrics.RunGroup(rule: rule, status: status)] = Int(row[2].integerValue ?? 0)
            }
            var actions: [LedgerMetrics.ActionGroup: Int] = [:]
            for row in try database.rows("SELECT action, outcome, count(*) FROM actions GROUP BY action, outcome") {
                guard let action = row[0].textValue else { continue }
                let outcome = row[1].textValue.flatMap(ActionOutcome.init(rawValue:))
                actions[LedgerMetrics.ActionGroup(action: action, outcome: outcome), default: 0] += Int(row[2].integerValue ?? 0)
            }
            var lastRuns: [String: LedgerMetrics.LastRun] = [:]
            let last = try database.rows(
                "SELECT id, rule, started_at, finished_at, status, failed FROM runs WHERE id IN "
                    + "(SELECT max(id) FROM runs WHERE finished_at IS NOT NULL GROUP BY rule)")
            for row in last {
                guard let id = row[0].integerValue, let rule = row[1].textValue, let started = row[2].integerValue,
                    let finished = row[3].integerValue, let status = row[4].textValue.flatMap(RunStatus.init(rawValue:))
                else { continue }
                lastRuns[rule] = LedgerMetrics.LastRun(
                    runID: id, startedAt: started, finishedAt: finished, status: status, failed: Int(row[5].integerValue ?? 0))
            }
            // The chain has no time of its own: the newest row's time is that of the fact it covers.
            let head = try database.rows(
                """
                SELECT c.seq, CASE c.kind
                    WHEN 'run' THEN (SELECT started_at FROM runs WHERE id = c.ref)
                    WHEN 'end' THEN (SELECT finished_at FROM runs WHERE id = c.ref)
                    WHEN 'intent' THEN (SELECT intent_at FROM actions WHERE id = c.ref)
                    WHEN 'outcome' THEN (SELECT settled_at FROM actions WHERE id = c.ref)
                    END
                FROM chain AS c ORDER BY c.seq DESC LIMIT 1
                """
            ).first
            var metrics = LedgerMetrics(
                threadsByState: byState, runs: runs, actions: actions, lastRuns: lastRuns,
                chainRows: head?[0].integerValue ?? 0, chainHeadAt: head?[1].integerValue)
            metrics.rowsByObject = byObject
            return metrics
        }
    }
}
