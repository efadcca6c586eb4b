import TestSupport
import Testing

@testable import Ledger

struct LocksAndPlansTests {
    /// Removed when the test ends: held by the suite, so a ledger never outlives its directory.
    let directory = TemporaryDirectory()

    func ledger() throws -> (TemporaryDirectory, Ledger) {
        let directory = self.directory
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 5_000 })
        for index in 0..<10 {
            try ledger.save(
                ThreadRecord(
                    id: "thread_\(index)", createdAt: Int64(100 - index), metadata: ["tag": index % 2 == 0 ? "even" : "odd"],
                    firstSeen: 1))
        }
        return (directory, ledger)
    }

    @Test func aLockIsExclusiveUntilReleased() throws {
        let (_, ledger) = try ledger()
        let first = RuleLockHolder(pid: 100, host: "a", processStart: "1")
        let second = RuleLockHolder(pid: 200, host: "a", processStart: "2")
        #expect(try ledger.acquireRuleLock(rule: "r", holder: first) { _ in true } == .acquired)
        let refused = try ledger.acquireRuleLock(rule: "r", holder: second) { _ in true }
        guard case .held(let holder) = refused else {
            Issue.record("expected the lock to be held, got \(refused)")
            return
        }
        #expect(holder.pid == 100 && holder.startedAt == 5_000)
        #expect(try ledger.acquireRuleLock(rule: "other", holder: second) { _ in true } == .acquired)
        #expect(try ledger.releaseRuleLock(rule: "r", pid: 200, host: "a") == false)
        #expect(try ledger.releaseRuleLock(rule: "r", pid: 100, host: "a"))
        #expect(try ledger.acquireRuleLock(rule: "r", holder: second) { _ in true } == .acquired)
        try ledger.setRuleLockRun(rule: "r", pid: 200, runID: 7)
        #expect(try ledger.ruleLockHolder(rule: "r")?.runID == 7)
    }

    @Test func aDeadHoldersLockIsTakenOver() throws {
        let (_, ledger) = try ledger()
        let dead = RuleLockHolder(pid: 100, host: "a", processStart: "1")
        _ = try ledger.acquireRuleLock(rule: "r", holder: dead) { _ in true }
        let result = try ledger.acquireRuleLock(rule: "r", holder: RuleLockHolder(pid: 300, host: "a", processStart: "9")) {
            $0.pid != 100
        }
        guard case .tookOver(let previous) = result else {
            Issue.record("expected a take-over, got \(result)")
            return
        }
        #expect(previous.pid == 100)
        #expect(try ledger.ruleLockHolder(rule: "r")?.pid == 300)
    }

    @Test func aPlanFreezesTheMatchingThreadsOldestFirst() throws {
        let (_, ledger) = try ledger()
        let plan = try ledger.savePlan(
            rule: "evens", ruleDigest: "abc", ruleFile: "/r/evens.rule", query: .metadata("tag", glob: "even"), limit: 3)
        #expect(plan.matched == 3)
        #expect(try ledger.plan(id: plan.id) == plan)
        #expect(try ledger.planThreadIDs(planID: plan.id) == ["thread_8", "thread_6", "thread_4"])
        // A thread added later does not join the plan.
        try ledger.save(ThreadRecord(id: "thread_new", createdAt: 1, metadata: ["tag": "even"], firstSeen: 1))
        #expect(try ledger.count(matching: .inPlan(plan.id)) == 3)
        #expect(try ledger.plan(id: 999) == nil)
    }
}
