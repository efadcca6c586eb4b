import JSON
import SQLite

/// The runs and the action log, as the Executor writes them.
///
/// A run is: `beginRun` → `recordIntents` (durable before any API call) → the calls →
/// `settle` (outcomes in batches, with the threads' new state in the same transaction) →
/// `finishRun`. After a crash, `openIntents` lists what was intended but never settled,
/// and `interruptedRuns` the runs left `running`.
extension Ledger {
    static let runColumns =
        "id, rule, rule_digest, rule_text, trigger, dry_run, started_at, finished_at, status, matched, done, gone, skipped, failed"
    static let actionColumns =
        "actions.id, actions.run_id, actions.thread_id, actions.action, actions.reason, actions.intent_at, actions.outcome, "
        + "actions.http_status, actions.request_id, actions.attempts, actions.error, actions.settled_at, actions.prev_hash, "
        + "actions.hash, actions.object"
    /// `actionColumns` as they were before schema 5 (for the migration to schema 3).
    static let actionColumnsBeforeObjects =
        "actions.id, actions.run_id, actions.thread_id, actions.action, actions.reason, actions.intent_at, actions.outcome, "
        + "actions.http_status, actions.request_id, actions.attempts, actions.error, actions.settled_at, actions.prev_hash, "
        + "actions.hash"
    /// How many columns `actionColumns` has: columns selected after them start here.
    static let actionColumnCount: Int32 = 15

    /// Writes a `runs` row with status `running`; returns its id.
    public func beginRun(_ start: RunStart, matched: Int = 0) throws -> Int64 {
        try write { database in
            try database.run(
                """
                INSERT INTO runs (rule, rule_digest, rule_text, trigger, dry_run, started_at, status, matched)
                VALUES (?, ?, ?, ?, ?, ?, 'running', ?)
                """,
                [
                    .text(start.rule), .text(start.ruleDigest), .text(start.ruleText), .text(start.trigger.rawValue),
                    SQLiteValue(start.dryRun), .integer(now()), .integer(Int64(matched)),
                ])
            let id = database.lastInsertRowID
            guard let run = try run(id: id, database) else { preconditionFailure("run \(id) vanished inside its transaction") }
            var chain = try ChainAppender(database)
            try chain.appendRun(run, database)
            return id
        }
    }

    /// Sets how many threads a run matched (known after planning).
    public func setMatched(runID: Int64, matched: Int) throws {
        try write { database in
            try database.run("UPDATE runs SET matched = ? WHERE id = ?", [.integer(Int64(matched)), .integer(runID)])
        }
    }

    /// Appends open actions (intents) in one transaction; returns their ids in order.
    ///
    /// When this returns, the rows are on disk (WAL with `synchronous = FULL`): a crash
    /// during the API calls that follow leaves them open for `openIntents` to find.
    @discardableResult
    public func recordIntents(runID: Int64, _ intents: [ActionIntent]) throws -> [Int64] {
        guard !intents.isEmpty else { return [] }
        let time = now()
        return try write { database in
            var (lastID, prevHash) = try chainTail(database)
            var chain = try ChainAppender(database)
            var ids: [Int64] = []
            ids.reserveCapacity(intents.count)
            for intent in intents {
                let id = lastID + 1
                let digest = ActionChain.intentDigest(
                    prevHash: prevHash, id: id, runID: runID, threadID: intent.threadID, action: intent.action,
                    reason: intent.reason, intentAt: time)
                try database.run(
                    """
                    INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, attempts, prev_hash, hash, object)
                    VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
                    """,
                    [
                        .integer(id), .integer(runID), .text(intent.threadID), .text(intent.action), .text(intent.reason),
                        .integer(time), .text(prevHash), .text(digest), .text(intent.object.rawValue),
                    ])
                try chain.appendIntent(
                    ActionRecord(
                        id: id, runID: runID, threadID: intent.threadID, action: intent.action, reason: intent.reason,
                        intentAt: time, attempts: 0, prevHash: prevHash, hash: digest, object: intent.object), database)
                ids.append(id)
                (lastID, prevHash) = (id, digest)
            }
            return ids
        }
    }

