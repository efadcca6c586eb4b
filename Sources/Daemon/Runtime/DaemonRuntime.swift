import Foundation
import Journal
import Lifecycle
import Rules
import Synchronization
import UnitFile

/// The daemon's life once the ledger is open and open intents are reconciled: load the rules,
/// run the scheduler and the watchdog in a `ServiceGroup`, tell systemd (`READY=1`, `STATUS=`,
/// `WATCHDOG=1`, `RELOADING=1` … `READY=1` on SIGHUP, `STOPPING=1`), and write the journal events
/// "rules loaded", "rule rejected" and "daemon started".
public enum DaemonRuntime {
    /// Runs until stopped by a signal; returns which one. `notify` sends to systemd (see
    /// `notifier(logger:)`).
    public static func run(
        host: any DaemonHost, options: DaemonOptions, logger: Logger,
        notify: @escaping @Sendable ([ServiceNotifier.State]) -> Void
    ) async throws -> ServiceGroup.Termination {
        let roster = RosterBox()
        await load(host, into: roster, logger: logger)
        // The setup is checked after READY=1: the probe may wait on the network for longer than
        // systemd waits for a start, and a failing check stops nothing (each run probes itself).
        let setup = SetupBox()
        let (scheduler, scheduledCount) = await schedule(roster, host: host, options: options)
        let schedulerBox = ServiceBox()
        let service = SchedulerService(
            scheduler: scheduler, clock: options.wallClock, logger: logger,
            onStatus: { notify([.status($0.line + setup.suffix)]) }
        ) { name in
            guard let rule = roster.rule(named: name) else {
                logger.warning("scheduled rule is no longer loaded; skipped", metadata: ["rule": name])
                return
            }
            await host.run(rule) { progress in schedulerBox.service?.report(progress) }
        }
        schedulerBox.service = service
        // The service's launch closure holds the box: break the cycle once the group is done.
        defer { schedulerBox.service = nil }

        var services: [any Service] = []
        if let timeout = options.watchdogTimeout {
            services.append(
                WatchdogService(
                    timeout: timeout, clock: options.watchdogClock, heartbeat: { await service.heartbeat() },
                    ping: { notify([.watchdog]) }))
        }
        if let interval = options.metricsInterval {
            services.append(MetricsService(interval: interval, clock: options.watchdogClock) { await host.writeMetrics() })
        }
        services.append(service)

        let group = ServiceGroup(
            services: services, logger: logger, shutdownSignals: options.shutdownSignals, reloadSignals: options.reloadSignals,
            onStart: {
                let status = await service.status.line
                notify([.ready, .status(status)])
                logger.daemonStarted(rules: roster.count, scheduled: scheduledCount)
                await check(host, setup, logger: logger)
                if !setup.suffix.isEmpty { notify([.status(await service.status.line + setup.suffix)]) }
                HeapTrim.releaseFreePages()
            },
            onShutdown: {
                notify([.stopping, .status("stopping")])
                logger.notice("stopping: no new runs; runs in flight finish their calls and record every outcome")
            },
            onReload: {
                notify([.reloading, .status("reloading")])
                logger.info("reloading the configuration and rules")
                let change = await load(host, into: roster, logger: logger)
                await service.update(rules: roster.scheduled())
                let status = await service.status.line
                notify([.ready, .status("reloaded (\(change.summary(ruleCount: roster.count))); \(status)")])
                await check(host, setup, logger: logger)
                if !setup.suffix.isEmpty { notify([.status(await service.status.line + setup.suffix)]) }
                HeapTrim.releaseFreePages()
            })
        let termination = try await group.run()
        logger.info("threadkeeper daemon stopped")
        return termination
    }

    /// Loads the rules into the roster and reports the change.
    ///
    /// The loaded list ends its life here: the roster and the host keep the one array between
    /// them, and a reload replaces it in both, so no caller's local keeps an older load alive.
    @discardableResult
    static func load(_ host: any DaemonHost, into roster: RosterBox, logger: Logger) async -> RuleRoster.Change {
        let (rules, diagnostics) = await host.loadRules()
        let change = roster.apply(loaded: rules, diagnostics: diagnostics)
        report(change, diagnostics: diagnostics, ruleCount: roster.count, logger: logger)
        return change
    }

