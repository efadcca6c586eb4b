import Foundation
import Journal
import Ledger
import Rules
import ThreadsAPI

/// A thread with its intent written, waiting for or in its call.
struct WorkItem: Sendable {
    var actionID: Int64
    var thread: ThreadRecord
}

/// What one thread's work came to.
enum ItemResult: Sendable {
    /// An outcome to write; `archived` when an archive was written; `failure` to log.
    case settled(ActionSettlement, threadID: String, archived: Bool, failure: String?)
    /// The run must stop: the breaker opened, the key was refused, or the answer was not the
    /// API's. The settlement is this thread's. `notFound`: the 404s this run saw prove nothing;
    /// `unavailable`: the endpoint is not the Threads API.
    case abort(ActionSettlement, threadID: String, reason: String, notFound: Bool, unavailable: Bool = false)
    /// The call was cancelled at a stop; its outcome is unknown, the intent stays open.
    case leftOpen
    /// A stop was asked for (nil: the watcher was cancelled at the end of the run).
    case stopRequested(StopReason?)
    /// The grace period after a stop is over.
    case graceExpired
}

/// How the act stage ended.
struct PassOutcome {
    var end: RunEnd
    var elapsed: Double
    var leftOpen: Int
    var archived: Int
    var apiUnavailable: Bool
    /// The first failed action's error, for the summary's "why".
    var firstFailure: String?
}

/// The verify–archive–act–record pipeline of one run.
///
/// One task group keeps `concurrency` calls in flight. The next batch of intents is
/// committed when the queue of recorded intents runs dry, so every call's intent is on disk
/// before it is sent, and the calls already in flight carry on meanwhile.
struct RunPass {
    let executor: Executor
    let request: RunRequest
    let plan: RunPlan
    let compiled: CompiledRule
    let runID: Int64
    let control: RunControl
    let progress: (@Sendable (RunProgress) -> Void)?
    let logger: Logger

    var ledger: Ledger { executor.ledger }
    var settings: ExecutorSettings { executor.settings }

    // Mutable state of the pass, touched only by the task running `execute`.
    private var pending: [ActionSettlement] = []
    private var goneThreads: [String] = []
    private var lastFlush = ContinuousClock.now
    private var settled = 0
    private var failed = 0
    private var archived = 0
    private var firstFailure: String?
    private var leftOpen = 0
    private var ledgerFailure: LedgerError?
    private var abortReason: String?
    private var abortedByNotFound = false
    private var abortedUnavailable = false
    private var stopReason: StopReason?
    private let started = ContinuousClock.now

    init(
        executor: Executor, request: RunRequest, plan: RunPlan, compiled: CompiledRule, runID: Int64, control: RunControl,
        progress: (@Sendable (RunProgress) -> Void)?, logger: Logger
    ) {
        self.executor = executor
        self.request = request
        self.plan = plan
        self.compiled = compiled
        self.runID = runID
        self.control = control
        self.progress = progress
        self.logger = logger
    }

    var concurrency: Int {
        min(settings.concurrency, request.rule.limits.concurrency ?? Int.max)
    }

    var stopping: Bool { ledgerFailure != nil || abortReason != nil || stopReason != nil }

