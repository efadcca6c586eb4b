import Foundation
import Ledger
import Synchronization
import TestSupport
import Testing

@testable import Daemon

@Suite struct ScheduleHistoryTests {
    @Test func theLatestScheduledRunOfEachRuleCounts() throws {
        let directory = TemporaryDirectory()
        let clock = Mutex<Int64>(1_795_000_000)
        let ledger = try Ledger(path: directory.file("ledger.sqlite3")) { clock.withLock { $0 } }
        func start(_ rule: String, _ trigger: RunTrigger, at time: Int64, dryRun: Bool = false) throws {
            clock.withLock { $0 = time }
            _ = try ledger.beginRun(RunStart(rule: rule, ruleDigest: "d", ruleText: "t", trigger: trigger, dryRun: dryRun))
        }
        try start("a", .schedule, at: 1_795_000_100)
        try start("a", .manual, at: 1_795_000_200)
        try start("a", .schedule, at: 1_795_000_300, dryRun: true)
        try start("b", .manual, at: 1_795_000_400)
        try start("c", .schedule, at: 1_795_000_500)
        let starts = try ScheduleHistory.lastScheduledStarts(in: ledger, rules: ["a", "b", "c", "never"])
        #expect(starts == ["a": Date(timeIntervalSince1970: 1_795_000_100), "c": Date(timeIntervalSince1970: 1_795_000_500)])
    }
}
