import CommandLineKit
import Daemon
import Executor
import Foundation
import Journal
import Ledger
import Lifecycle
import Rules
import Synchronization
import ThreadsAPI
import UnitFile

/// The daemon's `DaemonHost`: the config, the rules directory, the ledger and one `Executor`
/// whose `ThreadsClient` (and so its rate limiter) every scheduled run shares.
///
/// Runs go through `Executor.run` exactly as `threadkeeper run` does, with `trigger=schedule`
/// and no confirmation. A reload re-reads the config: a config with errors keeps the last good
/// one (its findings are logged at `err`); changed `[API]` settings take effect for runs that
/// start after the reload through a new client; a new ledger path needs a restart.
final class ExecutorHost: DaemonHost {
    private struct State {
        var configuration: Configuration
        var apiSettings: APIConfiguration
        var executor: Executor
        /// The request counts of the clients reloads replaced: the metrics count over the daemon's life.
        var retiredRequests = RequestCounts()
        /// The rules the last load returned, for the backlog in the metrics.
        var rules: [Rule] = []
    }

    private let context: CommandContext
    private let ledger: Ledger
    private let ledgerPath: String
    private let baseURL: String?
    private let logger: Logger
    private let state: Mutex<State>
    private let metricsWrite = Mutex(())

    /// Builds the executor from `configuration`; throws when the `[API]` settings or the key are unusable.
    init(context: CommandContext, configuration: Configuration, ledger: Ledger, baseURL: String?, logger: Logger) throws {
        self.context = context
        self.ledger = ledger
        self.ledgerPath = context.ledgerPath(for: configuration)
        self.baseURL = baseURL
        self.logger = logger
        let settings = context.apiConfiguration(configuration, baseURL: baseURL)
        let executor = try Self.makeExecutor(
            context: context, configuration: configuration, ledger: ledger, ledgerPath: ledgerPath, baseURL: baseURL,
            logger: logger)
        state = Mutex(State(configuration: configuration, apiSettings: settings, executor: executor))
    }

