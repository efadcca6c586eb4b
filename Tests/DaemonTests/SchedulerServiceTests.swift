import Foundation
import Journal
import Lifecycle
import TestSupport
import Testing

@testable import Daemon

/// The scheduler loop over a manual wall clock: it sleeps until the next elapse, runs rules as
/// child tasks, never overlaps a rule with itself, and drains on graceful shutdown.
@Suite(.timeLimit(.minutes(1))) struct SchedulerServiceTests {
    let t0 = Date(timeIntervalSince1970: 1_795_575_600)  // 2026-11-25 03:00:00 UTC

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    @Test func runsOnTimeInParallelWithoutOverlapThenDrains() async throws {
        let clock = ManualWallClock(now: at(-1))
        let starts = Events<String>()
        let statuses = Events<String>()
        let gates = Gates()
        let told = Events<String>()
        let memory = InMemoryLogHandler()
        let scheduler = Scheduler(
            rules: [
                ScheduledRule(name: "a", schedule: EverySchedule(origin: t0, period: 10)),
                ScheduledRule(name: "b", schedule: EverySchedule(origin: t0.addingTimeInterval(5), period: 10)),
            ], now: clock.now, runMissed: false)
        let service = SchedulerService(
            scheduler: scheduler, clock: clock, logger: Logger(handler: memory, logLevel: .debug),
            onStatus: { statuses.yield($0.line) }
        ) { rule in
            starts.yield(rule)
            await withGracefulShutdownHandler {
                await gates.wait(rule)
            } onGracefulShutdown: {
                told.yield(rule)
            }
        }
        let group = ServiceGroup(services: [service], logger: Logger(handler: memory), shutdownSignals: [], reloadSignals: [])
        let startReader = EventReader(starts)
        let statusReader = EventReader(statuses)
        let toldReader = EventReader(told)
        async let termination = group.run()

        #expect(await statusReader.next() == "idle; next: a at 2026-11-25 03:00 UTC")
        #expect(await clock.nextSleep() == at(0))
        clock.advance(to: at(0))
        #expect(await startReader.next() == "a")
        #expect(await statusReader.next() == "running a: 0/?, 0 failed")

        // "a" is still running when "b" is due: b starts beside it.
        clock.advance(to: at(5))
        #expect(await startReader.next() == "b")
        #expect(await statusReader.next(where: { $0.contains("b:") }) == "running a: 0/?, 0 failed; b: 0/?, 0 failed")
        // Progress reaches the status line, at most once a second.
        clock.advance(to: at(6))
        service.report(DaemonStatus.Progress(rule: "b", done: 3, total: 7, failed: 1))
        #expect(await statusReader.next() == "running a: 0/?, 0 failed; b: 3/7, 1 failed")

        // "b" ends; at 10 "a" is still running, so its elapse is skipped.
        gates.pulse("b")
        #expect(await statusReader.next(where: { !$0.contains("b:") }) == "running a: 0/?, 0 failed")
        clock.advance(to: at(10))
        // Progress of a finished run is ignored.
        service.report(DaemonStatus.Progress(rule: "b", done: 7, total: 7, failed: 1))
        clock.advance(to: at(15))
        #expect(await startReader.next() == "b")
        let skipped = memory.entries.filter { $0.message.contains("skipped") }
        #expect(skipped.map { $0.metadata["rule"] } == ["a"])
        #expect(skipped.first?.level == .notice)

        // Graceful shutdown: nothing new starts, the runs in flight are told and waited for.
        group.triggerGracefulShutdown()
        #expect(await statusReader.next(where: { $0.hasPrefix("stopping") }) == "stopping; waiting for a, b")
        #expect(Set([await toldReader.next(), await toldReader.next()]) == ["a", "b"])
        gates.open("a")
        #expect(await statusReader.next() == "stopping; waiting for b")
        gates.open("b")
        #expect(try await termination == .requested)
        #expect(await service.snapshot.running.isEmpty)
        #expect(await service.status == .stopping(waitingFor: []))
    }

    @Test func reloadedRulesTakeEffectWithoutWaitingForTheOldNextElapse() async throws {
        let clock = ManualWallClock(now: at(0))
        let starts = Events<String>()
        let scheduler = Scheduler(
            rules: [ScheduledRule(name: "daily", schedule: EverySchedule(origin: t0, period: 86_400))], now: clock.now, runMissed: false)
        let service = SchedulerService(scheduler: scheduler, clock: clock, logger: Logger(handler: NullLogHandler())) { starts.yield($0) }
        let group = ServiceGroup(services: [service], logger: Logger(handler: NullLogHandler()), shutdownSignals: [], reloadSignals: [])
        let reader = EventReader(starts)
        async let termination = group.run()
        #expect(await clock.nextSleep() == at(86_400))
        await service.update(rules: [
            ScheduledRule(name: "daily", schedule: EverySchedule(origin: t0, period: 86_400)),
            ScheduledRule(name: "soon", schedule: EverySchedule(origin: t0, period: 30)),
        ])
        #expect(await clock.nextSleep() == at(30))
        #expect(await service.status == .idle(next: ("soon", at(30))))
        clock.advance(to: at(30))
        #expect(await reader.next() == "soon")
        group.triggerGracefulShutdown()
        #expect(try await termination == .requested)
    }
}
