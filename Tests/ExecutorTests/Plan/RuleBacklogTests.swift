import Foundation
import Ledger
import Rules
import TestSupport
import Testing

@testable import Executor

/// What `status` says each rule has left, and how long it takes at the budget.
struct RuleBacklogTests {
    static func rule(_ text: String, name: String = "r") throws -> Rule {
        var rule = try #require(Rule.parse(text: text, file: "\(name).rule", now: 1_800_000_000).0)
        rule.name = name
        return rule
    }

    static let verifiedDelete = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=always\n"

    @Test func aMillionThreadsAtFiveRequestsASecondWithVerificationTakeFourAndAHalfDays() throws {
        let estimate = ClearanceEstimate(rule: try Self.rule(Self.verifiedDelete), threads: 1_000_000, requestsPerSecond: 5)
        #expect(estimate.requestsPerThread == 2)
        #expect(!estimate.perThreadIsMinimum)
        #expect(estimate.requests == 2_000_000)
        #expect(estimate.seconds == 400_000)
        #expect(ClearanceEstimate.words(seconds: estimate.seconds) == "4.6 days")
        #expect(estimate.requestsInWords == "1 DELETE + 1 GET (Verify=always)")
    }

    @Test(arguments: [
        ("[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n[Action]\nVerify=never\n", 1, false),
        ("[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n[Action]\nVerify=stale\n", 2, true),
        ("[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n[Action]\nArchive=yes\nVerify=never\n", 3, true),
        ("[Rule]\nAction=tag\n[Match]\nOlderThan=1d\n[Action]\nSet=a=b\nVerify=never\n", 2, false),
        ("[Rule]\nAction=report\n[Match]\nOlderThan=1d\n[Action]\nVerify=never\n", 0, false),
        ("[Rule]\nAction=report\n[Match]\nOlderThan=1d\n", 1, false),
    ])
    func requestsPerThreadFollowWhatTheWorkerSends(text: String, requests: Int, atLeast: Bool) throws {
        let estimate = ClearanceEstimate(rule: try Self.rule(text), threads: 10, requestsPerSecond: 2)
        #expect(estimate.requestsPerThread == requests)
        #expect(estimate.perThreadIsMinimum == atLeast)
        #expect(estimate.seconds == Double(10 * requests) / 2)
    }

    @Test(arguments: [
        (0.4, "1 second"), (59.0, "59 seconds"), (150.0, "3 minutes"), (7_200.0, "2 hours"), (9_000.0, "2.5 hours"),
        (172_800.0, "2 days"),
    ])
    func durationsInWords(seconds: Double, words: String) {
        #expect(ClearanceEstimate.words(seconds: seconds) == words)
    }

    @Test func eachRuleShowsItsLastRunNextRunAndMatchesFromARealLedger() throws {
        let directory = TemporaryDirectory()
        let now: Int64 = 1_800_000_000
        let ledger = try Ledger(path: directory.file("l.sqlite3"), now: { now })
        _ = try ledger.importThreads { emit in
            for index in 0..<7 { try emit(ThreadImport(id: "thread_old\(index)", createdAt: now - 40 * 86_400)) }
            try emit(ThreadImport(id: "thread_held", createdAt: now - 40 * 86_400, metadata: ["legal_hold": "x"]))
            try emit(ThreadImport(id: "thread_new", createdAt: now - 86_400))
        }
        let runID = try ledger.beginRun(RunStart(rule: "old", ruleDigest: "d", ruleText: "t", trigger: .schedule), matched: 7)
        let ids = try ledger.recordIntents(runID: runID, [ActionIntent(threadID: "thread_old0", action: "delete", reason: "r")])
        try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .failed, error: "x")])
        try ledger.finishRun(id: runID, status: .completed)

        let old = try Self.rule(
            "[Rule]\nAction=delete\nSchedule=*-*-* 03:00:00 UTC\n[Match]\nOlderThan=30d\n[Limits]\nMaxThreads=3\n", name: "old")
        let manual = try Self.rule("[Rule]\nAction=report\n[Match]\nNewerThan=30d\n[Action]\nVerify=never\n", name: "manual")
        let backlogs = try RuleBacklog.collect(rules: [old, manual], ledger: ledger, now: now, hold: "legal_hold", requestsPerSecond: 5)
        #expect(backlogs.map(\.rule.name) == ["old", "manual"])
        let first = backlogs[0]
        let plan = try Planner.plan(RunRequest(rule: old), ledger: ledger, now: now)
        #expect(first.matches == plan.matched)
        #expect(first.matches == 7)
        #expect(first.lastRun?.id == runID)
        #expect(first.lastRun?.counts.failed == 1)
        #expect(first.lastRun.map { RuleBacklog.exitCode(status: $0.status, failed: $0.counts.failed) } == 1)
        // 1800000000 is 2027-01-15 08:00:00 UTC: the next 03:00 is the following day.
        let nextThree: Int64 = 1_800_000_000 - 8 * 3_600 + 86_400 + 3 * 3_600
        #expect(first.nextRun == nextThree)
        #expect(first.runsNeeded == 3)
        #expect(first.clearance.requests == 14)
        #expect(first.clearance.seconds == 14.0 / 5)
        #expect(backlogs[1].matches == 1)
        #expect(backlogs[1].lastRun == nil)
        #expect(backlogs[1].nextRun == nil)
        #expect(backlogs[1].clearance.requestsPerThread == 0)
    }
}
