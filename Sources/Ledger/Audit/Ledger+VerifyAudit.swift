import SQLite

extension Ledger {
    /// Recomputes the whole chain oldest first, checks that it covers every run and action,
    /// checks the per-action links, and looks for each of `expected` in it.
    ///
    /// Names the first chain row whose link or hash does not hold (a fact was altered, or a
    /// row inserted or removed before it), or the first fact without its chain row (inserted
    /// behind threadkeeper's back), or, for an expected head the chain does not reach or no
    /// longer contains, the first row that was cut or rewritten.
    public func verifyAudit(expecting expected: [ExpectedHead] = []) throws -> AuditVerification {
        // One read transaction: every query sees the same snapshot while a run appends beside it.
        try withDatabase { database in try database.transaction(immediate: false) { try verifyAudit(expected, database) } }
    }

    private func verifyAudit(_ expected: [ExpectedHead], _ database: SQLiteDatabase) throws -> AuditVerification {
        let actionLinks = try verifyChain()
        var walk = ChainWalk(expected: expected)
        let statement = try database.prepare("SELECT seq, kind, ref, note, prev_hash, hash FROM chain ORDER BY seq")
        try statement.bind([])
        while walk.firstBroken == nil, try statement.step() {
            try walk.check(
                seq: statement.integer(0) ?? 0, kind: statement.text(1) ?? "", ref: statement.integer(2) ?? 0,
                note: statement.text(3), prevHash: statement.text(4) ?? "", hash: statement.text(5) ?? "",
                ledger: self, database)
        }
        if walk.firstBroken == nil { walk.firstBroken = try uncoveredFact(database) }
        if walk.firstBroken == nil, let legacy = walk.legacy, legacy.lastAction > 0 {
            let row = try action(id: legacy.lastAction, database)
            if row.map(ActionChain.intentDigest) != legacy.lastIntent {
                walk.firstBroken = ChainBreak(
                    seq: 1, fact: "migration",
                    reason: "action \(legacy.lastAction), where the per-action links ended, is missing or its intent changed")
            }
        }
        return AuditVerification(
            head: walk.head, firstBroken: walk.firstBroken, legacy: walk.legacy, actionLinks: actionLinks,
            heads: walk.headChecks())
    }

    /// The first run or action whose record, intent, outcome or end has no chain row.
    private func uncoveredFact(_ database: SQLiteDatabase) throws -> ChainBreak? {
        let checks: [(sql: String, describe: (Int64) -> String, reason: String)] = [
            (
                "SELECT id FROM runs WHERE id NOT IN (SELECT ref FROM chain WHERE kind = 'run') ORDER BY id LIMIT 1",
                { "run \($0)" }, "the run has no chain row: it was inserted behind threadkeeper's back"
            ),
            (
                "SELECT id FROM actions WHERE id NOT IN (SELECT ref FROM chain WHERE kind = 'intent') ORDER BY id LIMIT 1",
                { "intent of action \($0)" }, "the action has no chain row: it was inserted behind threadkeeper's back"
            ),
            (
                "SELECT id FROM actions WHERE outcome IS NOT NULL AND id NOT IN (SELECT ref FROM chain WHERE kind = 'outcome') "
                    + "ORDER BY id LIMIT 1",
                { "outcome of action \($0)" }, "the outcome has no chain row: it was written behind threadkeeper's back"
            ),
            (
                "SELECT id FROM runs WHERE (finished_at IS NOT NULL OR status <> 'running') "
                    + "AND id NOT IN (SELECT ref FROM chain WHERE kind = 'end') ORDER BY id LIMIT 1",
                { "end of run \($0)" }, "the run's end has no chain row: it was written behind threadkeeper's back"
            ),
        ]
        for check in checks {
            if let id = try database.scalar(check.sql)?.integerValue {
                return ChainBreak(seq: nil, fact: check.describe(id), reason: check.reason)
            }
        }
        return nil
    }
}

