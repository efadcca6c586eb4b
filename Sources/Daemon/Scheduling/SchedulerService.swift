import Foundation
import Journal
import Lifecycle
import Synchronization

/// The scheduler loop: carries out `Scheduler`'s actions on a clock.
///
/// Each started run is a child task, so a long run of one rule never delays another's start.
/// While idle the loop sleeps until the next elapse and is woken early by a reload, a finished
/// run or a stop request: no polling. On graceful shutdown it starts nothing new and waits for
/// the runs in flight (which see the same graceful-shutdown request through
/// `withGracefulShutdownHandler` and stop as a SIGTERM'd run does).
public actor SchedulerService: Service {
    /// Carries out one run of the named rule and returns when it has ended.
    public typealias Launch = @Sendable (String) async -> Void

    private var scheduler: Scheduler
    private let clock: any WallClock
    private let logger: Logger
    private let launch: Launch
    private let onStatus: @Sendable (DaemonStatus) -> Void
    /// Progress of the runs in flight; written from the runs' own threads through `report`.
    private let progress = ProgressStore()
    private var lastStatus: DaemonStatus?
    private var lastProgressStatusAt: Date?
    private let wakeup = Wakeup()
    private let stopRequested = StopFlag()

    /// Progress-only status changes are sent at most this often; state changes at once.
    public static let progressStatusInterval: TimeInterval = 1

    public init(
        scheduler: Scheduler, clock: any WallClock = SystemWallClock(), logger: Logger,
        onStatus: @escaping @Sendable (DaemonStatus) -> Void = { _ in }, launch: @escaping Launch
    ) {
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger
        self.onStatus = onStatus
        self.launch = launch
    }

    public func run() async throws {
        let stop = stopRequested
        let wakeup = wakeup
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                while !stop.isSet && !Task.isCancelled {
                    var sleepUntil: Date?
                    for action in scheduler.advance(now: clock.now) {
                        switch action {
                        case .start(let rule):
                            progress.begin(rule)
                            logger.debug("starting scheduled run", metadata: ["rule": rule])
                            group.addTask { [launch] in
                                await launch(rule)
                                await self.runEnded(rule)
                            }
                        case .skipOverlap(let rule):
                            logger.notice("schedule elapsed while the previous run is still going; skipped", metadata: ["rule": rule])
                        case .sleep(let until):
                            sleepUntil = until
                        }
                    }
                    publishStatus(force: false)
                    await nap(until: sleepUntil)
                }
                let waiting = scheduler.running
                if !waiting.isEmpty { logger.info("waiting for \(waiting.joined(separator: ", ")) to stop") }
                publish(.stopping(waitingFor: waiting))
            }
        } onGracefulShutdown: {
            stop.set()
            wakeup.signal()
        }
    }

    /// Replaces the scheduled rules (after a reload) and recomputes what is due.
    public func update(rules: [ScheduledRule]) {
        scheduler.update(rules: rules, now: clock.now)
        publishStatus(force: true)
        wakeup.signal()
    }

    /// Records a run's progress for the status line; callable from any thread (the Executor's
    /// progress callback is synchronous). The loop is woken at most once per
    /// `progressStatusInterval` to publish it; updates of runs not in flight are ignored.
    public nonisolated func report(_ update: DaemonStatus.Progress) {
        if progress.update(update, now: clock.now, interval: Self.progressStatusInterval) { wakeup.signal() }
    }

    /// Returns at once unless the actor is blocked: the watchdog's proof that the loop is alive.
    public func heartbeat() {}

    /// What the daemon is doing now.
    public var status: DaemonStatus {
        if stopRequested.isSet { return .stopping(waitingFor: scheduler.running) }
        let running = scheduler.running
        if running.isEmpty { return .idle(next: scheduler.nextElapse) }
        return .running(running.map { progress[$0] ?? DaemonStatus.Progress(rule: $0) })
    }

    /// The scheduler's current state (for tests and the reload report).
    public var snapshot: Scheduler { scheduler }

    private func runEnded(_ rule: String) {
        scheduler.finished(rule, at: clock.now)
        progress.end(rule)
        publishStatus(force: true)
        wakeup.signal()
    }

    private func nap(until deadline: Date?) async {
        let clock = clock
        let wakeup = wakeup
        await withTaskGroup(of: Void.self) { group in
            if let deadline { group.addTask { try? await clock.sleep(until: deadline) } }
            group.addTask { await wakeup.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    private func publishStatus(force: Bool) {
        let current = status
        if current == lastStatus { return }
        let now = clock.now
        if !force, case .running = current, case .running = lastStatus, let last = lastProgressStatusAt,
            now.timeIntervalSince(last) < Self.progressStatusInterval
        {
            return
        }
        if case .running = current { lastProgressStatusAt = now }
        publish(current)
    }

    private func publish(_ status: DaemonStatus) {
        lastStatus = status
        onStatus(status)
    }
}

/// The progress of runs in flight, shared by the loop and the runs' progress callbacks.
final class ProgressStore: Sendable {
    private struct State {
        var runs: [String: DaemonStatus.Progress] = [:]
        var lastWake: Date?
    }

    private let state = Mutex(State())

    subscript(rule: String) -> DaemonStatus.Progress? { state.withLock { $0.runs[rule] } }

    func begin(_ rule: String) { state.withLock { $0.runs[rule] = DaemonStatus.Progress(rule: rule) } }

    func end(_ rule: String) { _ = state.withLock { $0.runs.removeValue(forKey: rule) } }

    /// Stores `update`; true when the loop should be woken to publish it (at most once per `interval`).
    func update(_ update: DaemonStatus.Progress, now: Date, interval: TimeInterval) -> Bool {
        state.withLock { state in
            guard state.runs[update.rule] != nil else { return false }
            state.runs[update.rule] = update
            if let last = state.lastWake, now.timeIntervalSince(last) < interval { return false }
            state.lastWake = now
            return true
        }
    }
}
