import TestSupport
import Testing

@testable import Ledger

struct ActionChainTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    /// A ledger with five actions, the first three settled.
    func ledgerWithChain() throws -> (TemporaryDirectory, Ledger) {
        let clock = ManualClock(10)
        let directory = self.directory
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: clock.now)
        let runID = try ledger.beginRun(RunsTests.start)
        let ids = try ledger.recordIntents(
            runID: runID, (1...5).map { ActionIntent(threadID: "thread_\($0)", action: "delete", reason: "older than 30d") })
        clock.advance(1)
        try ledger.settle(ids.prefix(3).map { ActionSettlement(actionID: $0, outcome: .ok, httpStatus: 200) })
        return (directory, ledger)
    }

    @Test func intactChainVerifiesAndLinksRows() throws {
        let (_, ledger) = try ledgerWithChain()
        let result = try ledger.verifyChain()
        #expect(result == ChainVerification(rows: 5, head: result.head, firstBroken: nil))
        let hashes = try ledger.rows("SELECT prev_hash, hash FROM actions ORDER BY id")
        #expect(hashes[0][0] == .text(ActionChain.genesis))
        // An open row's hash is its intent digest, which the next row links to.
        #expect(hashes[4][0] == hashes[3][1])
        #expect(hashes[3][1] != hashes[2][1])
        #expect(result.head == hashes[4][1].textValue)
    }

    @Test func emptyLogVerifies() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"))
        #expect(try ledger.verifyChain() == ChainVerification(rows: 0, head: ActionChain.genesis, firstBroken: nil))
    }

    @Test func alteredSettledOutcomeIsNamed() throws {
        let (_, ledger) = try ledgerWithChain()
        // An attacker with the sqlite3 shell drops the guard and rewrites history.
        try ledger.execute("DROP TRIGGER actions_settled_is_final; UPDATE actions SET outcome = 'gone' WHERE id = 2")
        let result = try ledger.verifyChain()
        #expect(result.firstBroken?.actionID == 2)
        #expect(result.firstBroken?.reason.contains("altered") == true)
    }

    @Test func alteredReasonWithRecomputedHashIsCaughtByTheNextLink() throws {
        let (_, ledger) = try ledgerWithChain()
        try ledger.execute("DROP TRIGGER actions_settled_is_final; DROP TRIGGER actions_intent_is_final")
        // Rewrite row 2's reason and give it a hash that fits its new content.
        var row = try #require(try ledger.actions(runID: 1).first { $0.id == 2 })
        row.reason = "nothing to see"
        let forged = ActionChain.expectedHash(row)
        try ledger.execute("UPDATE actions SET reason = 'nothing to see', hash = '\(forged)' WHERE id = 2")
        let result = try ledger.verifyChain()
        #expect(result.firstBroken?.actionID == 3)
        #expect(result.firstBroken?.reason.contains("action 2") == true)
    }

    @Test func removedRowIsNamedByTheRowAfterIt() throws {
        let (_, ledger) = try ledgerWithChain()
        try ledger.execute("DROP TRIGGER actions_no_delete; DELETE FROM actions WHERE id = 4")
        let result = try ledger.verifyChain()
        #expect(result.firstBroken?.actionID == 5)
        #expect(result.firstBroken?.reason.contains("removed") == true)
    }

    @Test func newIntentsContinueTheChainAfterSettledRows() throws {
        let (_, ledger) = try ledgerWithChain()
        try ledger.settle([ActionSettlement(actionID: 5, outcome: .skipped, error: "hold")])
        try ledger.recordIntents(runID: 1, [ActionIntent(threadID: "thread_9", action: "delete", reason: "r")])
        #expect(try ledger.verifyChain() == ChainVerification(rows: 6, head: try ledger.verifyChain().head, firstBroken: nil))
    }
}
