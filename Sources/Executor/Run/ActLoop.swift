import Ledger

/// The act loop's decisions as a pure state machine, apart from the tasks, the ledger and the clock.
///
/// `RunPass` asks `next(now:)` what to do, carries the action out and answers with the event it
/// produced: intents recorded (or the ledger refusing them), an item's result from the task group
/// (a stop request and the grace period's end arrive the same way), a settle written or refused.
/// The core never reads a clock or sleeps, so tests drive every path with chosen instants.
///
/// The order is the safety argument: an item is dispatched only after its intent is recorded and
/// only while nothing asked the run to stop; once stopping, intents recorded but not sent are
/// settled as skipped, calls in flight are awaited (cancelled once the grace period after a stop
/// ends) and every outcome is settled before the loop finishes.
struct ActLoop {
    enum Action: Equatable {
        /// Poll the stop handle; answer `stopPolled`.
        case pollStop
        /// Read up to `limit` planned threads past the last one and record their intents; answer
        /// `intentsRecorded` (an empty page records nothing) or `ledgerFailed`.
        case recordIntents(limit: Int)
        /// Start the call for this item, its intent already recorded.
        case dispatch(WorkItem)
        /// Wait for the task group's next result; answer `finished`, or `groupEmpty`.
        case awaitResult
        /// Write these outcomes; answer `settled` or `settleFailed`.
        case settle([ActionSettlement])
        /// A stop was asked for while calls are in flight: end the wait after `grace` seconds
        /// with `ItemResult.graceExpired`.
        case startGrace(seconds: Double)
        /// Cancel every task in the group: the grace period after a stop is over.
        case cancelAll
        /// Every call has ended: cancel what is left (the stop watcher, a grace timer) and close
        /// the task group. The last outcomes are settled after it closed.
        case closeGroup
        /// The loop is over; `end` and the counters say how.
        case finish
    }

    enum Event {
        case stopPolled(StopReason?)
        case intentsRecorded([WorkItem], wanted: Int)
        case ledgerFailed(LedgerError)
        case finished(ItemResult)
        case groupEmpty
        case settled
        case settleFailed(LedgerError)
    }

    /// What the shell should log, one per event at most.
    enum Notice: Equatable {
        case actionFailed(threadID: String, settlement: ActionSettlement, failure: String)
        case breakerOpened(String)
        case stopRequested(StopReason)
    }

    enum Phase: Equatable {
        case top
        case polling
        case refill
        case recording
        case dispatching
        case waitingForRoom
        case flushBeforeDispatch
        case dispatchCheck
        case skipUnsent
        case draining
        case drainCancel
        case drainFlush
        case closing
        case finalFlush
        case finished
    }

    let planned: Int
    let intentBatch: Int
    let concurrency: Int
    let settleBatch: Int
    let settleInterval: Duration
    let grace: Double
    /// A report touches nothing at the API: its outcome is known at once, nothing is dispatched.
    let report: Bool

    private(set) var phase = Phase.top
    private(set) var queue: [WorkItem] = []
    private(set) var queueIndex = 0
    private(set) var dispatched = 0
    private(set) var exhausted = false
    private(set) var inFlight = 0
    private(set) var graceStarted = false
    private(set) var lastFlush: ContinuousClock.Instant

    /// Outcomes not yet written.
    private(set) var pending: [ActionSettlement] = []
    /// Threads a 404 showed gone, marked only if the run ends with the API answering sanely.
    private(set) var goneThreads: [String] = []
    private(set) var settledCount = 0
    private(set) var failed = 0
    private(set) var archived = 0
    private(set) var leftOpen = 0
    private(set) var firstFailure: String?
    private(set) var ledgerFailure: LedgerError?
    private(set) var abortReason: String?
    private(set) var abortedByNotFound = false
    private(set) var abortedUnavailable = false
    private(set) var stopReason: StopReason?

    init(
        planned: Int, intentBatch: Int, concurrency: Int, settleBatch: Int, settleInterval: Double, grace: Double,
        report: Bool, start: ContinuousClock.Instant
    ) {
        self.planned = planned
        self.intentBatch = intentBatch
        self.concurrency = concurrency
        self.settleBatch = settleBatch
        self.settleInterval = .milliseconds(Int64(settleInterval * 1000))
        self.grace = grace
        self.report = report
        self.lastFlush = start
    }

    var stopping: Bool { ledgerFailure != nil || abortReason != nil || stopReason != nil }

    /// How the loop ended; meaningful once it finished.
    var end: RunEnd {
        if let abortReason { return .aborted(abortReason) }
        if let stopReason { return .stopped(stopReason) }
        return .completed
    }

    /// Whether the 404s this run saw may mark threads gone: not when they opened the breaker.
    var goneProven: Bool { !abortedByNotFound }