    mutating func execute() async throws -> PassOutcome {
        var position: ThreadPosition?
        var queue: [WorkItem] = []
        var queueIndex = 0
        var dispatched = 0
        var exhausted = false
        let action = request.rule.action
        let worker = ItemWorker(
            client: executor.client, rule: request.rule, compiled: compiled, runID: runID, archive: settings.archive,
            now: executor.now)

        await withTaskGroup(of: ItemResult.self) { group in
            group.addTask { [control] in .stopRequested(await control.waitForStop()) }
            var inFlight = 0
            while !stopping {
                if let reason = control.stopReason, stopReason == nil {
                    handle(.stopRequested(reason))
                    break
                }
                if queueIndex == queue.count {
                    guard !exhausted, dispatched < plan.planned else { break }
                    let wanted = min(settings.intentBatch, plan.planned - dispatched)
                    let page: [ThreadRecord]
                    let ids: [Int64]
                    do {
                        page = try ledger.threads(matching: plan.query, after: position, limit: wanted)
                        if page.count < wanted { exhausted = true }
                        guard let last = page.last else { break }
                        position = ThreadPosition(last)
                        ids = try ledger.recordIntents(
                            runID: runID,
                            page.map {
                                ActionIntent(threadID: $0.id, action: action.rawValue, reason: Planner.reason(compiled, $0))
                            })
                    } catch {
                        ledgerFailure = Self.ledgerError(error)
                        break
                    }
                    queue = zip(ids, page).map { WorkItem(actionID: $0, thread: $1) }
                    queueIndex = 0
                }
                if action == .report {
                    // A report touches nothing at the API: its outcome is known at once.
                    let item = queue[queueIndex]
                    queueIndex += 1
                    dispatched += 1
                    handle(
                        .settled(
                            ActionSettlement(actionID: item.actionID, outcome: .ok, attempts: 0), threadID: item.thread.id, archived: false,
                            failure: nil))
                    flushIfDue()
                    continue
                }
                while inFlight >= concurrency, let result = await group.next() {
                    if case .stopRequested = result {} else { inFlight -= 1 }
                    handle(result)
                }
                flushIfDue()
                if stopping { break }
                let item = queue[queueIndex]
                queueIndex += 1
                dispatched += 1
                inFlight += 1
                if item.thread.metadataUnreadable {
                    logger.warning(
                        "the ledger's metadata of thread '\(item.thread.id)' cannot be parsed: it counts as held until the api's copy replaces it",
                        metadata: ["thread": item.thread.id])
                }
                group.addTask { await worker.process(item) }
            }
            // Intents recorded but never sent: settled as skipped, the threads untouched.
            let note = notSentNote()
            for item in queue[queueIndex...] {
                pending.append(ActionSettlement(actionID: item.actionID, outcome: .skipped, attempts: 0, error: note))
            }
            queue.removeAll()
            var timerStarted = false
            while inFlight > 0 {
                if stopReason != nil, !timerStarted {
                    timerStarted = true
                    group.addTask { [grace = control.grace] in
                        try? await Task.sleep(for: .milliseconds(Int64(grace * 1000)))
                        return .graceExpired
                    }
                }
                guard let result = await group.next() else { break }
                switch result {
                case .graceExpired: group.cancelAll()
                case .stopRequested: break
                default: inFlight -= 1
                }
                handle(result)
                flushIfDue()
            }
            group.cancelAll()
        }
        flush()
        if let ledgerFailure { throw ExecutorError.ledger(ledgerFailure) }
        // 404s change the inventory only once the run shows the API answering sanely: a
        // breaker opened by a flood of 404s (wrong BaseURL=) leaves every thread live.
        if !abortedByNotFound, !goneThreads.isEmpty {
            try executor.wrapLedger { _ = try ledger.markState(.gone, threadIDs: goneThreads) }
        }
        let end: RunEnd
        if let abortReason {
            end = .aborted(abortReason)
        } else if let stopReason {
            end = .stopped(stopReason)
        } else {
            end = .completed
        }
        return PassOutcome(
            end: end, elapsed: elapsedSeconds, leftOpen: leftOpen, archived: archived, apiUnavailable: abortedUnavailable,
            firstFailure: firstFailure)
    }

    private var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private func notSentNote() -> String {
        if let abortReason { return "not sent: the run was aborted: \(abortReason)" }
        if let stopReason { return "not sent: the run was stopped by \(stopReason == .interrupt ? "SIGINT" : "SIGTERM")" }
        return "not sent: the ledger refused a write"
    }

    private mutating func handle(_ result: ItemResult) {
        switch result {
        case .settled(var settlement, let threadID, let didArchive, let failure):
            if settlement.outcome == .gone, settlement.threadState == .gone {
                settlement.threadState = nil
                goneThreads.append(threadID)
            }
            pending.append(settlement)
            settled += 1
            if didArchive { archived += 1 }
            if let failure {
                failed += 1
                if firstFailure == nil { firstFailure = "thread \(threadID): \(failure)" }
                logger.actionFailed(
                    rule: request.rule.name, run: runID, thread: threadID, httpStatus: settlement.httpStatus,
                    requestID: settlement.requestID, attempts: settlement.attempts, error: failure)
            }
        case .abort(let settlement, _, let reason, let notFound, let unavailable):
            pending.append(settlement)
            settled += 1
            if abortReason == nil {
                abortReason = reason
                abortedByNotFound = notFound
                abortedUnavailable = unavailable
                logger.breakerOpened(rule: request.rule.name, run: runID, reason: reason)
            }
        case .leftOpen:
            leftOpen += 1
        case .stopRequested(let reason):
            if let reason, stopReason == nil {
                stopReason = reason
                logger.notice("stop requested (\(reason.rawValue)): no new calls; waiting for the \(concurrency) in flight at most")
            }
        case .graceExpired:
            break
        }
    }

    private mutating func flushIfDue() {
        if pending.count >= settings.settleBatch
            || (!pending.isEmpty && ContinuousClock.now - lastFlush >= .milliseconds(Int64(settings.settleInterval * 1000)))
        {
            flush()
        }
    }

    private mutating func flush() {
        lastFlush = ContinuousClock.now
        guard !pending.isEmpty else { return }
        // Tried even after an intent could not be written: the outcomes of calls already
        // made are worth keeping whenever the ledger still takes them.
        do {
            try ledger.settle(pending)
            pending.removeAll(keepingCapacity: true)
        } catch {
            if ledgerFailure == nil { ledgerFailure = Self.ledgerError(error) }
        }
        progress?(
            RunProgress(rule: request.rule.name, planned: plan.planned, settled: settled, failed: failed, elapsed: elapsedSeconds))
    }

    static func ledgerError(_ error: any Error) -> LedgerError {
        error as? LedgerError ?? LedgerError(.io, "ledger write failed: \(error)")
    }
}
