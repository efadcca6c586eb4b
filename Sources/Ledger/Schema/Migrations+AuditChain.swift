import SQLite

extension Migrations {
    static let version3 = Migration(
        version: 3, name: "one hash chain over runs, intents and outcomes",
        sql: """
            -- One row per fact, in the order written: a run's record, an intent, an outcome, a run's
            -- end. The format is in docs/AUDIT.md; Sources/Ledger/Audit/AuditChain.swift computes it.
            CREATE TABLE chain (
                seq       INTEGER PRIMARY KEY,
                kind      TEXT NOT NULL CHECK (kind IN ('run', 'intent', 'outcome', 'end', 'migration')),
                -- runs.id for run and end, actions.id for intent and outcome
                ref       INTEGER NOT NULL,
                -- only on the migration row: what the per-action links of schema 2 covered
                note      TEXT,
                prev_hash TEXT NOT NULL,
                hash      TEXT NOT NULL
            );
            -- Each fact is chained once.
            CREATE UNIQUE INDEX chain_by_fact ON chain (kind, ref);
            CREATE TRIGGER chain_no_update BEFORE UPDATE ON chain BEGIN
                SELECT RAISE(ABORT, 'chain is append-only: a row cannot be changed');
            END;
            CREATE TRIGGER chain_no_delete BEFORE DELETE ON chain BEGIN
                SELECT RAISE(ABORT, 'chain is append-only: a row cannot be deleted');
            END;

            -- A run's record is written once, its end once.
            CREATE TRIGGER runs_record_is_final BEFORE UPDATE ON runs
            WHEN new.id IS NOT old.id OR new.rule IS NOT old.rule OR new.rule_digest IS NOT old.rule_digest
                OR new.rule_text IS NOT old.rule_text OR new.trigger IS NOT old.trigger OR new.dry_run IS NOT old.dry_run
                OR new.started_at IS NOT old.started_at
            BEGIN
                SELECT RAISE(ABORT, 'runs is append-only: a run''s record cannot be changed');
            END;
            CREATE TRIGGER runs_end_is_final BEFORE UPDATE ON runs WHEN old.finished_at IS NOT NULL BEGIN
                SELECT RAISE(ABORT, 'runs is append-only: a finished run cannot be changed');
            END;
            """,
        apply: chainExistingRows)

    /// Puts what schema 2 recorded into the new chain, so it is covered from the migration on.
    ///
    /// The first row (`migration`) says where the per-action links of schema 2 end: its note
    /// holds the number of runs and actions before it and the intent digest of the last action
    /// (the `prev_hash` the next action links to). Then come the existing runs' records (by id),
    /// the actions' intents and, when settled, outcomes (by id), and the finished runs' ends
    /// (by id). Facts written after the migration are chained as they are written.
    @Sendable static func chainExistingRows(_ database: SQLiteDatabase) throws {
        let runs = try database.rows("SELECT \(Ledger.runColumns) FROM runs ORDER BY id").map(Ledger.runRecord)
        let actionCount = try database.scalar("SELECT count(*) FROM actions")?.integerValue ?? 0
        guard !runs.isEmpty || actionCount > 0 else { return }
        let lastStatement = try database.prepare("SELECT \(Ledger.actionColumnsBeforeObjects) FROM actions ORDER BY id DESC LIMIT 1")
        try lastStatement.bind([])
        let last = try lastStatement.step() ? Ledger.actionRecord(lastStatement, hasObject: false) : nil
        let note = LegacyLinks(
            runs: Int64(runs.count), actions: actionCount, lastAction: last?.id ?? 0,
            lastIntent: last.map(ActionChain.intentDigest) ?? ActionChain.genesis
        ).note
        var chain = try ChainAppender(database)
        try chain.append(.migration, ref: last?.id ?? 0, fields: [.text(note)], note: note, database)
        for run in runs { try chain.appendRun(run, database) }
        // Streamed, as a ledger may hold millions of actions; reading `actions` while inserting
        // into `chain` on the same connection is fine, the inserts never touch the table read.
        let statement = try database.prepare("SELECT \(Ledger.actionColumnsBeforeObjects) FROM actions ORDER BY id")
        try statement.bind([])
        while try statement.step() {
            let action = Ledger.actionRecord(statement, hasObject: false)
            try chain.appendIntent(action, database)
            if action.outcome != nil { try chain.appendOutcome(action, database) }
        }
        for run in runs where run.finishedAt != nil || run.status != .running { try chain.appendEnd(run, database) }
    }
}
