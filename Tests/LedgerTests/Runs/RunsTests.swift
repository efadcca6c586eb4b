import Synchronization
import TestSupport
import Testing

@testable import Ledger

/// A settable clock for the ledger's timestamps.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    func advance(_ seconds: Int64) { value.withLock { $0 += seconds } }
    var now: @Sendable () -> Int64 { { [self] in value.withLock { $0 } } }
}

struct RunsTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    static let start = RunStart(
        rule: "support-30d", ruleDigest: SHA256.hex(of: "[Rule]\nAction=delete\n"), ruleText: "[Rule]\nAction=delete\n",
        trigger: .manual)

    func ledger(_ clock: ManualClock) throws -> (TemporaryDirectory, Ledger) {
        let directory = self.directory
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: clock.now)
        for (index, id) in ["thread_a", "thread_b", "thread_c"].enumerated() {
            try ledger.save(ThreadRecord(id: id, createdAt: Int64(index), metadata: ["tag": "support"], firstSeen: 1))
        }
        return (directory, ledger)
    }

    @Test func aRunFromIntentToFinish() throws {
        let clock = ManualClock(1_000)
        let (_, ledger) = try ledger(clock)
        let runID = try ledger.beginRun(Self.start, matched: 3)
        let ids = try ledger.recordIntents(
            runID: runID,
            ["thread_a", "thread_b", "thread_c"].map { ActionIntent(threadID: $0, action: "delete", reason: "tag=support, older than 30d") }
        )
        #expect(ids == [1, 2, 3])
        #expect(try ledger.openIntents(runID: runID).map(\.threadID) == ["thread_a", "thread_b", "thread_c"])
        clock.advance(5)
        try ledger.settle([
            ActionSettlement(actionID: ids[0], outcome: .ok, httpStatus: 200, requestID: "req_1", threadState: .deleted),
            ActionSettlement(actionID: ids[1], outcome: .gone, httpStatus: 404, requestID: "req_2", threadState: .gone),
        ])
        #expect(try ledger.openIntents().map(\.id) == [3])
        try ledger.settle([ActionSettlement(actionID: ids[2], outcome: .failed, httpStatus: 500, attempts: 3, error: "server error")])
        let run = try ledger.finishRun(id: runID, status: .completed)
        #expect(run.counts == RunCounts(matched: 3, done: 1, gone: 1, skipped: 0, failed: 1))
        #expect(run.startedAt == 1_000)
        #expect(run.finishedAt == 1_005)
        #expect(run.status == .completed)
        #expect(run.ruleText == Self.start.ruleText)
        #expect(try ledger.thread(id: "thread_a")?.state == .deleted)
        #expect(try ledger.thread(id: "thread_b")?.state == .gone)
        #expect(try ledger.thread(id: "thread_c")?.state == .live)
        let actions = try ledger.actions(runID: runID)
        #expect(actions.map(\.outcome) == [.ok, .gone, .failed])
        #expect(actions[2].attempts == 3)
        #expect(actions[0].settledAt == 1_005)
        #expect(try ledger.verifyChain().isIntact)
        #expect(try ledger.unfinishedRuns().isEmpty)
    }

    @Test func settlingTwiceIsRefusedAndWritesNothing() throws {
        let clock = ManualClock(1)
        let (_, ledger) = try ledger(clock)
        let runID = try ledger.beginRun(Self.start)
        let ids = try ledger.recordIntents(runID: runID, [ActionIntent(threadID: "thread_a", action: "delete", reason: "r")])
        try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .ok)])
        let error = try #require(throws: LedgerError.self) {
            try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .failed, threadState: .gone)])
        }
        #expect(error.kind == .invalidArgument)
        #expect(try ledger.thread(id: "thread_a")?.state == .live)
    }

    @Test func intentsSurviveAReopenAsOpenIntents() throws {
        let clock = ManualClock(1)
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        do {
            let ledger = try Ledger(path: path, now: clock.now)
            let runID = try ledger.beginRun(Self.start)
            try ledger.recordIntents(runID: runID, [ActionIntent(threadID: "thread_x", action: "delete", reason: "r")])
        }
        let reopened = try Ledger(path: path, now: clock.now)
        #expect(try reopened.openIntents().map(\.threadID) == ["thread_x"])
        #expect(try reopened.unfinishedRuns().map(\.rule) == ["support-30d"])
        let run = try reopened.finishRun(id: 1, status: .interrupted)
        #expect(run.status == .interrupted)
    }

    @Test func tagSettlementUpdatesMetadataAndSideTable() throws {
        let clock = ManualClock(50)
        let (_, ledger) = try ledger(clock)
        let runID = try ledger.beginRun(Self.start)
        let ids = try ledger.recordIntents(runID: runID, [ActionIntent(threadID: "thread_b", action: "tag", reason: "r")])
        try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .ok, metadata: ["tag": "support", "archived": "yes"])])
        #expect(try ledger.thread(id: "thread_b")?.metadata == ["tag": "support", "archived": "yes"])
        #expect(try ledger.thread(id: "thread_b")?.lastSynced == 50)
        #expect(try ledger.count(matching: .metadata("archived", glob: "yes")) == 1)
    }

    @Test func recentRunsNewestFirst() throws {
        let clock = ManualClock(1)
        let (_, ledger) = try ledger(clock)
        for rule in ["a", "b", "c"] {
            var start = Self.start
            start.rule = rule
            _ = try ledger.beginRun(start)
        }
        #expect(try ledger.recentRuns(limit: 2).map(\.rule) == ["c", "b"])
        #expect(try ledger.recentRuns(rule: "a").map(\.id) == [1])
    }
}