    /// Writes outcomes of open actions, and the threads' new state or metadata, in one transaction.
    ///
    /// Throws `.invalidArgument` (and writes nothing) when an action is unknown or already settled.
    public func settle(_ settlements: [ActionSettlement]) throws {
        guard !settlements.isEmpty else { return }
        let time = now()
        try write { database in
            var chain = try ChainAppender(database)
            for settlement in settlements {
                guard let row = try action(id: settlement.actionID, database), row.outcome == nil else {
                    throw LedgerError(
                        .invalidArgument, "action \(settlement.actionID) is not an open action in '\(path)'", path: path)
                }
                let hash = ActionChain.settledHash(
                    intentDigest: ActionChain.intentDigest(row), outcome: settlement.outcome.rawValue,
                    httpStatus: settlement.httpStatus.map(Int64.init), requestID: settlement.requestID,
                    attempts: Int64(settlement.attempts), error: settlement.error, settledAt: time)
                try database.run(
                    """
                    UPDATE actions SET outcome = ?, http_status = ?, request_id = ?, attempts = ?, error = ?, settled_at = ?,
                        hash = ?
                    WHERE id = ? AND outcome IS NULL
                    """,
                    [
                        .text(settlement.outcome.rawValue), SQLiteValue(settlement.httpStatus), SQLiteValue(settlement.requestID),
                        .integer(Int64(settlement.attempts)), SQLiteValue(settlement.error), .integer(time), .text(hash),
                        .integer(settlement.actionID),
                    ])
                var settled = row
                settled.outcome = settlement.outcome
                settled.httpStatus = settlement.httpStatus
                settled.requestID = settlement.requestID
                settled.attempts = settlement.attempts
                settled.error = settlement.error
                settled.settledAt = time
                settled.hash = hash
                try chain.appendOutcome(settled, database)
                if let created = settlement.created { try Self.upsert(created, database) }
                if let state = settlement.threadState {
                    try database.run("UPDATE threads SET state = ? WHERE id = ?", [.text(state.rawValue), .text(row.threadID)])
                }
                if let metadata = settlement.metadata {
                    try database.run(
                        "UPDATE threads SET metadata = ?, created_at = coalesce(?, created_at), last_synced = ? WHERE id = ?",
                        [
                            .text(JSONWriter.sortedObject(metadata)), SQLiteValue(settlement.createdAt), .integer(time),
                            .text(row.threadID),
                        ])
                }
            }
        }
    }

    /// Ends a run: sets its status and finish time, and counts its actions by outcome.
    ///
    /// The end is final: the `runs_end_is_final` trigger refuses a second one.
    @discardableResult
    public func finishRun(id: Int64, status: RunStatus) throws -> RunRecord {
        try write { database in
            try database.run(
                """
                UPDATE runs SET status = ?, finished_at = ?,
                    done = (SELECT count(*) FROM actions WHERE run_id = runs.id AND outcome = 'ok'),
                    gone = (SELECT count(*) FROM actions WHERE run_id = runs.id AND outcome = 'gone'),
                    skipped = (SELECT count(*) FROM actions WHERE run_id = runs.id AND outcome = 'skipped'),
                    failed = (SELECT count(*) FROM actions WHERE run_id = runs.id AND outcome = 'failed')
                WHERE id = ?
                """, [.text(status.rawValue), .integer(now()), .integer(id)])
            guard let run = try run(id: id, database) else {
                throw LedgerError(.invalidArgument, "no run \(id) in '\(path)'", path: path)
            }
            var chain = try ChainAppender(database)
            try chain.appendEnd(run, database)
            return run
        }
    }

    /// Actions whose intent was written but whose outcome never was, oldest first.
    public func openIntents(runID: Int64? = nil) throws -> [ActionRecord] {
        try withDatabase { database in
            var sql = "SELECT \(Self.actionColumns) FROM actions WHERE outcome IS NULL"
            var arguments: [SQLiteValue] = []
            if let runID {
                sql += " AND run_id = ?"
                arguments.append(.integer(runID))
            }
            let statement = try database.prepare(sql + " ORDER BY id")
            try statement.bind(arguments)
            var rows: [ActionRecord] = []
            while try statement.step() { rows.append(Self.actionRecord(statement)) }
            return rows
        }
    }

