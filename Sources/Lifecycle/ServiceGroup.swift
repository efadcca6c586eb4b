import Foundation

/// Runs services together and stops them the way systemd expects of a daemon.
///
/// Modelled on swift-service-lifecycle's `ServiceGroup`: every service runs in a child task.
/// The first SIGTERM or SIGINT (or `triggerGracefulShutdown()`) shuts the services down
/// gracefully one at a time in reverse order (the last started stops first, each waited for); a
/// second one cancels every task at once. SIGHUP calls the reload handler (never two at once; a
/// SIGHUP during a reload runs one more reload after it). A service that returns or throws
/// while the group runs shuts the others down gracefully; its error is rethrown at the end.
///
/// `onStart` runs once the signal handlers are in place and the services launched (the moment
/// to send `READY=1`: a `systemctl reload` right after it must not meet SIGHUP's default
/// action); `onShutdown` runs when the first stop request arrives (the moment for
/// `STOPPING=1`); a reload runs `onReload`. What the group does to its services goes to
/// `report` as a `Report`, for the caller to log with its own logger: this module sits below
/// the logging one.
public actor ServiceGroup {
    /// How the group came to stop.
    public enum Termination: Sendable, Equatable {
        /// A shutdown signal arrived (the first one's number).
        case signal(Int32)
        /// `triggerGracefulShutdown()` was called.
        case requested
    }

    enum Event: Sendable {
        case signal(Int32)
        case shutdownRequested
        case serviceFinished(Int, (any Error)?)
        case reloadFinished
    }

    public nonisolated let services: [any Service]
    public nonisolated let shutdownSignals: [Int32]
    public nonisolated let reloadSignals: [Int32]
    private let onReload: @Sendable () async -> Void
    private let onStart: @Sendable () async -> Void
    private let onShutdown: @Sendable () -> Void
    private let report: @Sendable (Report) -> Void
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    public init(
        services: [any Service], shutdownSignals: [Int32] = [SIGTERM, SIGINT], reloadSignals: [Int32] = [SIGHUP],
        onStart: @escaping @Sendable () async -> Void = {}, onShutdown: @escaping @Sendable () -> Void = {},
        onReload: @escaping @Sendable () async -> Void = {}, report: @escaping @Sendable (Report) -> Void = { _ in }
    ) {
        self.services = services
        self.report = report
        self.shutdownSignals = shutdownSignals
        self.reloadSignals = reloadSignals
        self.onStart = onStart
        self.onShutdown = onShutdown
        self.onReload = onReload
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Asks the group to shut down gracefully, as a first SIGTERM would; a second call cancels.
    public nonisolated func triggerGracefulShutdown() {
        eventSink.yield(.shutdownRequested)
    }

    /// Runs until every service has stopped; rethrows the first error a service threw (other
    /// than the cancellation a second signal causes).
    public func run() async throws -> Termination {
        let sink = eventSink
        let sources = await SignalSources.install(signals: shutdownSignals + reloadSignals) { sink.yield(.signal($0)) }
        defer { sources.cancel() }
        let shutdowns = services.map { _ in GracefulShutdown() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, service) in services.enumerated() {
                group.addTask {
                    do {
                        try await GracefulShutdown.$current.withValue(shutdowns[index]) { try await service.run() }
                        sink.yield(.serviceFinished(index, nil))
                    } catch {
                        sink.yield(.serviceFinished(index, error))
                    }
                }
            }
            var state = RunState(running: Set(services.indices))
            if state.running.isEmpty { return .requested }
            group.addTask { [onStart] in await onStart() }
            for await event in events {
                for decision in state.handle(event, shutdownSignals: shutdownSignals, reloadSignals: reloadSignals) {
                    switch decision {
                    case .shutdownBegan:
                        onShutdown()
                    case .shutDown(let index):
                        report(.stopping(Self.name(of: services[index])))
                        shutdowns[index].trigger()
                    case .cancelAll:
                        report(.cancellingAll)
                        group.cancelAll()
                    case .reload:
                        group.addTask { [onReload] in
                            await onReload()
                            sink.yield(.reloadFinished)
                        }
                    case .serviceEnded(let index, let error):
                        let name = Self.name(of: services[index])
                        switch error {
                        case nil: report(.stopped(name))
                        case is CancellationError: report(.cancelled(name))
                        case let error?: report(.failed(name, error))
                        }
                    }
                }
                if state.running.isEmpty && !state.reloading { break }
            }
            if let failure = state.failure { throw failure }
            return state.termination ?? .requested
        }
    }

    static func name(of service: any Service) -> String { String(describing: type(of: service)) }

    /// What the group did to a service, for the caller's log; `message` is the line to log.
    public enum Report: Sendable, CustomStringConvertible {
        /// The service (named by its type) was asked to shut down gracefully.
        case stopping(String)
        /// A second stop request: every service is cancelled at once.
        case cancellingAll
        /// The service returned.
        case stopped(String)
        /// The service ended by cancellation.
        case cancelled(String)
        /// The service threw.
        case failed(String, any Error)

        public var description: String {
            switch self {
            case .stopping(let name): "stopping \(name)"
            case .cancellingAll: "second stop request: cancelling every service now"
            case .stopped(let name): "\(name) stopped"
            case .cancelled(let name): "\(name) cancelled"
            case .failed(let name, let error): "\(name) failed: \(error)"
            }
        }
    }

    /// The group's decisions, apart from the tasks: which service to stop next, when to cancel.
    struct RunState {
        enum Decision {
            case shutdownBegan
            case shutDown(Int)
            case cancelAll
            case reload
            case serviceEnded(Int, (any Error)?)
        }

        enum Phase {
            case running
            case shuttingDown
            case cancelled
        }

        var running: Set<Int>
        var phase = Phase.running
        var reloading = false
        var reloadPending = false
        var failure: (any Error)?
        var termination: Termination?

        mutating func handle(_ event: Event, shutdownSignals: [Int32], reloadSignals: [Int32]) -> [Decision] {
            switch event {
            case .signal(let number) where shutdownSignals.contains(number):
                return requestShutdown(.signal(number))
            case .shutdownRequested:
                return requestShutdown(.requested)
            case .signal(let number) where reloadSignals.contains(number):
                guard phase == .running else { return [] }
                if reloading {
                    reloadPending = true
                    return []
                }
                reloading = true
                return [.reload]
            case .signal:
                return []
            case .reloadFinished:
                reloading = false
                if reloadPending && phase == .running {
                    reloadPending = false
                    reloading = true
                    return [.reload]
                }
                return []
            case .serviceFinished(let index, let error):
                running.remove(index)
                if let error, !(phase == .cancelled && error is CancellationError), failure == nil {
                    failure = error
                }
                var decisions: [Decision] = [.serviceEnded(index, error)]
                if phase == .running {
                    // A service that ends by itself takes the group down with it.
                    if failure == nil { failure = ServiceGroupError.serviceEnded(index) }
                    phase = .shuttingDown
                    decisions.append(.shutdownBegan)
                }
                // Stop the next one only once the previous has stopped: reverse order, one at a time.
                if phase == .shuttingDown, let next = running.max() { decisions.append(.shutDown(next)) }
                return decisions
            }
        }

        private mutating func requestShutdown(_ reason: Termination) -> [Decision] {
            switch phase {
            case .running:
                phase = .shuttingDown
                termination = reason
                return [.shutdownBegan] + (running.max().map { [.shutDown($0)] } ?? [])
            case .shuttingDown:
                phase = .cancelled
                return [.cancelAll]
            case .cancelled:
                return []
            }
        }
    }
}

/// Why a service group failed other than by a service's own error.
public enum ServiceGroupError: Error, CustomStringConvertible, Equatable {
    /// Service number `index` returned while the group was running, before anyone asked it to.
    case serviceEnded(Int)

    public var description: String {
        switch self {
        case .serviceEnded(let index): "service \(index) stopped by itself before the daemon was asked to stop"
        }
    }
}