    private static func makeExecutor(
        context: CommandContext, configuration: Configuration, ledger: Ledger, ledgerPath: String, baseURL: String?,
        logger: Logger
    ) throws -> Executor {
        // The daemon's warnings go to its log (the journal under systemd), not only to stderr.
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL, warn: { logger.warning($0) })
        let archive = ArchiveStore(
            directory: ArchiveStore.defaultDirectory(ledgerPath: ledgerPath, environment: context.environment))
        return Executor(
            ledger: ledger, client: client,
            settings: ExecutorSettings(concurrency: configuration.concurrency.value, archive: archive), logger: logger)
    }

    /// The executor runs use now (replaced by a reload that changes `[API]`).
    var executor: Executor { state.withLock { $0.executor } }

    var configuration: Configuration { state.withLock { $0.configuration } }

    /// `threadkeeper doctor`'s checks but the ledger's (open here already; the chain is not
    /// walked on every reload).
    func checkSetup() async -> SetupCheck {
        var doctor = Doctor(context: context, baseURL: baseURL)
        doctor.checksLedger = false
        doctor.client = executor.client
        let report = await doctor.report()
        func line(_ check: DoctorReport.Check) -> String {
            "\(check.name): \(check.detail)" + (check.fix.map { "; fix: \($0)" } ?? "")
        }
        return SetupCheck(
            failed: report.checks.filter { $0.status == .failed }.map(line),
            warnings: report.checks.filter { $0.status == .warning }.map(line))
    }

    func loadRules() async -> (rules: [Rule], diagnostics: [Diagnostic]) {
        let configuration = reloadConfiguration()
        let loaded = RuleSet.load(
            directory: context.rulesDirectory(for: configuration), hold: configuration.hold.value, budget: configuration.budget)
        state.withLock { $0.rules = loaded.rules }
        return loaded
    }

    /// Every request the daemon's clients sent since it started.
    var requestCounts: RequestCounts {
        state.withLock { $0.retiredRequests + $0.executor.client.requestCounts }
    }

    /// Writes the metrics file; one write at a time, each gathering its counts under the lock, so
    /// the idle rewrite never renames older counts over those a run's end just wrote.
    func writeMetrics() async {
        metricsWrite.withLock { _ in
            let (configuration, rules) = state.withLock { ($0.configuration, $0.rules) }
            MetricsPublisher.publish(
                configuration: configuration, rulesDirectory: context.rulesDirectory(for: configuration), ledger: ledger,
                requests: requestCounts, rules: rules, warn: { self.logger.warning($0) })
        }
    }

    /// The config file read again; the last good one when it no longer loads.
    private func reloadConfiguration() -> Configuration {
        let current = configuration
        let read: Configuration
        do {
            let (candidate, diagnostics) = try context.readConfiguration()
            for diagnostic in diagnostics {
                let metadata = ["file": diagnostic.file, "line": String(diagnostic.line)]
                if diagnostic.isError {
                    logger.error("\(diagnostic.description); the last good configuration stays in force", metadata: metadata)
                } else {
                    logger.warning(diagnostic.description, metadata: metadata)
                }
            }
            guard !diagnostics.containsErrors else { return current }
            read = candidate
        } catch {
            logger.error("cannot read the configuration: \(error); the last good configuration stays in force")
            return current
        }
        if context.ledgerPath(for: read) != ledgerPath {
            logger.warning(
                "the ledger path changed to '\(context.ledgerPath(for: read))'; the daemon keeps '\(ledgerPath)' until it is restarted")
        }
        let settings = context.apiConfiguration(read, baseURL: baseURL)
        if settings != state.withLock({ $0.apiSettings }) || read.concurrency.value != current.concurrency.value {
            do {
                let executor = try Self.makeExecutor(
                    context: context, configuration: read, ledger: ledger, ledgerPath: ledgerPath, baseURL: baseURL, logger: logger)
                state.withLock {
                    $0.retiredRequests = $0.retiredRequests + $0.executor.client.requestCounts
                    $0.executor = executor
                }
                logger.notice("the [API] settings changed; runs that start from now on use them")
            } catch {
                logger.error("the new [API] settings cannot be used: \(error); the last good configuration stays in force")
                return current
            }
        }
        state.withLock {
            $0.configuration = read
            $0.apiSettings = settings
        }
        return read
    }

    func lastScheduledRuns(of rules: [String]) async -> [String: Date] {
        do {
            return try ScheduleHistory.lastScheduledStarts(in: ledger, rules: rules)
        } catch {
            logger.error("cannot read the last scheduled runs from the ledger: \(error); missed schedules are not caught up")
            return [:]
        }
    }

    func run(_ rule: Rule, progress: @escaping @Sendable (DaemonStatus.Progress) -> Void) async {
        let request = RunRequest(rule: rule, trigger: .schedule, hold: configuration.hold.value)
        let executor = executor
        let control = RunControl()
        do {
            // The first stop request ends the run as a SIGTERM'd `run` ends; a second one cancels the task.
            let report = try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await executor.run(request, control: control) { update in
                        progress(
                            DaemonStatus.Progress(rule: update.rule, done: update.settled, total: update.planned, failed: update.failed))
                    }
                } onGracefulShutdown: {
                    control.requestStop(.terminate)
                }
            } onCancel: {
                control.requestStop(.terminate)
            }
            logger.debug(
                "scheduled run ended: \(report.status.rawValue)",
                metadata: ["rule": rule.name, "run": report.runID.map(String.init) ?? "-"])
        } catch let error as ExecutorError {
            if case .lockHeld = error {
                logger.warning("scheduled run skipped: \(error)", metadata: ["rule": rule.name])
            } else {
                logger.error("scheduled run failed: \(error)", metadata: ["rule": rule.name])
            }
        } catch {
            logger.error("scheduled run failed: \(error)", metadata: ["rule": rule.name])
        }
        // Also after a run that failed or was skipped: its record, or the backlog, changed.
        await writeMetrics()
    }
}
