import Foundation
import Ledger
import TestSupport
import Testing

@testable import Executor

struct GuardTests {
    @Test func maxThreadsActsOnTheOldestFirst() async throws {
        let harness = try await ExecutorHarness()
        var ids: [String] = []
        for age in stride(from: 100, to: 40, by: -5) { ids.append(try await harness.thread(ageDays: Int64(age))) }
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Limits]\nMaxThreads=4\n")
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.matched == ids.count)
        #expect(report.planned == 4)
        #expect(report.counts.done == 4)
        for (index, id) in ids.enumerated() {
            #expect(try harness.state(id) == (index < 4 ? .deleted : .live))
        }
        // --limit narrows further.
        let limited = try await harness.executor().run(RunRequest(rule: rule, limit: 2))
        #expect(limited.counts.done == 2)
        #expect(try harness.state(ids[5]) == .deleted && harness.state(ids[6]) == .live)
        await harness.stop()
    }

    @Test func maxFractionRefusesTheWholeRunUnlessForced() async throws {
        let harness = try await ExecutorHarness()
        for index in 0..<10 { try await harness.thread(ageDays: index < 6 ? 50 : 1) }
        let rule = try harness.rule("wide", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Limits]\nMaxFraction=25%\n")
        let plan = try Planner.plan(RunRequest(rule: rule), ledger: harness.ledger, now: ExecutorHarness.now)
        #expect(plan.matched == 6 && plan.liveInventory == 10)
        #expect(plan.refusal?.contains("60%") == true)
        #expect(plan.verdicts.contains { $0.name == "MaxFraction" && $0.status == .refuses })

        let refused = try await harness.executor().run(RunRequest(rule: rule))
        guard case .refused(let reason) = refused.end else {
            Issue.record("expected a refusal, got \(refused.end)")
            return
        }
        #expect(reason.contains("MaxFraction=25%"))
        #expect(await harness.server.stats().totalRequests == 0)
        #expect(try harness.ledger.run(id: refused.runID ?? -1)?.status == .refused)
        #expect(harness.logs.entries(withID: .runAborted).count == 1)

        let forced = try await harness.executor().run(RunRequest(rule: rule, force: true))
        #expect(forced.end == .completed)
        #expect(forced.counts.done == 6)
        await harness.stop()
    }

    @Test func heldThreadsAreNeverTouched() async throws {
        let harness = try await ExecutorHarness()
        let held = try await harness.thread(ageDays: 90, metadata: ["legal_hold": "case-7"])
        let free = try await harness.thread(ageDays: 90)
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n")
        let plan = try Planner.plan(RunRequest(rule: rule), ledger: harness.ledger, now: ExecutorHarness.now)
        #expect(plan.held == 1)
        #expect(plan.verdicts.contains { $0.name == "Hold" && $0.status == .limits })
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 1)
        #expect(await harness.server.threadIsLive(held))
        #expect(await !harness.server.threadIsLive(free))
        #expect(try harness.outcomes(run: report.runID ?? -1)[held] == nil)
        await harness.stop()
    }

    @Test func aLiveHolderBlocksASecondRunAndADeadOneIsTakenOver() async throws {
        let harness = try await ExecutorHarness()
        try await harness.thread(ageDays: 90)
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n")
        // pid 1 runs on this host for as long as the test does.
        let live = RuleLockHolder(pid: 1, host: ProcessIdentity.host, processStart: ProcessIdentity.startTime(of: 1))
        _ = try harness.ledger.acquireRuleLock(rule: "old", holder: live) { _ in false }
        await #expect {
            try await harness.executor().run(RunRequest(rule: rule))
        } throws: { error in
            guard case ExecutorError.lockHeld(let name, let holder) = error else { return false }
            return name == "old" && holder.pid == 1
        }
        #expect(await harness.server.stats().totalRequests == 0)

        // A holder that exited: its pid no longer runs (or runs as another process).
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = RuleLockHolder(pid: child.processIdentifier, host: ProcessIdentity.host, processStart: "1")
        #expect(ProcessIdentity.isAlive(dead) == false)
        _ = try harness.ledger.releaseRuleLock(rule: "old", pid: 1, host: ProcessIdentity.host)
        _ = try harness.ledger.acquireRuleLock(rule: "old", holder: dead) { _ in false }
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 1)
        #expect(harness.logs.entries.contains { $0.message.contains("took over the lock") })
        await harness.stop()
    }
}
