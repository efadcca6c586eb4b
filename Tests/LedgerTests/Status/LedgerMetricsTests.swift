import Foundation
import TestSupport
import Testing

@testable import Ledger

/// The ledger's counts for the metrics file while a run is under way and after it ends.
struct LedgerMetricsTests {
    @Test func aRunningRunAndAnOpenIntentAreCountedApartFromFinishedOnes() throws {
        let directory = TemporaryDirectory()
        let clock = LedgerTestClock(1_800_000_000)
        let ledger = try Ledger(path: directory.file("l.sqlite3"), now: { clock.now })
        _ = try ledger.importThreads { emit in
            try emit(ThreadImport(id: "thread_a", createdAt: 1_700_000_000))
            try emit(ThreadImport(id: "thread_b", createdAt: 1_700_000_000))
        }
        let empty = try ledger.metrics()
        #expect(empty.chainRows == 0 && empty.chainHeadAt == nil)
        #expect(empty.threadsByState == [.live: 2])

        let first = try ledger.beginRun(RunStart(rule: "r", ruleDigest: "d", ruleText: "t", trigger: .manual), matched: 2)
        clock.now += 3
        let ids = try ledger.recordIntents(
            runID: first,
            [
                ActionIntent(threadID: "thread_a", action: "delete", reason: "x"),
                ActionIntent(threadID: "thread_b", action: "delete", reason: "x"),
            ])
        clock.now += 4
        try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .ok, httpStatus: 200, threadState: .deleted)])

        let during = try ledger.metrics()
        #expect(during.runs == [LedgerMetrics.RunGroup(rule: "r", status: .running): 1])
        #expect(during.actions[LedgerMetrics.ActionGroup(action: "delete", outcome: nil)] == 1)
        #expect(during.actions[LedgerMetrics.ActionGroup(action: "delete", outcome: .ok)] == 1)
        #expect(during.lastRuns.isEmpty)
        #expect(during.threadsByState == [.live: 1, .deleted: 1])
        // Run record, two intents, one outcome; the newest covers the outcome, settled at +7.
        #expect(during.chainRows == 4)
        #expect(during.chainHeadAt == 1_800_000_007)

        clock.now += 5
        try ledger.settle([ActionSettlement(actionID: ids[1], outcome: .failed, error: "boom")])
        try ledger.finishRun(id: first, status: .completed)
        let after = try ledger.metrics()
        #expect(after.runs == [LedgerMetrics.RunGroup(rule: "r", status: .completed): 1])
        #expect(after.actions[LedgerMetrics.ActionGroup(action: "delete", outcome: nil)] == nil)
        let last = try #require(after.lastRuns["r"])
        #expect(last.runID == first && last.startedAt == 1_800_000_000 && last.finishedAt == 1_800_000_012)
        #expect(last.failed == 1)
        #expect(after.chainHeadAt == 1_800_000_012)
    }
}

/// A settable clock for the ledger's timestamps.
final class LedgerTestClock: @unchecked Sendable {
    // @unchecked: only the test's own thread reads and writes `now`.
    var now: Int64

    init(_ now: Int64) { self.now = now }
}
