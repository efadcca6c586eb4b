import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Lifecycle

/// A service that reports its start and stop, and stops when asked gracefully (or only when
/// cancelled, if `ignoresGracefulShutdown`).
struct RecordingService: Service {
    var name: String
    var events: Events<String>
    var ignoresGracefulShutdown = false
    var failure: (any Error)?

    func run() async throws {
        events.yield("\(name) started")
        if let failure {
            events.yield("\(name) failing")
            throw failure
        }
        if ignoresGracefulShutdown {
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                events.yield("\(name) cancelled")
                throw error
            }
        } else {
            do {
                try await gracefulShutdown()
            } catch {
                events.yield("\(name) cancelled")
                throw error
            }
            events.yield("\(name) stopped")
        }
    }
}

struct ReturningService: Service {
    func run() async throws {}
}

struct ServiceFault: Error, Equatable {}

/// These tests send real signals to the test process, so they run one at a time and only while
/// a group's signal sources are installed (after its first service reported that it started).
/// Other suites share this process and may handle SIGTERM/SIGINT/SIGHUP themselves, so the
/// groups here listen for SIGUSR1 (stop) and SIGUSR2 (reload), which nothing else uses (the
/// daemon's suite has signals of its own); the mechanism is the same for every signal.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ServiceGroupSignalTests {
    @Test func reloadSignalReloadsAndStopSignalStopsServicesInReverseOrder() async throws {
        let events = Events<String>()
        let reloads = Events<Int>()
        let count = Mutex(0)
        let group = ServiceGroup(
            services: ["first", "second", "third"].map { RecordingService(name: $0, events: events) },
            shutdownSignals: [SIGUSR1], reloadSignals: [SIGUSR2],
            onStart: { events.yield("group started") },
            onShutdown: { events.yield("group stopping") },
            onReload: {
                reloads.yield(
                    count.withLock {
                        $0 += 1; return $0
                    })
            })
        let reader = EventReader(events)
        let reloadReader = EventReader(reloads)
        async let termination = group.run()
        var started: Set<String> = []
        for _ in 0..<4 { started.insert(await reader.next() ?? "") }
        #expect(started == ["first started", "second started", "third started", "group started"])

        kill(getpid(), SIGUSR2)
        #expect(await reloadReader.next() == 1)
        kill(getpid(), SIGUSR2)
        #expect(await reloadReader.next() == 2)

        kill(getpid(), SIGUSR1)
        #expect(try await termination == .signal(SIGUSR1))
        var stopped: [String] = []
        for _ in 0..<4 { stopped.append(await reader.next() ?? "") }
        #expect(stopped == ["group stopping", "third stopped", "second stopped", "first stopped"])
    }

    @Test func aSecondSignalCancelsWhatIgnoresTheFirst() async throws {
        let events = Events<String>()
        let logged = Events<String>()
        let group = ServiceGroup(
            services: [
                RecordingService(name: "patient", events: events),
                RecordingService(name: "stubborn", events: events, ignoresGracefulShutdown: true),
            ], shutdownSignals: [SIGUSR1], reloadSignals: [SIGUSR2], report: { logged.yield("\($0)") })
        let reader = EventReader(events)
        let logReader = EventReader(logged)
        async let termination = group.run()
        _ = await reader.next()
        _ = await reader.next()
        kill(getpid(), SIGUSR1)
        // Two signals sent back to back may merge into one; send the second once the first is in.
        #expect(await logReader.next() == "stopping RecordingService")
        kill(getpid(), SIGUSR1)
        #expect(try await termination == .signal(SIGUSR1))
        var ends: Set<String> = []
        for _ in 0..<2 { ends.insert(await reader.next() ?? "") }
        // The stubborn one is cancelled; the patient one, not yet asked gracefully, is cancelled too.
        #expect(ends == ["stubborn cancelled", "patient cancelled"])
    }
}

@Suite(.timeLimit(.minutes(1))) struct ServiceGroupTests {
    @Test func aFailingServiceStopsTheOthersAndItsErrorIsRethrown() async throws {
        let events = Events<String>()
        let group = ServiceGroup(
            services: [
                RecordingService(name: "a", events: events),
                RecordingService(name: "b", events: events),
                RecordingService(name: "c", events: events, failure: ServiceFault()),
            ], shutdownSignals: [], reloadSignals: [])
        await #expect(throws: ServiceFault.self) { _ = try await group.run() }
        events.continuation.finish()
        var seen: [String] = []
        for await event in events.stream { seen.append(event) }
        #expect(seen.filter { $0.hasSuffix("stopped") } == ["b stopped", "a stopped"])
        #expect(seen.contains("c failing"))
    }

    @Test func aServiceReturningByItselfEndsTheGroup() async throws {
        let events = Events<String>()
        let group = ServiceGroup(
            services: [RecordingService(name: "a", events: events), ReturningService()], shutdownSignals: [], reloadSignals: [])
        await #expect(throws: ServiceGroupError.serviceEnded(1)) { _ = try await group.run() }
    }

    @Test func defaultsAreTermAndIntToStopAndHupToReload() {
        let group = ServiceGroup(services: [])
        #expect(group.shutdownSignals == [SIGTERM, SIGINT])
        #expect(group.reloadSignals == [SIGHUP])
    }

    @Test func runStateStopsOneServiceAtATimeFromTheLast() {
        var state = ServiceGroup.RunState(running: [0, 1, 2])
        func names(_ decisions: [ServiceGroup.RunState.Decision]) -> [String] {
            decisions.map { decision in
                switch decision {
                case .shutdownBegan: "began"
                case .shutDown(let index): "stop \(index)"
                case .cancelAll: "cancel"
                case .reload: "reload"
                case .serviceEnded(let index, let error): "ended \(index)\(error == nil ? "" : " with error")"
                }
            }
        }
        #expect(names(state.handle(.signal(SIGHUP), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["reload"])
        #expect(names(state.handle(.signal(SIGHUP), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == [])
        #expect(names(state.handle(.reloadFinished, shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["reload"])
        #expect(names(state.handle(.reloadFinished, shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == [])
        #expect(names(state.handle(.signal(SIGTERM), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["began", "stop 2"])
        #expect(names(state.handle(.signal(SIGHUP), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == [])
        #expect(
            names(state.handle(.serviceFinished(2, nil), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["ended 2", "stop 1"])
        #expect(
            names(state.handle(.serviceFinished(1, nil), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["ended 1", "stop 0"])
        #expect(names(state.handle(.shutdownRequested, shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP])) == ["cancel"])
        #expect(
            names(state.handle(.serviceFinished(0, CancellationError()), shutdownSignals: [SIGTERM], reloadSignals: [SIGHUP]))
                == ["ended 0 with error"])
        #expect(state.failure == nil)
        #expect(state.running.isEmpty)
        #expect(state.termination == .signal(SIGTERM))
    }
}
