import SQLite

/// Which actions `audit` shows.
public struct AuditFilter: Sendable, Hashable {
    public var rule: String?
    public var runID: Int64?
    public var threadID: String?
    /// Intents at or after this time (Unix seconds).
    public var since: Int64?
    /// Intents before this time (Unix seconds).
    public var until: Int64?
    public var limit: Int?

    public init(
        rule: String? = nil, runID: Int64? = nil, threadID: String? = nil, since: Int64? = nil, until: Int64? = nil,
        limit: Int? = nil
    ) {
        self.rule = rule
        self.runID = runID
        self.threadID = threadID
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// One action with the run it belongs to.
public struct AuditEntry: Sendable, Hashable {
    public var action: ActionRecord
    public var rule: String
    public var ruleDigest: String
    public var dryRun: Bool
    public var trigger: RunTrigger
}

extension Ledger {
    /// Calls `body` with each action matching `filter`, newest first, streamed from SQLite.
    public func forEachAuditEntry(_ filter: AuditFilter = AuditFilter(), _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let rule = filter.rule {
            conditions.append("runs.rule = ?")
            arguments.append(.text(rule))
        }
        if let runID = filter.runID {
            conditions.append("actions.run_id = ?")
            arguments.append(.integer(runID))
        }
        if let threadID = filter.threadID {
            conditions.append("actions.thread_id = ?")
            arguments.append(.text(threadID))
        }
        if let since = filter.since {
            conditions.append("actions.intent_at >= ?")
            arguments.append(.integer(since))
        }
        if let until = filter.until {
            conditions.append("actions.intent_at < ?")
            arguments.append(.integer(until))
        }
        var sql = """
            SELECT \(Self.actionColumns), runs.rule, runs.rule_digest, runs.dry_run, runs.trigger
            FROM actions JOIN runs ON runs.id = actions.run_id
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY actions.id DESC"
        if let limit = filter.limit {
            sql += " LIMIT ?"
            arguments.append(.integer(Int64(limit)))
        }
        try withDatabase { database in
            let statement = try database.prepare(sql)
            try statement.bind(arguments)
            while try statement.step() {
                try body(
                    AuditEntry(
                        action: Self.actionRecord(statement), rule: statement.text(Self.actionColumnCount) ?? "",
                        ruleDigest: statement.text(Self.actionColumnCount + 1) ?? "",
                        dryRun: statement.integer(Self.actionColumnCount + 2) == 1,
                        trigger: RunTrigger(rawValue: statement.text(Self.actionColumnCount + 3) ?? "") ?? .manual))
            }
        }
    }

    /// Walks the action log oldest first and checks every link and hash of the chain.
    ///
    /// Reports the first row whose `prev_hash` does not follow from the row before it (a row
    /// was removed or altered before it) or whose `hash` does not match its own content.
    public func verifyChain() throws -> ChainVerification {
        try withDatabase { database in
            let statement = try database.prepare("SELECT \(Self.actionColumns) FROM actions ORDER BY id")
            try statement.bind([])
            var expectedPrev = ActionChain.genesis
            var previousID: Int64?
            var count = 0
            var head = ActionChain.genesis
            while try statement.step() {
                let row = Self.actionRecord(statement)
                count += 1
                if row.prevHash != expectedPrev {
                    let before = previousID.map { "action \($0)" } ?? "the start of the log"
                    return ChainVerification(
                        rows: count, head: head,
                        firstBroken: BrokenLink(
                            actionID: row.id,
                            reason: "prev_hash does not follow from \(before): a row was removed or altered before this one"))
                }
                if row.hash != ActionChain.expectedHash(row) {
                    return ChainVerification(
                        rows: count, head: head,
                        firstBroken: BrokenLink(actionID: row.id, reason: "hash does not match the row's content: the row was altered"))
                }
                expectedPrev = ActionChain.intentDigest(row)
                previousID = row.id
                head = row.hash
            }
            return ChainVerification(rows: count, head: head, firstBroken: nil)
        }
    }
}
