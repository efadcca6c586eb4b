import Foundation
import Journal
import Lifecycle
import TestSupport
import Testing

@testable import Daemon

/// The daemon's idle rewrite of the metrics file: at start, then once an interval, until a stop.
@Suite(.timeLimit(.minutes(1))) struct MetricsServiceTests {
    @Test func writesAtStartThenEveryIntervalAndStopsOnShutdown() async throws {
        let clock = ManualClock()
        let writes = Events<Duration>()
        let service = MetricsService(interval: .seconds(60), clock: clock) { writes.yield(clock.now.offset) }
        let group = ServiceGroup(services: [service], logger: Logger(handler: NullLogHandler()), shutdownSignals: [], reloadSignals: [])
        let reader = EventReader(writes)
        async let termination = group.run()

        #expect(await reader.next() == .zero)
        #expect(await clock.nextSleep() == .seconds(60))
        clock.advance(by: .seconds(30))
        clock.advance(by: .seconds(30))
        #expect(await reader.next() == .seconds(60))
        // The manual clock reports each sleep's deadline.
        #expect(await clock.nextSleep() == .seconds(120))
        clock.advance(by: .seconds(60))
        #expect(await reader.next() == .seconds(120))

        group.triggerGracefulShutdown()
        #expect(try await termination == .requested)
    }
}