    /// The next thing to do at `now`.
    mutating func next(now: ContinuousClock.Instant) -> Action {
        while true {
            switch phase {
            case .top:
                if stopping {
                    phase = .skipUnsent
                    continue
                }
                phase = .polling
                return .pollStop
            case .polling, .recording:
                preconditionFailure("act loop: \(phase) awaits an event")
            case .refill:
                guard queueIndex == queue.count else {
                    phase = .dispatching
                    continue
                }
                guard !exhausted, dispatched < planned else {
                    phase = .skipUnsent
                    continue
                }
                phase = .recording
                return .recordIntents(limit: min(intentBatch, planned - dispatched))
            case .dispatching:
                if report {
                    let item = queue[queueIndex]
                    queueIndex += 1
                    dispatched += 1
                    _ = apply(
                        .settled(
                            ActionSettlement(actionID: item.actionID, outcome: .ok, attempts: 0), threadID: item.thread.id,
                            archived: false, failure: nil))
                    phase = .top
                    if let settle = settleIfDue(now: now) { return settle }
                    continue
                }
                phase = .waitingForRoom
            case .waitingForRoom:
                if inFlight >= concurrency { return .awaitResult }
                phase = .flushBeforeDispatch
            case .flushBeforeDispatch:
                phase = .dispatchCheck
                if let settle = settleIfDue(now: now) { return settle }
            case .dispatchCheck:
                if stopping {
                    phase = .skipUnsent
                    continue
                }
                let item = queue[queueIndex]
                queueIndex += 1
                dispatched += 1
                inFlight += 1
                phase = .top
                return .dispatch(item)
            case .skipUnsent:
                // Intents recorded but never sent: settled as skipped, the threads untouched.
                let note = notSentNote
                for item in queue[queueIndex...] {
                    pending.append(ActionSettlement(actionID: item.actionID, outcome: .skipped, attempts: 0, error: note))
                }
                queue.removeAll()
                queueIndex = 0
                phase = .draining
            case .draining:
                guard inFlight > 0 else {
                    phase = .closing
                    continue
                }
                if stopReason != nil, !graceStarted {
                    graceStarted = true
                    return .startGrace(seconds: grace)
                }
                return .awaitResult
            case .drainCancel:
                phase = .drainFlush
                return .cancelAll
            case .drainFlush:
                phase = .draining
                if let settle = settleIfDue(now: now) { return settle }
            case .closing:
                phase = .finalFlush
                return .closeGroup
            case .finalFlush:
                phase = .finished
                lastFlush = now
                if !pending.isEmpty { return .settle(pending) }
            case .finished:
                return .finish
            }
        }
    }

    /// Takes the answer to the last action; returns what to log about it.
    mutating func handle(_ event: Event) -> Notice? {
        switch event {
        case .stopPolled(let reason):
            precondition(phase == .polling, "act loop: a stop poll answered in \(phase)")
            guard let reason else {
                phase = .refill
                return nil
            }
            phase = .skipUnsent
            return apply(.stopRequested(reason))
        case .intentsRecorded(let items, let wanted):
            precondition(phase == .recording, "act loop: intents recorded in \(phase)")
            if items.count < wanted { exhausted = true }
            if items.isEmpty {
                phase = .skipUnsent
                return nil
            }
            queue = items
            queueIndex = 0
            phase = .dispatching
            return nil
        case .ledgerFailed(let error):
            ledgerFailure = error
            phase = .skipUnsent
            return nil
        case .finished(let result):
            switch result {
            case .settled, .abort, .leftOpen: inFlight -= 1
            case .stopRequested, .graceExpired: break
            }
            if phase == .draining, case .graceExpired = result { phase = .drainCancel }
            if phase == .draining { phase = .drainFlush }
            return apply(result)
        case .groupEmpty:
            phase = phase == .waitingForRoom ? .flushBeforeDispatch : .closing
            return nil
        case .settled:
            pending.removeAll(keepingCapacity: true)
            return nil
        case .settleFailed(let error):
            if ledgerFailure == nil { ledgerFailure = error }
            return nil
        }
    }

    private var notSentNote: String {
        if let abortReason { return "not sent: the run was aborted: \(abortReason)" }
        if let stopReason { return "not sent: the run was stopped by \(stopReason == .interrupt ? "SIGINT" : "SIGTERM")" }
        return "not sent: the ledger refused a write"
    }

    private mutating func settleIfDue(now: ContinuousClock.Instant) -> Action? {
        guard pending.count >= settleBatch || (!pending.isEmpty && now - lastFlush >= settleInterval) else { return nil }
        lastFlush = now
        return .settle(pending)
    }

    private mutating func apply(_ result: ItemResult) -> Notice? {
        switch result {
        case .settled(var settlement, let threadID, let didArchive, let failure):
            if settlement.outcome == .gone, settlement.threadState == .gone {
                settlement.threadState = nil
                goneThreads.append(threadID)
            }
            pending.append(settlement)
            settledCount += 1
            if didArchive { archived += 1 }
            guard let failure else { return nil }
            failed += 1
            if firstFailure == nil { firstFailure = "thread \(threadID): \(failure)" }
            return .actionFailed(threadID: threadID, settlement: settlement, failure: failure)
        case .abort(let settlement, _, let reason, let notFound, let unavailable):
            pending.append(settlement)
            settledCount += 1
            guard abortReason == nil else { return nil }
            abortReason = reason
            abortedByNotFound = notFound
            abortedUnavailable = unavailable
            return .breakerOpened(reason)
        case .leftOpen:
            leftOpen += 1
            return nil
        case .stopRequested(let reason):
            guard let reason, stopReason == nil else { return nil }
            stopReason = reason
            return .stopRequested(reason)
        case .graceExpired:
            return nil
        }
    }
}
