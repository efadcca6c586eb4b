import CommandLineKit
import Daemon
import Executor
import Foundation
import Journal
import Ledger
import Lifecycle
import Rules

/// `threadkeeper daemon`: the service that runs every rule on its schedule.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run as the service: run each rule with Schedule= at its next elapse, tell systemd how it is doing.",
        discussion: """
            Opens and migrates the ledger, reconciles the actions interrupted runs left open, loads \
            the config and the rules, then sends READY=1 (sd_notify) and sleeps until the next \
            elapse. Scheduled runs go through the same code as 'threadkeeper run' (trigger \
            schedule); a rule never overlaps itself and all rules share the [API] rate limit. \
            STATUS= names what it is doing; WATCHDOG=1 is sent at half of WATCHDOG_USEC while \
            the scheduler loop answers. SIGHUP reloads the config and the rules (RELOADING=1 … \
            READY=1): a rule file that no longer loads keeps its last good version, its fault is \
            logged at priority err with file:line. SIGTERM or SIGINT sends STOPPING=1, starts no \
            new run, lets the runs in flight finish their calls and record every outcome, and exits \
            0; a second signal cancels them (their open actions are reconciled at the next start). \
            Events go to journald when its socket answers, else to stderr (--log-target).
            """,
        options: [APIOptions.baseURL],
        exitCodes: [
            (.success, "stopped by SIGTERM or SIGINT after every run in flight recorded its outcomes"),
            (.usage, "bad usage"),
            (.dataError, "the config file has errors"),
            (.noInput, "the config file named by --config does not exist"),
            (.unavailable, "no API key, or the [API] settings are unusable"),
            (.software, "the scheduler stopped by itself"),
            (.ioError, "the ledger cannot be opened or written"),
            (.noPermission, "a file in the state directory belongs to another user (named, with the chown to run)"),
        ])

    var baseURL: String?

    init(arguments: ParsedArguments) throws {
        baseURL = arguments.value("--base-url")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        HeapTrim.shareArenas()
        let logger = context.makeLogger()
        let notify = DaemonRuntime.notifier(logger: logger)
        do {
            return try await serve(context, logger: logger, notify: notify)
        } catch {
            // `systemctl status` shows the last STATUS= of a unit that exited: the reason it
            // failed to start (a missing key names the file to fill) rather than what it was doing.
            let message = (error as? CLIReportable)?.cliMessage ?? String(describing: error)
            notify([.status("failed: \(message)")])
            throw error
        }
    }

    private func serve(
        _ context: CommandContext, logger: Logger, notify: @escaping @Sendable ([ServiceNotifier.State]) -> Void
    ) async throws -> ExitCode {
        let started = ContinuousClock.now
        await DaemonSignals.unblock()
        notify([.status("starting: opening the ledger")])
        let configuration = try context.loadConfiguration()
        let ledgerPath = context.ledgerPath(for: configuration)
        try ServiceAccount.checkServiceState(
            ledgerPath: ledgerPath,
            archiveDirectory: ArchiveStore.defaultDirectory(ledgerPath: ledgerPath, environment: context.environment),
            environment: context.environment)
        let ledger = try Ledger(path: ledgerPath)
        let host = try ExecutorHost(
            context: context, configuration: configuration, ledger: ledger, baseURL: baseURL, logger: logger)

        notify([.status("starting: reconciling interrupted runs")])
        do {
            let reconciled = try await host.executor.reconcile()
            if reconciled > 0 { logger.notice("reconciled \(reconciled) open actions of interrupted runs") }
        } catch ExecutorError.reconciliationFailed(let thread, let error) {
            // The API may be down at boot: the rule's next run reconciles again before new work.
            logger.error(
                "cannot reconcile the open action on thread \(thread): \(error); the rule's next run tries again",
                metadata: ["thread": thread])
        }

        let options = DaemonOptions(
            runMissed: configuration.runMissed.value, watchdogTimeout: ServiceNotifier.watchdogTimeout(),
            metricsInterval: configuration.metricsDirectory.value == nil
                ? nil : .seconds(configuration.metricsInterval.value.seconds))
        logger.debug(
            "ledger open and reconciled after \(started.duration(to: .now)); loading the rules",
            metadata: ["ledger": ledgerPath])
        do {
            _ = try await DaemonRuntime.run(host: host, options: options, logger: logger, notify: notify)
        } catch let error as ServiceGroupError {
            logger.critical("\(error)")
            return .software
        }
        return .success
    }
}

/// The daemon's signals on the main thread.
enum DaemonSignals {
    /// Unblocks SIGTERM, SIGINT and SIGHUP on the main thread, so a daemon started with them
    /// blocked (an inherited mask) still receives them; the main thread lives as long as the
    /// process, a worker thread may be reaped when idle. `ServiceGroup` handles them.
    static func unblock() async {
        await MainActor.run {
            var set = sigset_t()
            sigemptyset(&set)
            for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, number) }
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
    }
}
