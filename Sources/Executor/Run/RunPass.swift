import Foundation
import Journal
import Ledger
import Rules
import ThreadsAPI

/// A thread with its intent written, waiting for or in its call.
struct WorkItem: Sendable, Equatable {
    var actionID: Int64
    var thread: ThreadRecord
}

/// What one thread's work came to.
enum ItemResult: Sendable, Equatable {
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

    /// Carries out the act loop's actions and feeds it their results until it finishes.
    func execute() async throws -> PassOutcome {
        var loop = ActLoop(
            planned: plan.planned, intentBatch: settings.intentBatch, concurrency: concurrency,
            settleBatch: settings.settleBatch, settleInterval: settings.settleInterval, grace: control.grace,
            report: request.rule.action == .report, start: started)
        var position: ThreadPosition?
        let worker = ItemWorker(
            client: executor.client, rule: request.rule, compiled: compiled, runID: runID, archive: settings.archive,
            now: executor.now)

        await withTaskGroup(of: ItemResult.self) { group in
            group.addTask { [control] in .stopRequested(await control.waitForStop()) }
            actions: while true {
                let event: ActLoop.Event
                switch loop.next(now: ContinuousClock.now) {
                case .pollStop:
                    event = .stopPolled(control.stopReason)
                case .recordIntents(let limit):
                    event = recordIntents(limit: limit, after: &position)
                case .dispatch(let item):
                    if item.thread.metadataUnreadable {
                        logger.warning(
                            "the ledger's metadata of thread '\(item.thread.id)' cannot be parsed: it counts as held until the api's copy replaces it",
                            metadata: ["thread": item.thread.id])
                    }
                    group.addTask { await worker.process(item) }
                    continue
                case .awaitResult:
                    if let result = await group.next() {
                        event = .finished(result)
                    } else {
                        event = .groupEmpty
                    }
                case .settle(let settlements):
                    event = settle(settlements, loop)
                case .startGrace(let grace):
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(Int64(grace * 1000)))
                        return .graceExpired
                    }
                    continue
                case .cancelAll:
                    group.cancelAll()
                    continue
                case .closeGroup:
                    group.cancelAll()
                    break actions
                case .finish:
                    preconditionFailure("act loop finished before its last settle")
                }
                log(loop.handle(event))
            }
        }
        // The group awaited its cancelled tasks as it closed; the last outcomes are written now.
        while case .settle(let settlements) = loop.next(now: ContinuousClock.now) {
            log(loop.handle(settle(settlements, loop)))
        }
        if let ledgerFailure = loop.ledgerFailure { throw ExecutorError.ledger(ledgerFailure) }
        // 404s change the inventory only once the run shows the API answering sanely: a
        // breaker opened by a flood of 404s (wrong BaseURL=) leaves every thread live.
        if loop.goneProven, !loop.goneThreads.isEmpty {
            try executor.wrapLedger { _ = try ledger.markState(.gone, threadIDs: loop.goneThreads) }
        }
        return PassOutcome(
            end: loop.end, elapsed: elapsedSeconds, leftOpen: loop.leftOpen, archived: loop.archived,
            apiUnavailable: loop.abortedUnavailable, firstFailure: loop.firstFailure)
    }

    private var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Reads the next page of planned threads and records their intents before any is sent.
    private func recordIntents(limit: Int, after position: inout ThreadPosition?) -> ActLoop.Event {
        do {
            let page = try ledger.threads(matching: plan.query, after: position, limit: limit)
            guard let last = page.last else { return .intentsRecorded([], wanted: limit) }
            position = ThreadPosition(last)
            let ids = try ledger.recordIntents(
                runID: runID,
                page.map {
                    ActionIntent(
                        threadID: $0.id, action: request.rule.action.rawValue, reason: Planner.reason(compiled, $0), object: $0.object)
                })
            return .intentsRecorded(zip(ids, page).map { WorkItem(actionID: $0, thread: $1) }, wanted: limit)
        } catch {
            return .ledgerFailed(Self.ledgerError(error))
        }
    }

    /// Writes outcomes. Tried even after an intent could not be written: the outcomes of calls
    /// already made are worth keeping whenever the ledger still takes them.
    private func settle(_ settlements: [ActionSettlement], _ loop: ActLoop) -> ActLoop.Event {
        let event: ActLoop.Event
        do {
            try ledger.settle(settlements)
            event = .settled
        } catch {
            event = .settleFailed(Self.ledgerError(error))
        }
        progress?(
            RunProgress(
                rule: request.rule.name, planned: plan.planned, settled: loop.settledCount, failed: loop.failed,
                elapsed: elapsedSeconds))
        return event
    }

    private func log(_ notice: ActLoop.Notice?) {
        switch notice {
        case .actionFailed(let threadID, let settlement, let failure):
            logger.actionFailed(
                rule: request.rule.name, run: runID, thread: threadID, httpStatus: settlement.httpStatus,
                requestID: settlement.requestID, attempts: settlement.attempts, error: failure)
        case .breakerOpened(let reason):
            logger.breakerOpened(rule: request.rule.name, run: runID, reason: reason)
        case .stopRequested(let reason):
            logger.notice("stop requested (\(reason.rawValue)): no new calls; waiting for the \(concurrency) in flight at most")
        case nil:
            break
        }
    }

    static func ledgerError(_ error: any Error) -> LedgerError {
        error as? LedgerError ?? LedgerError(.io, "ledger write failed: \(error)")
    }
}
