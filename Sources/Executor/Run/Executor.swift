import Foundation
import Journal
import Ledger
import Rules
import ThreadsAPI

/// How the executor paces and batches its work.
public struct ExecutorSettings: Sendable {
    /// Calls in flight at once (`Concurrency=`; a rule's own limit may lower it).
    public var concurrency: Int
    /// Where `Archive=yes` writes.
    public var archive: ArchiveStore
    /// Intents written in one transaction before their calls go out.
    public var intentBatch: Int
    /// Outcomes written in one transaction.
    public var settleBatch: Int
    /// Seconds outcomes may wait before they are written anyway.
    public var settleInterval: Double

    public init(
        concurrency: Int, archive: ArchiveStore, intentBatch: Int? = nil, settleBatch: Int = 64, settleInterval: Double = 0.25
    ) {
        self.concurrency = max(1, concurrency)
        self.archive = archive
        // Enough intents ahead that the calls never wait for the next batch's commit.
        self.intentBatch = intentBatch ?? max(32, 4 * max(1, concurrency))
        self.settleBatch = max(1, settleBatch)
        self.settleInterval = settleInterval
    }
}

/// Carries out one run of one rule: plan, guard, verify, archive, act, record, summary.
///
/// The CLI's `run` and the daemon's scheduler both come through `run(_:control:progress:)`.
/// Every action's intent is committed to the ledger before its call goes out; outcomes are
/// written in batches after. A crash leaves open intents, which `reconcile` settles from the
/// API's answers before any new work.
public final class Executor: Sendable {
    public let ledger: Ledger
    public let client: ThreadsClient
    public let settings: ExecutorSettings
    public let logger: Logger
    /// Unix seconds, for compiling rules and stamping archives.
    let now: @Sendable () -> Int64

