import Foundation
import Schedule
import Testing

@testable import Daemon

/// The pure scheduler: instants chosen by the test, no clock, no sleeping.
@Suite struct SchedulerTests {
    // 2026-11-25 03:00:00 UTC
    let t0 = Date(timeIntervalSince1970: 1_795_575_600)

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    @Test func startsEachRuleAtItsElapseAndSleepsUntilTheNextOne() {
        let rules = [
            ScheduledRule(name: "hourly", schedule: EverySchedule(origin: t0, period: 3600)),
            ScheduledRule(name: "fast", schedule: EverySchedule(origin: t0.addingTimeInterval(5), period: 600)),
        ]
        var scheduler = Scheduler(rules: rules, now: at(1), runMissed: false)
        #expect(scheduler.advance(now: at(1)) == [.sleep(until: at(5))])
        #expect(scheduler.nextElapse?.rule == "fast")
        #expect(scheduler.advance(now: at(5)) == [.start("fast"), .sleep(until: at(605))])
        #expect(scheduler.running == ["fast"])
        scheduler.finished("fast", at: at(30))
        #expect(scheduler.running.isEmpty)
        #expect(scheduler.advance(now: at(605)) == [.start("fast"), .sleep(until: at(1205))])
        scheduler.finished("fast", at: at(606))
        // Woken late at 3600: "fast" (due since 1205) comes first, then "hourly".
        #expect(scheduler.advance(now: at(3600)) == [.start("fast"), .start("hourly"), .sleep(until: at(3605))])
    }

    @Test func dueRulesStartInElapseOrderThenByName() {
        let same = EverySchedule(origin: t0, period: 60)
        let rules =
            ["b", "a", "c"].map { ScheduledRule(name: $0, schedule: same) }
            + [ScheduledRule(name: "early", schedule: EverySchedule(origin: t0.addingTimeInterval(-30), period: 60))]
        var scheduler = Scheduler(rules: rules, now: at(-40), runMissed: false)
        #expect(scheduler.advance(now: at(1)) == [.start("early"), .start("a"), .start("b"), .start("c"), .sleep(until: at(30))])
    }

    @Test func aRuleNeverOverlapsItself() {
        let rules = [ScheduledRule(name: "slow", schedule: EverySchedule(origin: t0, period: 10))]
        var scheduler = Scheduler(rules: rules, now: at(-1), runMissed: false)
        #expect(scheduler.advance(now: at(0)) == [.start("slow"), .sleep(until: at(10))])
        #expect(scheduler.advance(now: at(10)) == [.skipOverlap("slow"), .sleep(until: at(20))])
        #expect(scheduler.running == ["slow"])
        scheduler.finished("slow", at: at(15))
        #expect(scheduler.advance(now: at(20)) == [.start("slow"), .sleep(until: at(30))])
    }

    @Test func aLateWakeUpRunsOnceAndDoesNotReplayMissedElapses() {
        let rules = [ScheduledRule(name: "r", schedule: EverySchedule(origin: t0, period: 10))]
        var scheduler = Scheduler(rules: rules, now: at(-1), runMissed: false)
        #expect(scheduler.advance(now: at(95)) == [.start("r"), .sleep(until: at(100))])
        scheduler.finished("r", at: at(96))
        #expect(scheduler.advance(now: at(97)) == [.sleep(until: at(100))])
    }

    @Test func runMissedRunsAScheduleMissedWhileDownOnceAtStart() {
        let daily = EverySchedule(origin: t0, period: 86_400)
        let rules = [
            // Last ran a day and a half ago: the elapse at t0 was missed.
            ScheduledRule(name: "missed", schedule: daily, lastRun: at(-129_600)),
            // Last ran after the latest elapse: nothing missed.
            ScheduledRule(name: "current", schedule: daily, lastRun: at(10)),
            // Never ran: like a timer without a stamp file, no catch-up.
            ScheduledRule(name: "new", schedule: daily),
        ]
        var persistent = Scheduler(rules: rules, now: at(3600), runMissed: true)
        #expect(persistent.advance(now: at(3600)) == [.start("missed"), .sleep(until: at(86_400))])
        persistent.finished("missed", at: at(3700))
        #expect(persistent.nextElapse(of: "missed") == at(86_400))

        var plain = Scheduler(rules: rules, now: at(3600), runMissed: false)
        #expect(plain.advance(now: at(3600)) == [.sleep(until: at(86_400))])
    }

    @Test func withoutScheduledRulesItSleepsUntilWoken() {
        var scheduler = Scheduler(rules: [], now: t0, runMissed: true)
        #expect(scheduler.advance(now: t0) == [.sleep(until: nil)])
        let once = [ScheduledRule(name: "once", schedule: ListSchedule(elapses: [at(5)]))]
        var finite = Scheduler(rules: once, now: t0, runMissed: false)
        #expect(finite.advance(now: at(5)) == [.start("once"), .sleep(until: nil)])
    }