    /// Runs still marked `running`: in progress elsewhere, or left so by a crash.
    public func unfinishedRuns() throws -> [RunRecord] {
        try withDatabase { database in
            try database.rows("SELECT \(Self.runColumns) FROM runs WHERE status = 'running' ORDER BY id").map(Self.runRecord)
        }
    }

    /// The run with `id`, or nil.
    public func run(id: Int64) throws -> RunRecord? {
        try withDatabase { try run(id: id, $0) }
    }

    /// The most recent runs, newest first.
    public func recentRuns(limit: Int = 10, rule: String? = nil) throws -> [RunRecord] {
        try withDatabase { database in
            let filter = rule == nil ? "" : "WHERE rule = ?"
            let arguments: [SQLiteValue] = (rule.map { [SQLiteValue.text($0)] } ?? []) + [.integer(Int64(limit))]
            return try database.rows("SELECT \(Self.runColumns) FROM runs \(filter) ORDER BY id DESC LIMIT ?", arguments)
                .map(Self.runRecord)
        }
    }

    /// The actions of a run, in the order they were intended.
    public func actions(runID: Int64) throws -> [ActionRecord] {
        try withDatabase { database in
            let statement = try database.prepare("SELECT \(Self.actionColumns) FROM actions WHERE run_id = ? ORDER BY id")
            try statement.bind([.integer(runID)])
            var rows: [ActionRecord] = []
            while try statement.step() { rows.append(Self.actionRecord(statement)) }
            return rows
        }
    }

    private func run(id: Int64, _ database: SQLiteDatabase) throws -> RunRecord? {
        try database.rows("SELECT \(Self.runColumns) FROM runs WHERE id = ?", [.integer(id)]).first.map(Self.runRecord)
    }

    func action(id: Int64, _ database: SQLiteDatabase) throws -> ActionRecord? {
        let statement = try database.cachedStatement("SELECT \(Self.actionColumns) FROM actions WHERE id = ?")
        try statement.bind([.integer(id)])
        defer { statement.reset() }
        return try statement.step() ? Self.actionRecord(statement) : nil
    }

    /// The id and intent digest of the last action, which the next one links to.
    private func chainTail(_ database: SQLiteDatabase) throws -> (Int64, String) {
        let statement = try database.cachedStatement("SELECT \(Self.actionColumns) FROM actions ORDER BY id DESC LIMIT 1")
        try statement.bind([])
        defer { statement.reset() }
        guard try statement.step() else { return (0, ActionChain.genesis) }
        let last = Self.actionRecord(statement)
        return (last.id, ActionChain.intentDigest(last))
    }

    static func runRecord(_ row: [SQLiteValue]) -> RunRecord {
        func int(_ index: Int) -> Int { Int(row[index].integerValue ?? 0) }
        return RunRecord(
            id: row[0].integerValue ?? 0, rule: row[1].textValue ?? "", ruleDigest: row[2].textValue ?? "",
            ruleText: row[3].textValue ?? "", trigger: RunTrigger(rawValue: row[4].textValue ?? "") ?? .manual,
            dryRun: row[5].integerValue == 1, startedAt: row[6].integerValue ?? 0, finishedAt: row[7].integerValue,
            status: RunStatus(rawValue: row[8].textValue ?? "") ?? .running,
            counts: RunCounts(matched: int(9), done: int(10), gone: int(11), skipped: int(12), failed: int(13)))
    }

    /// An action read with `actionColumns`, or with `actionColumnsBeforeObjects` when `hasObject` is false.
    static func actionRecord(_ statement: SQLiteStatement, hasObject: Bool = true) -> ActionRecord {
        ActionRecord(
            id: statement.integer(0) ?? 0, runID: statement.integer(1) ?? 0, threadID: statement.text(2) ?? "",
            action: statement.text(3) ?? "", reason: statement.text(4) ?? "", intentAt: statement.integer(5) ?? 0,
            outcome: statement.text(6).flatMap(ActionOutcome.init(rawValue:)), httpStatus: statement.integer(7).map(Int.init),
            requestID: statement.text(8), attempts: Int(statement.integer(9) ?? 0), error: statement.text(10),
            settledAt: statement.integer(11), prevHash: statement.text(12) ?? "", hash: statement.text(13) ?? "",
            object: hasObject ? statement.text(14).flatMap(ObjectKind.init(rawValue:)) : nil)
    }
}
