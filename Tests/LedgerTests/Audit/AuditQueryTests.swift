import TestSupport
import Testing

@testable import Ledger

struct AuditQueryTests {
    @Test func filtersAndOrdersNewestFirst() throws {
        let clock = ManualClock(100)
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: clock.now)
        let first = try ledger.beginRun(RunsTests.start)
        try ledger.recordIntents(runID: first, [ActionIntent(threadID: "thread_a", action: "delete", reason: "r1")])
        clock.advance(100)
        var other = RunsTests.start
        other.rule = "tag-old"
        let second = try ledger.beginRun(other)
        try ledger.recordIntents(
            runID: second,
            [
                ActionIntent(threadID: "thread_b", action: "tag", reason: "r2"),
                ActionIntent(threadID: "thread_a", action: "tag", reason: "r3"),
            ])

        func ids(_ filter: AuditFilter) throws -> [Int64] {
            var out: [Int64] = []
            try ledger.forEachAuditEntry(filter) { out.append($0.action.id) }
            return out
        }
        #expect(try ids(AuditFilter()) == [3, 2, 1])
        #expect(try ids(AuditFilter(rule: "tag-old")) == [3, 2])
        #expect(try ids(AuditFilter(runID: first)) == [1])
        #expect(try ids(AuditFilter(threadID: "thread_a")) == [3, 1])
        #expect(try ids(AuditFilter(since: 150)) == [3, 2])
        #expect(try ids(AuditFilter(until: 150)) == [1])
        #expect(try ids(AuditFilter(limit: 1)) == [3])
        var entry: AuditEntry?
        try ledger.forEachAuditEntry(AuditFilter(limit: 1)) { entry = $0 }
        #expect(entry?.rule == "tag-old")
        #expect(entry?.action.reason == "r3")
    }
}
