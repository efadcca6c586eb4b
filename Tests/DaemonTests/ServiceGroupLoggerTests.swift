import Journal
import Lifecycle
import Testing

@testable import Daemon

/// The daemon's `ServiceGroup(logger:)`: what the group reports reaches the log at its level.
@Suite(.timeLimit(.minutes(1))) struct ServiceGroupLoggerTests {
    struct Patient: Service {
        func run() async throws { try await gracefulShutdown() }
    }

    struct Failing: Service {
        struct Fault: Error, CustomStringConvertible {
            var description: String { "disk on fire" }
        }
        func run() async throws { throw Fault() }
    }

    @Test func aFailureAndTheStopsItCausesAreLoggedAtTheirLevels() async throws {
        let memory = InMemoryLogHandler()
        let group = ServiceGroup(
            services: [Patient(), Failing()], logger: Logger(handler: memory, logLevel: .debug), shutdownSignals: [],
            reloadSignals: [])
        await #expect(throws: Failing.Fault.self) { _ = try await group.run() }
        let logged = memory.entries.map { "\($0.level) \($0.message)" }
        #expect(logged == ["err Failing failed: disk on fire", "info stopping Patient", "debug Patient stopped"])
    }
}
