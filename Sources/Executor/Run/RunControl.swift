import Synchronization

/// Why a run was asked to stop early.
public enum StopReason: String, Sendable, Hashable {
    /// SIGINT: exit 130.
    case interrupt
    /// SIGTERM (a `systemctl stop`): exit 143.
    case terminate
}

/// The handle a caller stops a run with: no new work after `requestStop`, calls in flight
/// get `grace` seconds to finish and are then cancelled.
public final class RunControl: Sendable {
    private struct State {
        var reason: StopReason?
        var waiters: [Int: CheckedContinuation<StopReason?, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    /// Seconds calls in flight may take to finish after a stop before they are cancelled.
    public let grace: Double

    public init(grace: Double = 10) {
        self.grace = grace
    }

    /// Asks the run to stop; the first reason wins.
    public func requestStop(_ reason: StopReason) {
        let waiters = state.withLock { state -> [CheckedContinuation<StopReason?, Never>] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    /// The reason a stop was asked for, or nil.
    public var stopReason: StopReason? { state.withLock { $0.reason } }

    /// Waits until a stop is asked for; returns nil when the waiting task is cancelled first.
    func waitForStop() async -> StopReason? {
        let token = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> StopReason?? in
                    if let reason = state.reason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[token] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: token) }
            waiter?.resume(returning: nil)
        }
    }
}
