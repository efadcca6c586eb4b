import Emulator
import Foundation
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

struct FaultTests {
    static let rule = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n"

    @Test func aWrongBaseURLStopsAtTheProbeAndLeavesEveryThreadLive() async throws {
        let harness = try await ExecutorHarness()
        var ids: [String] = []
        for _ in 0..<120 { ids.append(try await harness.thread(ageDays: 60)) }
        let rule = try harness.rule("old", Self.rule)
        // A base URL with a path the emulator does not serve: every call answers 404 Invalid URL.
        let client = try harness.client(baseURL: harness.server.baseURL + "/v9")
        do {
            _ = try await harness.executor(client: client).run(RunRequest(rule: rule))
            Issue.record("expected the probe to stop the run")
        } catch ExecutorError.probeFailed(let error) {
            #expect(error.status == 404)
            #expect(error.kind == .notTheAPI)
            #expect(error.message.contains("BaseURL="))
        }
        for id in ids {
            #expect(try harness.state(id) == .live)
            #expect(await harness.server.threadIsLive(id))
        }
        let run = try #require(try harness.ledger.recentRuns(limit: 1).first)
        #expect(run.status == .aborted)
        #expect(harness.logs.entries(withID: .runAborted).count == 1)
        #expect(try harness.ledger.openIntents().isEmpty)
        // The probe is the only call: nothing that changes anything was sent.
        #expect(await harness.server.stats().totalRequests == 1)
        await harness.stop()
    }

    @Test func aRefusedKeyStopsTheRunAtTheProbe() async throws {
        let harness = try await ExecutorHarness(apiKey: "sk-right")
        for _ in 0..<30 { try await harness.thread(ageDays: 60) }
        let rule = try harness.rule("old", Self.rule)
        do {
            _ = try await harness.executor(client: try harness.client(key: "sk-wrong")).run(RunRequest(rule: rule))
            Issue.record("expected the probe to stop the run")
        } catch ExecutorError.probeFailed(let error) {
            #expect(error.status == 401)
            #expect(!error.description.contains("sk-wrong"))
        }
        #expect(await harness.server.liveThreadIDs().count == 30)
        #expect(try harness.ledger.count(matching: .state(.live)) == 30)
        #expect(await harness.server.stats().totalRequests == 1)
        await harness.stop()
    }

    @Test func serverErrorsAreRetriedAndNeverTripTheBreaker() async throws {
        let harness = try await ExecutorHarness(faults: EmulatorFaults(failRate: 0.3))
        for _ in 0..<40 { try await harness.thread(ageDays: 60) }
        let rule = try harness.rule("old", Self.rule)
        let client = try ThreadsClient(
            configuration: APIConfiguration(
                provider: .custom, baseURL: harness.server.baseURL, requestsPerSecond: 2_000, burst: 50, concurrency: 8,
                maxAttempts: 10, retryDeadline: 600),
            // Retries, not deadlines, are under test: the deadline outlasts any stall of the test
            // process, whose cooperative threads the blocking tests beside this one hold at times.
            key: try APIKey("sk-test"), retryPolicy: RetryPolicy(maxAttempts: 10, baseDelay: 0.001, maxDelay: 0.01, deadline: 600))
        let report = try await harness.executor(client: client).run(RunRequest(rule: rule))
        #expect(report.end == .completed)
        #expect(report.counts.done + report.counts.gone == 40)
        #expect(await harness.server.liveThreadIDs().isEmpty)
        await harness.stop()
    }

    @Test func aStopFinishesTheCallsInFlightAndRecordsEveryOutcome() async throws {
        let harness = try await ExecutorHarness(faults: EmulatorFaults(latencyMilliseconds: 40))
        var ids: [String] = []
        for _ in 0..<300 { ids.append(try await harness.thread(ageDays: 60)) }
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=never\n")
        let control = RunControl(grace: 5)
        let executor = try harness.executor(concurrency: 4)
        let report = try await executor.run(RunRequest(rule: rule), control: control) { progress in
            if progress.settled >= 20 { control.requestStop(.terminate) }
        }
        #expect(report.end == .stopped(.terminate))
        #expect(report.leftOpen == 0)
        #expect(try harness.ledger.openIntents().isEmpty)
        let deletedAtAPI = Set(ids).subtracting(await harness.server.liveThreadIDs())
        let deletedInLedger = try Set(ids.filter { try harness.state($0) == .deleted })
        #expect(deletedAtAPI == deletedInLedger)
        #expect(deletedAtAPI.count >= 20 && deletedAtAPI.count < 300)
        #expect(report.counts.done == deletedAtAPI.count)
        #expect(try harness.ledger.run(id: report.runID ?? -1)?.status == .aborted)
        await harness.stop()
    }

    @Test func aLedgerThatRefusesWritesStopsTheRunBeforeTheNextCall() async throws {
        let harness = try await ExecutorHarness()
        for _ in 0..<100 { try await harness.thread(ageDays: 60) }
        // Stand-in for a full disk: intents beyond the 40th are refused.
        try harness.ledger.execute(
            """
            CREATE TRIGGER test_full BEFORE INSERT ON actions WHEN (SELECT count(*) FROM actions) >= 40
            BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
            """)
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=never\n")
        await #expect(throws: ExecutorError.self) {
            try await harness.executor().run(RunRequest(rule: rule))
        }
        let stats = await harness.server.stats()
        // Only threads whose intent was written were called.
        #expect(stats.requestsByMethod["DELETE"] == 32)
        #expect(try harness.ledger.count(matching: .state(.deleted)) == 32)
        await harness.stop()
    }

    @Test func openIntentsOfAnInterruptedRunAreReconciledFirst() async throws {
        let harness = try await ExecutorHarness()
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try await harness.thread(ageDays: 60)) }
        let rule = try harness.rule("old", Self.rule)
        // A run that crashed after writing its intents; the first call had gone through.
        let crashed = try harness.ledger.beginRun(
            RunStart(rule: "old", ruleDigest: rule.digest, ruleText: rule.text, trigger: .manual), matched: 3)
        try harness.ledger.recordIntents(runID: crashed, ids.map { ActionIntent(threadID: $0, action: "delete", reason: "test") })
        _ = try await harness.client().deleteThread(ids[0])

        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.reconciled == 3)
        #expect(try harness.outcomes(run: crashed) == [ids[0]: "gone", ids[1]: "skipped", ids[2]: "skipped"])
        #expect(try harness.ledger.run(id: crashed)?.status == .interrupted)
        #expect(report.counts.done == 2)
        #expect(await harness.server.liveThreadIDs().isEmpty)
        let stats = await harness.server.stats()
        #expect(stats.repeatedDeletes == 0)
        #expect(try harness.ledger.verifyChain().isIntact)
        await harness.stop()
    }
}

struct TagReconciliationTests {
    @Test func aTagIsInPlaceOnlyWhenEverySetIs() {
        let rule = "[Rule]\nAction=tag\n\n[Action]\nSet=reviewed=yes\nSet=tier=2\n"
        #expect(Executor.tagApplied(ruleText: rule, metadata: ["reviewed": "yes", "tier": "2", "x": "y"]))
        #expect(!Executor.tagApplied(ruleText: rule, metadata: ["reviewed": "yes"]))
        #expect(!Executor.tagApplied(ruleText: rule, metadata: ["reviewed": "yes", "tier": "3"]))
        #expect(!Executor.tagApplied(ruleText: "[Rule]\nAction=tag\n", metadata: [:]))
    }
}