/// The state of one pass over the chain, oldest row first.
private struct ChainWalk {
    var head = ChainHead(rows: 0, hash: AuditChain.genesis)
    var firstBroken: ChainBreak?
    var legacy: LegacyLinks?
    let expected: [ExpectedHead]
    /// For each expected head, the row whose recomputed hash it is.
    var found: [Int: Int64] = [:]
    /// For each expected head with a row count, the hash the chain has at that row.
    var hashAtRow: [Int: String] = [:]

    init(expected: [ExpectedHead]) {
        self.expected = expected
    }

    mutating func check(
        seq: Int64, kind kindText: String, ref: Int64, note: String?, prevHash: String, hash: String, ledger: Ledger,
        _ database: SQLiteDatabase
    ) throws {
        let kind = AuditChain.Kind(rawValue: kindText)
        let fact = kind.map { Self.describe($0, ref) } ?? "kind '\(kindText)'"
        func broken(_ reason: String) { firstBroken = ChainBreak(seq: seq, fact: fact, reason: reason) }
        guard seq == head.rows + 1 else {
            let missing = head.rows + 1
            firstBroken = ChainBreak(
                seq: missing, fact: "missing",
                reason: "the chain jumps from row \(head.rows) to row \(seq): row \(missing) was removed")
            return
        }
        guard prevHash == head.hash else {
            return broken("prev_hash does not follow from row \(head.rows): a chain row before it was removed, inserted or altered")
        }
        guard let kind else { return broken("unknown kind: the row was not written by threadkeeper") }
        let fields: [AuditChain.Field]
        switch kind {
        case .run, .end:
            guard
                let run = try database.rows("SELECT \(Ledger.runColumns) FROM runs WHERE id = ?", [.integer(ref)]).first
                    .map(Ledger.runRecord)
            else { return broken("runs row \(ref) is missing: it was removed") }
            fields = kind == .run ? AuditChain.runFields(run) : AuditChain.endFields(run)
        case .intent, .outcome:
            guard let action = try ledger.action(id: ref, database) else {
                return broken("actions row \(ref) is missing: it was removed")
            }
            fields = kind == .intent ? AuditChain.intentFields(action) : AuditChain.outcomeFields(action)
        case .migration:
            guard seq == 1, let note, let links = LegacyLinks(note: note) else {
                return broken("a migration row must be row 1 and say what it took over: the row was altered")
            }
            legacy = links
            fields = [.text(note)]
        }
        let expectedHash = AuditChain.hash(prevHash: prevHash, seq: seq, kind: kind, ref: ref, fields: fields)
        guard hash == expectedHash else {
            let table = kind == .run || kind == .end ? "runs" : kind == .migration ? "chain" : "actions"
            return broken("hash does not match the \(table) row as it is now: that row was altered")
        }
        head = ChainHead(rows: seq, hash: hash)
        for (index, head) in expected.enumerated() {
            if head.hash == hash { found[index] = seq }
            if head.rows == seq { hashAtRow[index] = hash }
        }
    }

    func headChecks() -> [HeadCheck] {
        expected.enumerated().map { index, head in
            var check = HeadCheck(expected: head, foundAt: found[index])
            if let rows = head.rows {
                if let broken = firstBroken, let seq = broken.seq, seq <= rows {
                    check.problem = "the chain breaks at row \(seq), before row \(rows) that \(head.source) names"
                } else if rows > self.head.rows {
                    check.problem =
                        "\(head.source) has the chain at \(rows) rows, the ledger has \(self.head.rows): "
                        + "rows \(self.head.rows + 1) to \(rows) were cut"
                } else if hashAtRow[index] != head.hash {
                    check.problem = "row \(rows) does not have the hash \(head.source) recorded: the chain was rewritten up to it"
                }
            } else if found[index] == nil {
                check.problem =
                    "no row of the chain has the hash \(head.source) gives: rows were cut or rewritten after it "
                    + "(the ledger's chain ends at row \(self.head.rows))"
            }
            return check
        }
    }

    static func describe(_ kind: AuditChain.Kind, _ ref: Int64) -> String {
        switch kind {
        case .run: "record of run \(ref)"
        case .end: "end of run \(ref)"
        case .intent: "intent of action \(ref)"
        case .outcome: "outcome of action \(ref)"
        case .migration: "migration"
        }
    }
}