    @Test func reloadKeepsUnchangedSchedulesAndRunningState() {
        let every10 = EverySchedule(origin: t0, period: 10)
        var scheduler = Scheduler(
            rules: [ScheduledRule(name: "keep", schedule: every10), ScheduledRule(name: "gone", schedule: every10)], now: at(-1),
            runMissed: false)
        #expect(scheduler.advance(now: at(0)) == [.start("gone"), .start("keep"), .sleep(until: at(10))])
        // "keep" unchanged, "gone" removed while running, "changed" new with another schedule.
        scheduler.update(
            rules: [
                ScheduledRule(name: "keep", schedule: every10),
                ScheduledRule(name: "new", schedule: EverySchedule(origin: t0, period: 3)),
            ], now: at(1))
        #expect(scheduler.ruleNames == ["keep", "new"])
        #expect(scheduler.running == ["gone", "keep"])
        #expect(scheduler.nextElapse(of: "keep") == at(10))
        #expect(scheduler.nextElapse(of: "new") == at(3))
        #expect(scheduler.advance(now: at(3)) == [.start("new"), .sleep(until: at(6))])
        scheduler.finished("gone", at: at(4))
        #expect(scheduler.running == ["keep", "new"])
        // "new" was due at 6, "keep" at 10: elapse order.
        #expect(scheduler.advance(now: at(10)) == [.skipOverlap("new"), .skipOverlap("keep"), .sleep(until: at(12))])
    }

    @Test func aChangedScheduleTakesEffectFromNowAndARemovedRuleReturnsRunning() {
        var scheduler = Scheduler(
            rules: [ScheduledRule(name: "r", schedule: EverySchedule(origin: t0, period: 10))], now: at(-1), runMissed: false)
        #expect(scheduler.advance(now: at(0)) == [.start("r"), .sleep(until: at(10))])
        scheduler.update(rules: [], now: at(1))
        #expect(scheduler.running == ["r"])
        scheduler.update(rules: [ScheduledRule(name: "r", schedule: EverySchedule(origin: t0, period: 4))], now: at(2))
        #expect(scheduler.running == ["r"])
        #expect(scheduler.advance(now: at(4)) == [.skipOverlap("r"), .sleep(until: at(8))])
    }

    @Test func rulesAreFoundByNameWhateverOrderTheyComeInAndTheLastOfANameCounts() {
        let names = ["m", "c", "x", "a", "q", "b"]
        var rules = names.enumerated().map { offset, name in
            ScheduledRule(name: name, schedule: EverySchedule(origin: t0, period: TimeInterval(100 + offset)))
        }
        rules.append(ScheduledRule(name: "c", schedule: EverySchedule(origin: t0, period: 7)))
        var scheduler = Scheduler(rules: rules, now: at(1), runMissed: false)
        #expect(scheduler.ruleNames == ["a", "b", "c", "m", "q", "x"])
        #expect(scheduler.nextElapse(of: "c") == at(7))
        #expect(scheduler.nextElapse(of: "x") == at(102))
        #expect(scheduler.nextElapse(of: "absent") == nil)
        #expect(scheduler.advance(now: at(7)) == [.start("c"), .sleep(until: at(14))])
        scheduler.finished("absent", at: at(8))
        #expect(scheduler.running == ["c"])
        scheduler.finished("c", at: at(8))
        #expect(scheduler.running.isEmpty)
        // A reload in another order: unchanged schedules keep their next elapse, a new name is found.
        let added = ScheduledRule(name: "d", schedule: EverySchedule(origin: t0, period: 50))
        let reordered = rules.dropLast().reversed() + [added, rules.last!]
        scheduler.update(rules: reordered, now: at(9))
        #expect(scheduler.ruleNames == ["a", "b", "c", "d", "m", "q", "x"])
        #expect(scheduler.nextElapse(of: "c") == at(14))
        #expect(scheduler.nextElapse(of: "d") == at(50))
    }
}

/// The scheduler on real calendar events from the Schedule module.
@Suite struct SchedulerCalendarTests {
    @Test func calendarSpecsDriveTheScheduler() throws {
        let t0 = Date(timeIntervalSince1970: 1_795_575_600)  // 2026-11-25 03:00:00 UTC, a Wednesday
        let rules = [
            ScheduledRule(name: "stale-support", schedule: try CalendarSpec.parse("*-*-* 03:00:00 UTC")),
            ScheduledRule(name: "every-5s", schedule: try CalendarSpec.parse("*:*:0/5 UTC")),
        ]
        var scheduler = Scheduler(rules: rules, now: t0.addingTimeInterval(-1), runMissed: false)
        #expect(scheduler.advance(now: t0) == [.start("every-5s"), .start("stale-support"), .sleep(until: t0.addingTimeInterval(5))])
        scheduler.finished("stale-support", at: t0.addingTimeInterval(2))
        #expect(scheduler.nextElapse(of: "stale-support") == t0.addingTimeInterval(86_400))
        #expect(
            DaemonStatus.idle(next: ("stale-support", scheduler.nextElapse(of: "stale-support")!)).line
                == "idle; next: stale-support at 2026-11-26 03:00 UTC")
    }
}
