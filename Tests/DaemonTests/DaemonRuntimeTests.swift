import Foundation
import Journal
import Lifecycle
import Rules
import Synchronization
import TestSupport
import Testing
import UnitFile

@testable import Daemon

/// A host over a real rules directory (`RuleSet.load`); runs are recorded instead of carried
/// out, since the Executor is another module's.
struct DirectoryHost: DaemonHost {
    var directory: String
    var runs: Events<String>
    var lastRuns: [String: Date] = [:]

    func loadRules() async -> (rules: [Rule], diagnostics: [Diagnostic]) { RuleSet.load(directory: directory) }

    func lastScheduledRuns(of rules: [String]) async -> [String: Date] {
        runs.yield("asked for the last runs of \(rules.joined(separator: ", "))")
        return lastRuns
    }

    func run(_ rule: Rule, progress: @escaping @Sendable (DaemonStatus.Progress) -> Void) async {
        progress(DaemonStatus.Progress(rule: rule.name, done: 1, total: 2, failed: 0))
        runs.yield("\(rule.name) \(rule.text.contains("OlderThan=30d") ? "v1" : "v2")")
    }
}

/// The whole daemon life over manual clocks and real signals, which reach the whole test
/// process: one test at a time, and on signals of their own, SIGPWR to stop and SIGVTALRM to
/// reload (the Lifecycle suite, running beside this one, sends SIGUSR1 and SIGUSR2).
@Suite(.serialized, .timeLimit(.minutes(1))) struct DaemonSignalTests {}

extension DaemonSignalTests {
    @Test func daemonNotifiesReadyWatchdogReloadAndStopAndKeepsABrokenRulesLastGoodVersion() async throws {
        let t0 = Date(timeIntervalSince1970: 1_795_575_600)  // 2026-11-25 03:00:00 UTC
        let rules = TemporaryDirectory()
        try rules.write("every-10s.rule", "[Rule]\nSchedule=*:*:0/10 UTC\nAction=report\n\n[Match]\nOlderThan=30d\n")
        let runs = Events<String>()
        let notifications = Recorder<String>()
        let memory = InMemoryLogHandler()
        let wallClock = ManualWallClock(now: t0.addingTimeInterval(1))
        let watchdogClock = ManualClock()
        let options = DaemonOptions(
            runMissed: false, watchdogTimeout: .seconds(30), wallClock: wallClock, watchdogClock: watchdogClock,
            shutdownSignals: [SIGPWR], reloadSignals: [SIGVTALRM])
        let runReader = EventReader(runs)
        async let termination = DaemonRuntime.run(
            host: DirectoryHost(directory: rules.path, runs: runs), options: options, logger: Logger(handler: memory, logLevel: .debug)
        ) { states in notifications.record(ServiceNotifier.message(states)) }

        let ready = await notifications.first { $0.hasPrefix("READY=1") }
        #expect(ready.value == "READY=1\nSTATUS=idle; next: every-10s at 2026-11-25 03:00:10 UTC")
        #expect(memory.entries(withID: .daemonStarted).map(\.level) == [.notice])
        #expect(memory.entries(withID: .rulesLoaded).first?.metadata["rules"] == "1")
        // The watchdog pings at once (before or after READY=1: systemd accepts both).
        let firstPing = await notifications.first { $0 == "WATCHDOG=1" }

        wallClock.advance(to: t0.addingTimeInterval(10))
        #expect(await runReader.next() == "every-10s v1")

        // The rule file breaks and another appears; the reload keeps the old version running.
        try rules.write("every-10s.rule", "[Rule]\nSchedule=*:*:0/10 UTC\nAction=report\nBogus=1\n")
        try rules.write("hourly.rule", "[Rule]\nSchedule=hourly\nAction=report\n\n[Match]\nOlderThan=60d\n")
        kill(getpid(), SIGVTALRM)
        let reloading = await notifications.first(from: ready.index + 1) { $0.hasPrefix("RELOADING=1") }
        let reloaded = await notifications.first(from: reloading.index) { $0.hasPrefix("READY=1") }
        #expect(
            reloaded.value
                == "READY=1\nSTATUS=reloaded (2 rules; added: hourly; kept last good: every-10s); idle; next: every-10s at 2026-11-25 03:00:20 UTC"
        )
        let rejected = try #require(memory.entries(withID: .ruleRejected).first)
        #expect(rejected.level == .error)
        #expect(rejected.message.contains("every-10s.rule:4:1: error: unknown key `Bogus`"))
        #expect(rejected.message.contains("last good version stays in force"))
        #expect(rejected.metadata["rule"] == "every-10s")
        #expect(rejected.metadata["line"] == "4")

        wallClock.advance(to: t0.addingTimeInterval(20))
        #expect(await runReader.next() == "every-10s v1")

        // Half of WATCHDOG_USEC later, the next ping.
        #expect(await watchdogClock.nextSleep() == .seconds(15))
        watchdogClock.advance(by: .seconds(15))
        _ = await notifications.first(from: firstPing.index + 1) { $0 == "WATCHDOG=1" }

