import Foundation
import Journal
import Lifecycle
import Synchronization
import TestSupport
import Testing

@testable import Daemon

@Suite(.timeLimit(.minutes(1))) struct WatchdogServiceTests {
    @Test func pingsAtHalfTheTimeout() {
        #expect(WatchdogService.interval(forTimeout: .seconds(30)) == .seconds(15))
        #expect(WatchdogService.interval(forTimeout: .microseconds(3_000_001)) == .nanoseconds(1_500_000_500))
    }

    @Test func pingsWhileTheLoopAnswersAndStopsWhenItIsStuck() async throws {
        let clock = ManualClock()
        let pings = Events<Duration>()
        let heartbeats = Events<Duration>()
        let stuck = Mutex(false)
        let gates = Gates()
        let watchdog = WatchdogService(
            timeout: .seconds(30), clock: clock,
            heartbeat: {
                heartbeats.yield(clock.now.offset)
                if stuck.withLock({ $0 }) { await gates.wait("loop") }
            },
            ping: { pings.yield(clock.now.offset) })
        let group = ServiceGroup(services: [watchdog], logger: Logger(handler: NullLogHandler()), shutdownSignals: [], reloadSignals: [])
        let pingReader = EventReader(pings)
        let heartbeatReader = EventReader(heartbeats)
        async let termination = group.run()

        #expect(await pingReader.next() == .zero)
        #expect(await clock.nextSleep() == .seconds(15))
        clock.advance(by: .seconds(15))
        #expect(await pingReader.next() == .seconds(15))
        #expect(await clock.nextSleep() == .seconds(30))

        // The loop stops answering: the heartbeat at 30 s never returns, so no ping is sent.
        stuck.withLock { $0 = true }
        _ = await heartbeatReader.next()
        _ = await heartbeatReader.next()
        clock.advance(by: .seconds(15))
        #expect(await heartbeatReader.next() == .seconds(30))
        clock.advance(by: .seconds(60))
        // Unstuck: the pending heartbeat returns and the next ping goes out.
        stuck.withLock { $0 = false }
        gates.open("loop")
        #expect(await pingReader.next() == .seconds(90))

        group.triggerGracefulShutdown()
        #expect(try await termination == .requested)
    }
}