    /// The scheduler over the roster's scheduled rules, and how many there are; the list itself
    /// is not kept (the scheduler holds what it needs of each rule).
    static func schedule(_ roster: RosterBox, host: any DaemonHost, options: DaemonOptions) async -> (Scheduler, Int) {
        let lastRuns = options.runMissed ? await host.lastScheduledRuns(of: roster.scheduled().map(\.name)) : [:]
        let scheduled = roster.scheduled(lastRuns: lastRuns)
        return (Scheduler(rules: scheduled, now: options.wallClock.now, runMissed: options.runMissed), scheduled.count)
    }

    /// A `notify` that sends with `sd_notify` and logs a failure once per kind, never throwing.
    public static func notifier(logger: Logger) -> @Sendable ([ServiceNotifier.State]) -> Void {
        let notifier = ServiceNotifier()
        let failed = Mutex(false)
        return { states in
            do {
                try notifier.notify(states)
            } catch {
                let first = failed.withLock { already in
                    defer { already = true }
                    return !already
                }
                if first { logger.warning("\(error)") }
            }
        }
    }

    /// Runs the host's setup check and keeps its outcome for `STATUS=`.
    static func check(_ host: any DaemonHost, _ box: SetupBox, logger: Logger) async {
        let setup = await host.checkSetup()
        box.set(setup)
        report(setup, logger: logger)
    }

    /// Each failed check at `err`, each warning at `warning`; one `notice` when all passed.
    static func report(_ setup: SetupCheck, logger: Logger) {
        for line in setup.failed { logger.setupCheck(failed: true, line: line) }
        for line in setup.warnings { logger.setupCheck(failed: false, line: line) }
        if setup.failed.isEmpty { logger.setupChecksPassed(warnings: setup.warnings.count) }
    }

    static func report(_ change: RuleRoster.Change, diagnostics: [Diagnostic], ruleCount: Int, logger: Logger) {
        for diagnostic in diagnostics {
            let name = RuleRoster.ruleName(ofFile: diagnostic.file)
            if diagnostic.severity == .error {
                logger.ruleRejected(
                    rule: name, file: diagnostic.file, line: diagnostic.line, finding: diagnostic.description,
                    keptLastGood: change.keptLastGood.contains(name))
            } else {
                logger.warning(diagnostic.description, metadata: ["rule": name, "file": diagnostic.file, "line": String(diagnostic.line)])
            }
        }
        logger.rulesLoaded(
            rules: ruleCount, rejected: change.keptLastGood.count + change.rejected.count, summary: change.summary(ruleCount: ruleCount))
    }
}

/// The roster shared by the launch closure and the reload handler.
final class RosterBox: Sendable {
    private let roster = Mutex(RuleRoster())

    func apply(loaded: [Rule], diagnostics: [Diagnostic]) -> RuleRoster.Change {
        roster.withLock { $0.apply(loaded: loaded, diagnostics: diagnostics) }
    }

    func rule(named name: String) -> Rule? { roster.withLock { $0.rules[name] } }

    var count: Int { roster.withLock { $0.rules.count } }

    func scheduled(lastRuns: [String: Date] = [:]) -> [ScheduledRule] { roster.withLock { $0.scheduled(lastRuns: lastRuns) } }
}

/// The last setup check, whose failures every `STATUS=` line mentions until one passes.
final class SetupBox: Sendable {
    private let stored = Mutex(SetupCheck())

    func set(_ check: SetupCheck) { stored.withLock { $0 = check } }

    var suffix: String { stored.withLock { $0.statusSuffix } }
}

/// Lets the launch closure reach the scheduler service it is handed to (set once before running).
final class ServiceBox: Sendable {
    private let stored = Mutex<SchedulerService?>(nil)

    var service: SchedulerService? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