        kill(getpid(), SIGPWR)
        let stopping = await notifications.first { $0.hasPrefix("STOPPING=1") }
        #expect(stopping.value == "STOPPING=1\nSTATUS=stopping")
        #expect(try await termination == .signal(SIGPWR))
        #expect(notifications.all.filter { $0 == "WATCHDOG=1" }.count == 2)
        #expect(memory.entries.last?.message == "threadkeeper daemon stopped")
    }

    @Test func runMissedRunsAScheduleMissedWhileStoppedOnceAtStart() async throws {
        let t0 = Date(timeIntervalSince1970: 1_795_575_600)
        let rules = TemporaryDirectory()
        try rules.write("every-10s.rule", "[Rule]\nSchedule=*:*:0/10 UTC\nAction=report\n\n[Match]\nOlderThan=30d\n")
        try rules.write("manual.rule", "[Rule]\nAction=report\n\n[Match]\nOlderThan=30d\n")
        let runs = Events<String>()
        let notifications = Recorder<String>()
        let runReader = EventReader(runs)
        // Stopped at 02:59:55 after a run, started again at 03:00:15: the 03:00:00 and 03:00:10 elapses were missed.
        let host = DirectoryHost(directory: rules.path, runs: runs, lastRuns: ["every-10s": t0.addingTimeInterval(-5)])
        let options = DaemonOptions(
            runMissed: true, wallClock: ManualWallClock(now: t0.addingTimeInterval(15)), shutdownSignals: [SIGPWR],
            reloadSignals: [SIGVTALRM])
        async let termination = DaemonRuntime.run(host: host, options: options, logger: Logger(handler: NullLogHandler())) { states in
            notifications.record(ServiceNotifier.message(states))
        }
        #expect(await runReader.next() == "asked for the last runs of every-10s")
        #expect(await runReader.next() == "every-10s v1")
        _ = await notifications.first { $0.hasPrefix("READY=1") }
        kill(getpid(), SIGPWR)
        #expect(try await termination == .signal(SIGPWR))
        // Once only, and no watchdog without WATCHDOG_USEC.
        runs.continuation.finish()
        #expect(await runReader.next() == nil)
        #expect(!notifications.all.contains("WATCHDOG=1"))
    }
}

/// A host whose setup check fails until the first reload.
final class SetupHost: DaemonHost {
    let inner: DirectoryHost
    let checks = Mutex(0)

    init(inner: DirectoryHost) { self.inner = inner }

    func loadRules() async -> (rules: [Rule], diagnostics: [Diagnostic]) { await inner.loadRules() }
    func lastScheduledRuns(of rules: [String]) async -> [String: Date] { [:] }
    func run(_ rule: Rule, progress: @escaping @Sendable (DaemonStatus.Progress) -> Void) async {}

    func checkSetup() async -> SetupCheck {
        let count = checks.withLock { count in
            count += 1
            return count
        }
        guard count == 1 else { return SetupCheck(warnings: ["clock: the local clock is 7 s ahead of the server's Date"]) }
        return SetupCheck(
            failed: ["key_accepted: the key was refused: 401; fix: put a valid key where the key line says it comes from"])
    }
}

extension DaemonSignalTests {
    /// The daemon checks its setup after READY=1 and on each reload: failures at `err` and in every
    /// STATUS= line until a check passes.
    @Test func daemonReportsItsSetupCheckInTheLogAndStatus() async throws {
        let t0 = Date(timeIntervalSince1970: 1_795_575_600)
        let rules = TemporaryDirectory()
        try rules.write("hourly.rule", "[Rule]\nSchedule=hourly\nAction=report\n\n[Match]\nOlderThan=30d\n")
        let notifications = Recorder<String>()
        let memory = InMemoryLogHandler()
        let options = DaemonOptions(
            wallClock: ManualWallClock(now: t0.addingTimeInterval(1)), shutdownSignals: [SIGPWR], reloadSignals: [SIGVTALRM])
        let host = SetupHost(inner: DirectoryHost(directory: rules.path, runs: Events<String>()))
        async let termination = DaemonRuntime.run(host: host, options: options, logger: Logger(handler: memory, logLevel: .debug)) {
            states in notifications.record(ServiceNotifier.message(states))
        }
        let ready = await notifications.first { $0.hasPrefix("READY=1") }
        #expect(ready.value == "READY=1\nSTATUS=idle; next: hourly at 2026-11-25 04:00 UTC")
        let failed = await notifications.first(from: ready.index + 1) { $0.contains("setup:") }
        #expect(
            failed.value
                == "STATUS=idle; next: hourly at 2026-11-25 04:00 UTC; setup: 1 failed (key_accepted), see the journal or 'threadkeeper doctor'"
        )
        let error = try #require(memory.entries.first { $0.message.hasPrefix("setup check failed: ") })
        #expect(error.level == .error)
        #expect(error.message.contains("key_accepted: the key was refused: 401; fix: put a valid key"))
        #expect(error.messageID == .setupCheck)
        #expect(error.metadata["check"] == "key_accepted")
        #expect(error.metadata["check_status"] == "failed")

        kill(getpid(), SIGVTALRM)
        let reloaded = await notifications.first(from: failed.index + 1) { $0.hasPrefix("READY=1") }
        #expect(reloaded.value == "READY=1\nSTATUS=reloaded (1 rule); idle; next: hourly at 2026-11-25 04:00 UTC")
        // The next check passes: the notice, and no STATUS= mentions the setup any more.
        while !memory.entries.contains(where: { $0.message.hasPrefix("setup checks passed") }) { await Task.yield() }
        #expect(memory.entries.contains { $0.level == .warning && $0.message.hasPrefix("setup check: clock: ") })
        let passed = try #require(memory.entries.first { $0.message.hasPrefix("setup checks passed") })
        #expect(passed.messageID == .setupCheck)
        #expect(passed.metadata["check_status"] == "passed")
        kill(getpid(), SIGPWR)
        #expect(try await termination == .signal(SIGPWR))
        #expect(!notifications.all[(reloaded.index)...].contains { $0.contains("setup:") })
    }
}
