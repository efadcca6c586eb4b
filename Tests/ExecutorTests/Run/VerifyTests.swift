import Foundation
import Ledger
import TestSupport
import Testing

@testable import Executor

struct VerifyTests {
    @Test func freshMetadataDecidesAndIsRecorded() async throws {
        let harness = try await ExecutorHarness()
        // The ledger's copy is stale for each of these: the API knows better.
        let heldSince = try await harness.thread(
            ageDays: 60, metadata: ["tag": "support", "legal_hold": "case-9"], ledgerMetadata: ["tag": "support"])
        let retagged = try await harness.thread(ageDays: 60, metadata: ["tag": "sales"], ledgerMetadata: ["tag": "support"])
        let goneMeanwhile = try await harness.thread(ageDays: 60, metadata: ["tag": "support"])
        let normal = try await harness.thread(ageDays: 60, metadata: ["tag": "support"])
        // Someone else deletes one at the API; the ledger still says live.
        let other = try harness.client()
        _ = try await other.deleteThread(goneMeanwhile)

        let rule = try harness.rule("support", ActionTests.deleteRule)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 1 && report.counts.skipped == 2 && report.counts.gone == 1)
        let rows = try harness.ledger.rows(
            "SELECT thread_id, outcome, coalesce(error, '') FROM actions WHERE run_id = ?", [.integer(report.runID ?? -1)])
        let byThread = Dictionary(uniqueKeysWithValues: rows.map { ($0[0].textValue!, ($0[1].textValue!, $0[2].textValue!)) })
        #expect(byThread[heldSince]?.0 == "skipped")
        #expect(byThread[heldSince]?.1.contains("Hold=legal_hold") == true)
        #expect(byThread[retagged]?.0 == "skipped")
        #expect(byThread[retagged]?.1.contains("Metadata=tag=support") == true)
        #expect(byThread[goneMeanwhile]?.0 == "gone")
        #expect(byThread[normal]?.0 == "ok")
        #expect(await harness.server.threadIsLive(heldSince))
        #expect(await harness.server.threadIsLive(retagged))
        // The fresh metadata replaced the stale copy; the thread seen gone is marked so.
        #expect(try harness.ledger.thread(id: heldSince)?.metadata["legal_hold"] == "case-9")
        #expect(try harness.state(goneMeanwhile) == .gone)
        #expect(try harness.state(normal) == .deleted)
        await harness.stop()
    }

    @Test func verifyNeverAndStaleSkipTheGet() async throws {
        let harness = try await ExecutorHarness()
        for _ in 0..<4 { try await harness.thread(ageDays: 60) }
        let never = try harness.rule("never", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=never\n")
        let first = try await harness.executor().run(RunRequest(rule: never, limit: 2))
        #expect(first.counts.done == 2)
        var stats = await harness.server.stats()
        // Only the probe before the first DELETE.
        #expect(stats.requestsByMethod["GET"] == 1)
        #expect(stats.requestsByMethod["DELETE"] == 2)

        // Stale: one thread synced a minute ago is trusted, the other (never synced) is checked.
        let remaining = try harness.ledger.threads(matching: .state(.live), limit: 10)
        try harness.ledger.updateMetadata(threadID: remaining[0].id, metadata: [:], syncedAt: ExecutorHarness.now - 60)
        let stale = try harness.rule(
            "stale", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=stale\nVerifyWindow=1h\n")
        let second = try await harness.executor().run(RunRequest(rule: stale))
        #expect(second.counts.done == 2)
        stats = await harness.server.stats()
        // The second run's probe and its one stale thread.
        #expect(stats.requestsByMethod["GET"] == 3)
        await harness.stop()
    }
}
