import SQLite
import TestSupport
import Testing

@testable import Ledger

struct AuditChainTests {
    let directory = TemporaryDirectory()

    /// Two runs: run 1 deletes three threads (two settle ok, one fails) and finishes; run 2
    /// records two intents, settles one and finishes. Chain rows, in order:
    /// 1 run 1, 2-4 intents 1-3, 5-7 outcomes 1-3, 8 end 1, 9 run 2, 10-11 intents 4-5,
    /// 12 outcome 4, 13 end 2.
    func ledgerWithTwoRuns() throws -> Ledger {
        let clock = ManualClock(100)
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: clock.now)
        let first = try ledger.beginRun(RunsTests.start, matched: 3)
        let ids = try ledger.recordIntents(
            runID: first, (1...3).map { ActionIntent(threadID: "thread_\($0)", action: "delete", reason: "older than 30d") })
        clock.advance(2)
        try ledger.settle([
            ActionSettlement(actionID: ids[0], outcome: .ok, httpStatus: 200, requestID: "req_1", threadState: .deleted),
            ActionSettlement(actionID: ids[1], outcome: .ok, httpStatus: 200, requestID: "req_2", threadState: .deleted),
            ActionSettlement(actionID: ids[2], outcome: .failed, httpStatus: 500, attempts: 3, error: "server error"),
        ])
        try ledger.finishRun(id: first, status: .completed)
        clock.advance(60)
        let second = try ledger.beginRun(RunsTests.start, matched: 2)
        let more = try ledger.recordIntents(
            runID: second, [4, 5].map { ActionIntent(threadID: "thread_\($0)", action: "delete", reason: "older than 30d") })
        try ledger.settle([ActionSettlement(actionID: more[0], outcome: .gone, httpStatus: 404)])
        try ledger.finishRun(id: second, status: .completed)
        return ledger
    }

    @Test func everyFactIsChainedInTheOrderWritten() throws {
        let ledger = try ledgerWithTwoRuns()
        let rows = try ledger.rows("SELECT seq, kind, ref FROM chain ORDER BY seq").map {
            "\($0[1].textValue ?? "")\($0[2].integerValue ?? -1)"
        }
        #expect(
            rows == [
                "run1", "intent1", "intent2", "intent3", "outcome1", "outcome2", "outcome3", "end1", "run2", "intent4",
                "intent5", "outcome4", "end2",
            ])
        let result = try ledger.verifyAudit()
        #expect(result.isIntact)
        #expect(result.firstBroken == nil)
        #expect(result.legacy == nil)
        #expect(result.head == (try ledger.chainHead()))
        #expect(result.head.rows == 13)
        let last = try ledger.rows("SELECT hash FROM chain WHERE seq = 13")
        #expect(result.head.hash == last.first?.first?.textValue)
    }

    @Test func theLineIsHexFieldsAnAuditorCanRebuild() {
        let line = AuditChain.line(
            prevHash: AuditChain.genesis, seq: 1, kind: .outcome, ref: 7,
            fields: [.text("ok"), .integer(200), .text(nil), .integer(1), .text(""), .integer(nil)])
        #expect(line == "threadkeeper-chain-v1|\(AuditChain.genesis)|1|outcome|7|6f6b|200|-|1||-")
        #expect(AuditChain.hexUTF8("é|\n") == "c3a97c0a")
        // sha256sum of the same bytes, fixed here so the format cannot drift unnoticed.
        #expect(
            SHA256.hex(of: "threadkeeper-chain-v1|\(AuditChain.genesis)|1|outcome|7|6f6b|200|-|1||-")
                == AuditChain.hash(
                    prevHash: AuditChain.genesis, seq: 1, kind: .outcome, ref: 7,
                    fields: [.text("ok"), .integer(200), .text(nil), .integer(1), .text(""), .integer(nil)]))
    }

    @Test func anOutcomeRewrittenWithItsHashesRecomputedIsNamed() throws {
        let ledger = try ledgerWithTwoRuns()
        let before = try ledger.verifyAudit()
        // The attack of issue 15: drop the guard, turn an ok deletion into a skip, and make
        // the per-action links fit again.
        try ledger.execute("DROP TRIGGER actions_settled_is_final")
        var row = try #require(try ledger.actions(runID: 1).first { $0.id == 2 })
        row.outcome = .skipped
        row.error = "hold found"
        let forged = ActionChain.expectedHash(row)
        try ledger.execute(
            "UPDATE actions SET outcome = 'skipped', error = 'hold found', hash = '\(forged)' WHERE id = 2")
        #expect(try ledger.verifyChain().isIntact, "the per-action links alone do not see it")
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 6)
        #expect(result.firstBroken?.fact == "outcome of action 2")
        #expect(result.firstBroken?.reason.contains("altered") == true)
        #expect(!result.isIntact)
        // The chain head before the rewrite no longer verifies either.
        let checked = try ledger.verifyAudit(expecting: [ExpectedHead(source: "--head", hash: before.head.hash)])
        #expect(checked.heads.first?.problem != nil)
    }

    @Test func anOutcomeWhoseChainRowIsAlsoRewrittenBreaksTheNextLink() throws {
        let ledger = try ledgerWithTwoRuns()
        try ledger.execute("DROP TRIGGER actions_settled_is_final; DROP TRIGGER chain_no_update")
        try ledger.execute("UPDATE actions SET outcome = 'skipped' WHERE id = 2")
        var row = try #require(try ledger.actions(runID: 1).first { $0.id == 2 })
        row.outcome = .skipped
        let prev = try #require(try ledger.rows("SELECT hash FROM chain WHERE seq = 5").first?.first?.textValue)
        let forged = AuditChain.hash(prevHash: prev, seq: 6, kind: .outcome, ref: 2, fields: AuditChain.outcomeFields(row))
        try ledger.execute("UPDATE chain SET hash = '\(forged)' WHERE seq = 6")
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 7)
        #expect(result.firstBroken?.reason.contains("prev_hash does not follow from row 6") == true)
    }

    @Test func aRewrittenRunRowIsNamed() throws {
        let ledger = try ledgerWithTwoRuns()
        try ledger.execute(
            "DROP TRIGGER runs_record_is_final; DROP TRIGGER runs_end_is_final; UPDATE runs SET rule_text = '[Rule]\nAction=report\n' WHERE id = 2"
        )
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 9)
        #expect(result.firstBroken?.fact == "record of run 2")
    }

    @Test func aRewrittenRunEndIsNamed() throws {
        let ledger = try ledgerWithTwoRuns()
        try ledger.execute("DROP TRIGGER runs_end_is_final; UPDATE runs SET failed = 0 WHERE id = 1")
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 8)
        #expect(result.firstBroken?.fact == "end of run 1")
    }

    @Test func anInsertedActionIsNamed() throws {
        let ledger = try ledgerWithTwoRuns()
        // A row that fits the per-action links perfectly, written with the sqlite3 shell.
        let last = try #require(try ledger.actions(runID: 2).last)
        let digest = ActionChain.intentDigest(
            prevHash: ActionChain.intentDigest(last), id: 6, runID: 2, threadID: "thread_x", action: "delete", reason: "r",
            intentAt: 200)
        try ledger.execute(
            """
            INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, attempts, prev_hash, hash)
            VALUES (6, 2, 'thread_x', 'delete', 'r', 200, 0, '\(ActionChain.intentDigest(last))', '\(digest)')
            """)
        #expect(try ledger.verifyChain().isIntact)
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == nil)
        #expect(result.firstBroken?.fact == "intent of action 6")
        #expect(result.firstBroken?.reason.contains("inserted") == true)
    }

    @Test func anInsertedChainRowIsNamed() throws {
        let ledger = try ledgerWithTwoRuns()
        try ledger.execute("DROP TRIGGER chain_no_update")
        // Make room after row 4 and put a row there: the one after it no longer links.
        try ledger.execute("UPDATE chain SET seq = seq + 100 WHERE seq > 4; UPDATE chain SET seq = seq - 99 WHERE seq > 100")
        let prev = try #require(try ledger.rows("SELECT hash FROM chain WHERE seq = 4").first?.first?.textValue)
        let fields = AuditChain.runFields(try #require(try ledger.run(id: 1)))
        let hash = AuditChain.hash(prevHash: prev, seq: 5, kind: .run, ref: 1, fields: fields)
        try ledger.execute("DROP INDEX chain_by_fact")
        try ledger.execute("INSERT INTO chain VALUES (5, 'run', 1, NULL, '\(prev)', '\(hash)')")
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 6)
        #expect(result.firstBroken?.reason.contains("prev_hash does not follow from row 5") == true)
    }

    @Test func cutRowsAreNamedAgainstTheHeadWrittenElsewhere() throws {
        let ledger = try ledgerWithTwoRuns()
        let written = try ledger.chainHead()
        // Remove run 2 whole: its chain rows, its actions and its runs row.
        try ledger.execute(
            """
            DROP TRIGGER chain_no_delete; DROP TRIGGER actions_no_delete; DROP TRIGGER runs_no_delete;
            DELETE FROM chain WHERE seq > 8; DELETE FROM actions WHERE run_id = 2; DELETE FROM runs WHERE id = 2;
            """)
        let alone = try ledger.verifyAudit()
        #expect(alone.isIntact, "a clean cut leaves a chain that holds by itself")
        #expect(alone.head.rows == 8)

        let result = try ledger.verifyAudit(expecting: [
            ExpectedHead(source: "the journal (run 2)", rows: written.rows, hash: written.hash),
            ExpectedHead(source: "--head", hash: written.hash),
        ])
        #expect(!result.isIntact)
        #expect(result.heads[0].problem == "the journal (run 2) has the chain at 13 rows, the ledger has 8: rows 9 to 13 were cut")
        #expect(result.heads[1].foundAt == nil)
        #expect(result.heads[1].problem?.contains("ends at row 8") == true)
    }

    @Test func aCutOfChainRowsAloneIsNamedByTheFactsLeftUncovered() throws {
        let ledger = try ledgerWithTwoRuns()
        try ledger.execute("DROP TRIGGER chain_no_delete; DELETE FROM chain WHERE seq > 11")
        let result = try ledger.verifyAudit()
        #expect(result.firstBroken?.fact == "outcome of action 4")
        #expect(result.firstBroken?.seq == nil)
    }

    @Test func aHeadStillInTheChainMatches() throws {
        let ledger = try ledgerWithTwoRuns()
        let head = try ledger.chainHead()
        _ = try ledger.beginRun(RunsTests.start)
        let result = try ledger.verifyAudit(expecting: [
            ExpectedHead(source: "the journal", rows: head.rows, hash: head.hash.uppercased()),
            ExpectedHead(source: "--head", hash: head.hash),
        ])
        #expect(result.isIntact)
        #expect(result.heads.map(\.foundAt) == [13, 13])
        #expect(result.head.rows == 14)
    }

    @Test func theTriggersKeepTheChainAndFinishedRunsAppendOnly() throws {
        let ledger = try ledgerWithTwoRuns()
        for sql in [
            "UPDATE chain SET hash = 'x' WHERE seq = 1", "DELETE FROM chain WHERE seq = 13",
            "UPDATE runs SET rule_text = 'x' WHERE id = 1", "UPDATE runs SET failed = 0 WHERE id = 1",
        ] {
            let error = try #require(throws: LedgerError.self) { try ledger.execute(sql) }
            #expect(error.message.contains("append-only"))
        }
        #expect(throws: LedgerError.self) { try ledger.finishRun(id: 1, status: .failed) }
        #expect(try ledger.verifyAudit().isIntact)
    }

    /// A schema 2 ledger with one finished run (two settled actions) and one run left running
    /// with an open action, written as schema 2 wrote them.
    func legacyLedger() throws -> String {
        let path = directory.file("legacy.sqlite3")
        let database = try SQLiteDatabase(path: path)
        try database.execute(Migrations.version1.sql)
        try database.execute(Migrations.version2.sql)
        try database.execute("PRAGMA user_version = 2")
        try database.execute(
            """
            INSERT INTO runs (id, rule, rule_digest, rule_text, trigger, dry_run, started_at, finished_at, status, matched, done)
            VALUES (1, 'old', 'd1', '[Rule]', 'manual', 0, 10, 20, 'completed', 2, 2),
                   (2, 'old', 'd1', '[Rule]', 'schedule', 0, 30, NULL, 'running', 1, 0)
            """)
        var prev = ActionChain.genesis
        for (id, run, settled) in [(Int64(1), Int64(1), true), (2, 1, true), (3, 2, false)] {
            let intent = ActionChain.intentDigest(
                prevHash: prev, id: id, runID: run, threadID: "thread_\(id)", action: "delete", reason: "old", intentAt: 15)
            let hash =
                settled
                ? ActionChain.settledHash(
                    intentDigest: intent, outcome: "ok", httpStatus: 200, requestID: nil, attempts: 1, error: nil, settledAt: 16)
                : intent
            let outcome = settled ? "'ok', 200, 1, 16" : "NULL, NULL, 0, NULL"
            try database.execute(
                """
                INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, outcome, http_status, attempts, settled_at,
                    prev_hash, hash)
                VALUES (\(id), \(run), 'thread_\(id)', 'delete', 'old', 15, \(outcome), '\(prev)', '\(hash)')
                """)
            prev = intent
        }
        return path
    }

    @Test func aSchema2LedgerKeepsVerifyingAndTheChainStartsWhereItsLinksEnd() throws {
        let path = try legacyLedger()
        let ledger = try Ledger(path: path, now: { 50 })
        let rows = try ledger.rows("SELECT kind, ref FROM chain ORDER BY seq").map {
            "\($0[0].textValue ?? "")\($0[1].integerValue ?? -1)"
        }
        #expect(rows == ["migration3", "run1", "run2", "intent1", "outcome1", "intent2", "outcome2", "intent3", "end1"])
        var result = try ledger.verifyAudit()
        #expect(result.isIntact)
        #expect(result.legacy?.runs == 2)
        #expect(result.legacy?.actions == 3)
        #expect(result.legacy?.lastAction == 3)
        #expect(result.actionLinks.rows == 3)

        // The open action settles and the run ends after the migration: both are chained then,
        // and new actions keep linking to the old ones.
        try ledger.settle([ActionSettlement(actionID: 3, outcome: .failed, error: "timeout")])
        try ledger.finishRun(id: 2, status: .interrupted)
        let run = try ledger.beginRun(RunsTests.start)
        try ledger.recordIntents(runID: run, [ActionIntent(threadID: "thread_9", action: "delete", reason: "r")])
        result = try ledger.verifyAudit()
        #expect(result.isIntact)
        #expect(result.head.rows == 13)
        #expect(result.actionLinks.rows == 4)

        // Rewriting an action written before the migration shows too.
        try ledger.execute("DROP TRIGGER actions_settled_is_final; UPDATE actions SET outcome = 'gone' WHERE id = 1")
        result = try ledger.verifyAudit()
        #expect(result.firstBroken?.seq == 5)
        #expect(result.firstBroken?.fact == "outcome of action 1")
    }
}
