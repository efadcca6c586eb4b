import Daemon
import Foundation
import Synchronization

/// Sleepers waiting on a manual time line, woken when a test moves time past their deadline.
final class ManualTimeline: Sendable {
    private struct Sleeper {
        var id: Int
        var deadline: Double
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Double
        var nextID = 0
        var sleepers: [Sleeper] = []
        var sleepWatchers: [CheckedContinuation<Double, Never>] = []
        var unseenSleeps: [Double] = []
    }

    private let state: Mutex<State>

    init(now: Double) {
        state = Mutex(State(now: now))
    }

    var now: Double { state.withLock { $0.now } }

    func sleep(until deadline: Double) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (immediate, watcher): (Bool, CheckedContinuation<Double, Never>?) = state.withLock { state in
                    if Task.isCancelled || deadline <= state.now { return (true, nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    if state.sleepWatchers.isEmpty {
                        state.unseenSleeps.append(deadline)
                        return (false, nil)
                    }
                    return (false, state.sleepWatchers.removeFirst())
                }
                if immediate {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
                watcher?.resume(returning: deadline)
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Waits until some task sleeps (or has slept since the last call) and returns its deadline.
    func nextSleep() async -> Double {
        await withCheckedContinuation { (continuation: CheckedContinuation<Double, Never>) in
            let seen: Double? = state.withLock { state in
                if !state.unseenSleeps.isEmpty { return state.unseenSleeps.removeFirst() }
                state.sleepWatchers.append(continuation)
                return nil
            }
            if let seen { continuation.resume(returning: seen) }
        }
    }

    /// Moves time to `time` and wakes every sleeper whose deadline has come.
    func advance(to time: Double) {
        let due: [Sleeper] = state.withLock { state in
            state.now = max(state.now, time)
            let due = state.sleepers.filter { $0.deadline <= state.now }
            state.sleepers.removeAll { $0.deadline <= state.now }
            state.unseenSleeps.removeAll()
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// A `WallClock` that moves only when the test says so.
struct ManualWallClock: WallClock {
    let timeline: ManualTimeline

    init(now: Date) {
        timeline = ManualTimeline(now: now.timeIntervalSince1970)
    }

    var now: Date { Date(timeIntervalSince1970: timeline.now) }

    func sleep(until deadline: Date) async throws {
        try await timeline.sleep(until: deadline.timeIntervalSince1970)
    }

    func nextSleep() async -> Date { Date(timeIntervalSince1970: await timeline.nextSleep()) }

    func advance(to date: Date) { timeline.advance(to: date.timeIntervalSince1970) }
}

/// A `Clock` over the same kind of manual time line, for code that sleeps for durations.
struct ManualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let timeline = ManualTimeline(now: 0)

    var now: Instant { Instant(offset: .seconds(timeline.now)) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await timeline.sleep(until: Self.seconds(deadline.offset))
    }

    func nextSleep() async -> Duration { .seconds(await timeline.nextSleep()) }

    func advance(by duration: Duration) { timeline.advance(to: timeline.now + Self.seconds(duration)) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A schedule elapsing every `period` seconds from `origin` (like `*:*:0/5`).
struct EverySchedule: ScheduleSource {
    var origin: Date
    var period: TimeInterval
    var normalized: String { "every \(period)s from \(origin.timeIntervalSince1970)" }

    func nextElapse(after date: Date) -> Date? {
        let steps = ((date.timeIntervalSince(origin)) / period).rounded(.down) + 1
        return origin.addingTimeInterval(max(steps, 0) * period)
    }
}

/// A schedule with a fixed list of elapses.
struct ListSchedule: ScheduleSource {
    var elapses: [Date]
    var normalized: String { elapses.map { String($0.timeIntervalSince1970) }.joined(separator: ",") }

    func nextElapse(after date: Date) -> Date? { elapses.sorted().first { $0 > date } }
}
