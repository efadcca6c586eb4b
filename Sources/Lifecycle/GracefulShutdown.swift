import Synchronization

/// The graceful-shutdown request of one service in a `ServiceGroup`; reached through the task-local
/// `GracefulShutdown.current`, so child tasks of the service see it too.
final class GracefulShutdown: Sendable {
    @TaskLocal static var current: GracefulShutdown?

    private struct State {
        var triggered = false
        var nextID = 0
        var handlers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    var isTriggered: Bool { state.withLock { $0.triggered } }

    /// Runs every registered handler once; later registrations run at once.
    func trigger() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard !state.triggered else { return [] }
            state.triggered = true
            defer { state.handlers.removeAll() }
            return Array(state.handlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Registers `handler`; nil means shutdown was already requested and `handler` has run.
    func register(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let id: Int? = state.withLock { state in
            guard !state.triggered else { return nil }
            state.nextID += 1
            state.handlers[state.nextID] = handler
            return state.nextID
        }
        if id == nil { handler() }
        return id
    }

    func unregister(_ id: Int) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }
}

/// Runs `operation`; when the service group asks the current service to shut down gracefully
/// while it runs, `onGracefulShutdown` is called (once, on the signal's thread: keep it short,
/// for instance set a flag or resume a waiter). Outside a group, only `operation` runs.
public func withGracefulShutdownHandler<T>(
    isolation: isolated (any Actor)? = #isolation, operation: () async throws -> T,
    onGracefulShutdown: @escaping @Sendable () -> Void
) async rethrows -> T {
    guard let shutdown = GracefulShutdown.current, let id = shutdown.register(onGracefulShutdown) else {
        return try await operation()
    }
    defer { shutdown.unregister(id) }
    return try await operation()
}

/// Suspends until the service group asks the current service to shut down gracefully; throws
/// `CancellationError` when the task is cancelled first. Outside a group, waits for cancellation.
public func gracefulShutdown() async throws {
    let waiter = Waiter()
    try await withTaskCancellationHandler {
        try await withGracefulShutdownHandler {
            try await waiter.wait()
        } onGracefulShutdown: {
            waiter.resume(throwing: nil)
        }
    } onCancel: {
        waiter.resume(throwing: CancellationError())
    }
}

/// Sleeps for `interval` on `clock` unless the service is asked to stop first: returns true
/// when a graceful shutdown or cancellation ended the wait, false when the interval passed.
///
/// The pause between the rounds of a periodic service (the watchdog, the metrics file).
public func sleepUnlessStopped(for interval: Duration, clock: any Clock<Duration>) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            do {
                try await clock.sleep(for: interval)
                return false
            } catch {
                return true
            }
        }
        group.addTask {
            do {
                try await gracefulShutdown()
            } catch {}
            return true
        }
        let first = await group.next() ?? true
        group.cancelAll()
        return first
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the service group has asked the current service to shut down gracefully.
    public static var isShuttingDownGracefully: Bool { GracefulShutdown.current?.isTriggered ?? false }
}

/// A flag set from any thread (a graceful-shutdown handler) and read by a loop.
public final class StopFlag: Sendable {
    private let value = Mutex(false)

    public init() {}

    public var isSet: Bool { value.withLock { $0 } }

    public func set() { value.withLock { $0 = true } }
}

/// A one-shot wake-up that may be resumed before or after someone waits on it.
final class Waiter: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>)
        case resumed((any Error)?)
    }

    private let state = Mutex(State.idle)

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let early: (any Error)?? = state.withLock { state in
                switch state {
                case .idle:
                    state = .waiting(continuation)
                    return .none
                case .resumed(let error):
                    return .some(error)
                case .waiting:
                    preconditionFailure("a Waiter is awaited once")
                }
            }
            if let early {
                if let error = early { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }

    /// Wakes the waiter (now or when it waits); only the first call counts.
    func resume(throwing error: (any Error)?) {
        let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
            switch state {
            case .idle:
                state = .resumed(error)
                return nil
            case .waiting(let continuation):
                state = .resumed(error)
                return continuation
            case .resumed:
                return nil
            }
        }
        if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
    }
}
