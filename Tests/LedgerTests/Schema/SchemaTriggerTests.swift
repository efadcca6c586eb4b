import TestSupport
import Testing

@testable import Ledger

struct SchemaTriggerTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    func ledgerWithOneAction() throws -> (TemporaryDirectory, Ledger) {
        let directory = self.directory
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"))
        try ledger.execute(
            """
            INSERT INTO runs (id, rule, rule_digest, rule_text, trigger, started_at) VALUES (1, 'r', 'd', 't', 'manual', 1);
            INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, prev_hash, hash)
                VALUES (1, 1, 'thread_a', 'delete', 'older than 30d', 5, 'p', 'h');
            """)
        return (directory, ledger)
    }

    @Test func actionsRefuseDelete() throws {
        let (_, ledger) = try ledgerWithOneAction()
        let error = try #require(throws: LedgerError.self) { try ledger.execute("DELETE FROM actions") }
        #expect(error.kind == .constraint)
        #expect(error.message.contains("append-only"))
        #expect(try ledger.rows("SELECT count(*) FROM actions") == [[.integer(1)]])
    }

    @Test func openActionTakesAnOutcomeOnceThenIsFinal() throws {
        let (_, ledger) = try ledgerWithOneAction()
        try ledger.execute("UPDATE actions SET outcome = 'ok', http_status = 200, settled_at = 6 WHERE id = 1")
        let error = try #require(throws: LedgerError.self) {
            try ledger.execute("UPDATE actions SET outcome = 'failed' WHERE id = 1")
        }
        #expect(error.message.contains("settled row cannot be changed"))
        #expect(try ledger.rows("SELECT outcome FROM actions") == [["ok"]])
    }

    @Test func openActionsIntentCannotBeRewritten() throws {
        let (_, ledger) = try ledgerWithOneAction()
        let error = try #require(throws: LedgerError.self) {
            try ledger.execute("UPDATE actions SET reason = 'because' WHERE id = 1")
        }
        #expect(error.kind == .constraint)
        #expect(try ledger.rows("SELECT reason FROM actions") == [["older than 30d"]])
    }

    @Test func runsRefuseDelete() throws {
        let (_, ledger) = try ledgerWithOneAction()
        #expect(throws: LedgerError.self) { try ledger.execute("DELETE FROM runs") }
    }

    @Test func metadataSideTableFollowsEveryWriter() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"))
        try ledger.save(ThreadRecord(id: "thread_a", createdAt: 1, metadata: ["tag": "support", "lang": "de"], firstSeen: 1))
        let side = "SELECT key, value FROM thread_metadata WHERE thread_id = 'thread_a' ORDER BY key"
        #expect(try ledger.rows(side) == [["lang", "de"], ["tag", "support"]])
        // An auditor's or operator's direct UPDATE keeps the side table in step too.
        try ledger.execute(#"UPDATE threads SET metadata = '{"tag":"sales"}' WHERE id = 'thread_a'"#)
        #expect(try ledger.rows(side) == [["tag", "sales"]])
        try ledger.updateMetadata(threadID: "thread_a", metadata: [:], syncedAt: 9)
        #expect(try ledger.rows(side) == [])
        #expect(try ledger.thread(id: "thread_a")?.lastSynced == 9)
    }

    @Test func metadataMustBeAJSONObject() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"))
        #expect(throws: LedgerError.self) {
            try ledger.execute(
                "INSERT INTO threads (id, created_at, metadata, source, first_seen) VALUES ('t', 1, '[1]', 'import', 1)")
        }
    }
}
