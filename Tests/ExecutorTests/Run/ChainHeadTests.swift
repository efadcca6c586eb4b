import Foundation
import Journal
import Ledger
import Testing

@testable import Executor

/// Every way a run ends leaves the ledger's chain head in the journal, as the ledger has it then.
struct ChainHeadTests {
    /// The newest chain-head entry, checked against the ledger's head and the run.
    static func expectHead(_ harness: ExecutorHarness, run: Int64?, entries: Int) throws {
        let heads = harness.logs.entries(withID: .chainHead)
        #expect(heads.count == entries)
        let entry = try #require(heads.last)
        let head = try harness.ledger.chainHead()
        #expect(entry.metadata["chain_rows"] == String(head.rows))
        #expect(entry.metadata["chain_head"] == head.hash)
        #expect(entry.metadata["run"] == run.map(String.init))
        #expect(entry.metadata["ledger"] == harness.ledger.resolvedPath)
        #expect(entry.metadata["ledger"]?.hasPrefix("/") == true)
        #expect(entry.level == .notice)
    }

    @Test func completedDryAndRefusedRunsEachWriteTheHead() async throws {
        let harness = try await ExecutorHarness()
        for index in 0..<10 { try await harness.thread(ageDays: index < 2 ? 50 : 1, metadata: ["tag": "support"]) }
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n")

        let dry = try await harness.executor().run(RunRequest(rule: rule, dryRun: true))
        try Self.expectHead(harness, run: dry.runID, entries: 1)
        #expect(try harness.ledger.chainHead().rows == 2, "a dry run is a record and an end")

        let done = try await harness.executor().run(RunRequest(rule: rule))
        #expect(done.counts.done == 2)
        try Self.expectHead(harness, run: done.runID, entries: 2)
        #expect(try harness.ledger.chainHead().rows == 2 + 1 + 2 + 2 + 1)

        let wide = try harness.rule("wide", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=1h\n\n[Limits]\nMaxFraction=25%\n")
        let refused = try await harness.executor().run(RunRequest(rule: wide))
        guard case .refused = refused.end else {
            Issue.record("expected a refusal, got \(refused.end)")
            return
        }
        try Self.expectHead(harness, run: refused.runID, entries: 3)
        #expect(try harness.ledger.verifyAudit().isIntact)
        await harness.stop()
    }

    @Test func aRunLeftRunningIsSettledAndWritesTheHead() async throws {
        let harness = try await ExecutorHarness()
        let id = try await harness.thread(ageDays: 50)
        // What a crash leaves: a run still running with an open intent.
        let run = try harness.ledger.beginRun(RunStart(rule: "old", ruleDigest: "d", ruleText: "t", trigger: .schedule))
        try harness.ledger.recordIntents(runID: run, [ActionIntent(threadID: id, action: "delete", reason: "old")])
        let reconciled = try await harness.executor().reconcile()
        #expect(reconciled == 1)
        try Self.expectHead(harness, run: run, entries: 1)
        #expect(try harness.ledger.run(id: run)?.status == .interrupted)
        #expect(try harness.ledger.verifyAudit().isIntact)
        await harness.stop()
    }

    /// A `create` interrupted after its intent has no id to ask about: it is `failed`, saying a
    /// thread may exist, and the API is not called.
    @Test func anOpenCreateIsFailedWithoutACallSayingAThreadMayExist() async throws {
        let harness = try await ExecutorHarness()
        let run = try harness.ledger.beginRun(
            RunStart(rule: "manual", ruleDigest: "d", ruleText: "threadkeeper create", trigger: .manual))
        let action = try harness.ledger.recordIntents(
            runID: run, [ActionIntent(threadID: "", action: "create", reason: "manual: threadkeeper create")])[0]
        let before = await harness.server.stats().totalRequests
        #expect(try await harness.executor().reconcile() == 1)
        #expect(await harness.server.stats().totalRequests == before)
        let settled = try #require(try harness.ledger.actions(runID: run).first { $0.id == action })
        #expect(settled.outcome == .failed)
        #expect(settled.error?.contains("a thread may exist that the ledger does not know") == true)
        #expect(try harness.ledger.run(id: run)?.status == .interrupted)
        #expect(try harness.ledger.verifyAudit().isIntact)
        await harness.stop()
    }
}