    public init(
        ledger: Ledger, client: ThreadsClient, settings: ExecutorSettings, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.ledger = ledger
        self.client = client
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    /// Plans, guards and carries out `request`; returns what happened.
    ///
    /// Throws `ExecutorError.lockHeld` when another process runs the rule, `.reconciliationFailed`
    /// when an earlier run's open intents cannot be settled, `.probeFailed` when the read-only
    /// probe before the first change shows that the API cannot be trusted (nothing is sent
    /// then), `.ledger` when the ledger refuses a write (no call is sent after that), and the
    /// plan's errors for `--plan`.
    public func run(
        _ request: RunRequest, control: RunControl = RunControl(), progress: (@Sendable (RunProgress) -> Void)? = nil
    ) async throws -> RunReport {
        let rule = request.rule
        if rule.match.object == .thread, let refusal = client.configuration.provider.threadsRefusal {
            throw ExecutorError.objectNotServed(rule: rule.name, reason: refusal)
        }
        let holder = ProcessIdentity.current()
        if !request.dryRun {
            let acquisition = try wrapLedger {
                try ledger.acquireRuleLock(rule: rule.name, holder: holder, isAlive: ProcessIdentity.isAlive)
            }
            switch acquisition {
            case .held(let other): throw ExecutorError.lockHeld(rule: rule.name, holder: other)
            case .tookOver(let previous):
                logger.warning(
                    "took over the lock of rule '\(rule.name)' left by \(previous), which no longer runs",
                    metadata: ["rule": rule.name])
            case .acquired: break
            }
        }
        defer {
            if !request.dryRun {
                do {
                    try ledger.releaseRuleLock(rule: rule.name, pid: holder.pid, host: holder.host)
                } catch {
                    logger.error("cannot release the lock of rule '\(rule.name)': \(error)", metadata: ["rule": rule.name])
                }
            }
        }
        let reconciled = request.dryRun ? 0 : try await reconcile(rule: rule.name, holdingLock: true)
        let plan = try Planner.plan(request, ledger: ledger, now: now(), sampleSize: 0)
        let start = RunStart(
            rule: rule.name, ruleDigest: rule.digest, ruleText: rule.text, trigger: request.trigger, dryRun: request.dryRun)
        let runID = try wrapLedger { try ledger.beginRun(start, matched: plan.matched) }
        let log = logger.with(["rule": rule.name, "run": String(runID)])
        if !request.dryRun {
            try wrapLedger { try ledger.setRuleLockRun(rule: rule.name, pid: holder.pid, runID: runID) }
        }
        var report = RunReport(
            runID: runID, rule: rule.name, action: rule.action.rawValue, dryRun: request.dryRun, end: .completed,
            matched: plan.matched, planned: plan.planned, reconciled: reconciled)
        if let refusal = plan.refusal {
            try wrapLedger { try ledger.finishRun(id: runID, status: .refused) }
            report.end = .refused(refusal)
            report.planned = 0
            log.runAborted(rule: rule.name, run: runID, reason: "refused: \(refusal)")
            logChainHead(rule: rule.name, run: runID, log)
            return report
        }
        if !request.dryRun, rule.action == .delete, rule.options.archive, plan.planned > 0 {
            do {
                try settings.archive.checkWritable()
            } catch let error as ArchiveError {
                // Before the first delete: each would otherwise fail alone, one per thread.
                let reason = "the archive directory cannot be written, no thread was touched: \(error)"
                try wrapLedger { try ledger.finishRun(id: runID, status: .failed) }
                log.runAborted(rule: rule.name, run: runID, reason: reason)
                logChainHead(rule: rule.name, run: runID, log)
                throw ExecutorError.archiveUnwritable(rule: rule.name, error)
            }
        }
        log.runStarted(
            rule: rule.name, run: runID, trigger: request.trigger.rawValue + (request.dryRun ? ", dry run" : ""),
            matched: plan.planned)
        if request.dryRun {
            let finished = try wrapLedger { try ledger.finishRun(id: runID, status: .completed) }
            report.counts = finished.counts
            logChainHead(rule: rule.name, run: runID, log)
            return report
        }
        if plan.planned > 0, rule.action != .report {
            do {
                try await client.probe(APIObjectKind(rule.match.object))
            } catch let error as APIError {
                try wrapLedger { try ledger.finishRun(id: runID, status: .aborted) }
                log.runAborted(rule: rule.name, run: runID, reason: "the read-only probe failed: \(error)")
                throw ExecutorError.probeFailed(error)
            }
        }
        let compiled = rule.compile(now: plan.now, hold: request.hold)
        let pass = RunPass(
            executor: self, request: request, plan: plan, compiled: compiled, runID: runID, control: control,
            progress: progress, logger: log)
        let outcome = try await pass.execute()
        report.elapsed = outcome.elapsed
        report.leftOpen = outcome.leftOpen
        report.archived = outcome.archived
        report.apiUnavailable = outcome.apiUnavailable
        report.firstFailure = outcome.firstFailure
        report.end = outcome.end
        let finished = try wrapLedger { try ledger.finishRun(id: runID, status: report.status) }
        report.counts = finished.counts
        logSummary(report, log)
        return report
    }

    /// The journal's account of how the run ended: "run finished" with the counts, for a run
    /// stopped part way also "run aborted" with the reason, then the chain head.
    func logSummary(_ report: RunReport, _ log: Logger) {
        let counts = report.counts
        let runID = report.runID ?? 0
        log.runFinished(
            rule: report.rule, run: runID, status: report.status.rawValue, matched: report.matched, done: counts.done,
            gone: counts.gone, skipped: counts.skipped, failed: counts.failed, firstFailure: report.firstFailure)
        switch report.end {
        case .completed: break
        case .refused(let reason), .aborted(let reason):
            log.runAborted(rule: report.rule, run: runID, reason: reason)
        case .stopped(let signal):
            log.runAborted(
                rule: report.rule, run: runID,
                reason: "stopped by \(signal == .interrupt ? "SIGINT" : "SIGTERM"); \(report.leftOpen) calls left open")
        }
        logChainHead(rule: report.rule, run: runID, log)
    }

    /// The ledger's chain head as the run left it, to the journal: `audit --verify` compares
    /// the ledger with the newest one, so rows cut from its end show.
    func logChainHead(rule: String, run: Int64, _ log: Logger) {
        do {
            let head = try ledger.chainHead()
            log.chainHead(rule: rule, run: run, ledger: ledger.resolvedPath, rows: head.rows, head: head.hash)
        } catch {
            log.error(
                "cannot read the ledger's chain head after run \(run) of rule \(rule): \(error)",
                metadata: ["rule": rule, "run": String(run)])
        }
    }

    /// Runs a ledger call, turning its error into `ExecutorError.ledger`.
    @discardableResult
    func wrapLedger<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LedgerError {
            throw ExecutorError.ledger(error)
        }
    }
}
