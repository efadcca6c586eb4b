import Foundation
import Testing

@testable import Daemon

@Suite struct StatusLineTests {
    let nextRun = Date(timeIntervalSince1970: 1_795_575_600)  // 2026-11-25 03:00:00 UTC

    @Test func idleNamesTheNextElapseInUTC() {
        #expect(DaemonStatus.idle(next: ("stale-support", nextRun)).line == "idle; next: stale-support at 2026-11-25 03:00 UTC")
        #expect(DaemonStatus.idle(next: ("fast", nextRun.addingTimeInterval(5))).line == "idle; next: fast at 2026-11-25 03:00:05 UTC")
        #expect(DaemonStatus.idle(next: nil).line == "idle; no scheduled rules")
    }

    @Test func runningShowsProgressOfEachRun() {
        #expect(
            DaemonStatus.running([.init(rule: "stale-support", done: 1200, total: 5000, failed: 0)]).line
                == "running stale-support: 1200/5000, 0 failed")
        #expect(
            DaemonStatus.running([.init(rule: "tag-old", done: 3, total: nil, failed: 1), .init(rule: "a", done: 1, total: 2)]).line
                == "running a: 1/2, 0 failed; tag-old: 3/?, 1 failed")
    }

    @Test func otherStates() {
        #expect(DaemonStatus.starting("reconciling open intents").line == "starting: reconciling open intents")
        #expect(DaemonStatus.reloading.line == "reloading")
        #expect(DaemonStatus.stopping(waitingFor: []).line == "stopping")
        #expect(DaemonStatus.stopping(waitingFor: ["b", "a"]).line == "stopping; waiting for a, b")
    }
}
