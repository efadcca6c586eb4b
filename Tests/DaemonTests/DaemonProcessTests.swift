import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// The built `threadkeeper daemon` as systemd runs it: a child process with `NOTIFY_SOCKET` and
/// `WATCHDOG_USEC`, driven by real signals, running rules on real schedules against the emulator.
///
/// Every wait is on an observable event (a notification, a ledger row) with a generous bound;
/// nothing asserts on a sleep.
@Suite struct DaemonProcessTests {
    static let everyFiveSeconds = "[Rule]\nSchedule=*:*:0/5 UTC\nAction=report\n\n[Match]\nOlderThan=30d\n"

    static func config(ledger: String, rules: String, baseURL: String) -> String {
        """
        [API]
        Provider=custom
        BaseURL=\(baseURL)
        RequestsPerSecond=500
        Burst=50

        [Ledger]
        Path=\(ledger)

        [Rules]
        Directory=\(rules)

        [Daemon]
        RunMissed=no
        """
    }

    /// The scheduled runs of `rule` in the ledger at `path` that have finished.
    static func finishedRuns(_ path: String, rule: String) -> [RunRecord] {
        guard let ledger = try? Ledger(path: path, readOnly: true),
            let runs = try? ledger.recentRuns(limit: 1000, rule: rule)
        else { return [] }
        return runs.filter { $0.trigger == .schedule && $0.finishedAt != nil }
    }

    @Test func notifiesReadyStatusWatchdogReloadAndStopAndKeepsABrokenRulesLastGoodVersion() async throws {
        let directory = TemporaryDirectory()
        let ruleFile = try directory.write("rules/every-5s.rule", Self.everyFiveSeconds)
        let ledgerPath = directory.file("ledger.sqlite3")
        let config = try directory.write(
            "threadkeeper.conf", Self.config(ledger: ledgerPath, rules: directory.file("rules"), baseURL: "http://127.0.0.1:9"))
        let daemon = try DaemonProcess(
            arguments: ["--config", config, "--log-target", "stderr"],
            environment: ["WATCHDOG_USEC": "2000000", "THREADKEEPER_API_KEY": "sk-daemon-test"], directory: directory)
        defer { daemon.stop() }

        let ready = try #require(await daemon.next { $0.hasPrefix("READY=1") }, "no READY=1; stderr: \(daemon.standardError)")
        #expect(ready.hasPrefix("READY=1\nSTATUS=idle; next: every-5s at "))
        // The ledger is open and migrated before READY=1, and nothing ran before it.
        #expect(FileManager.default.fileExists(atPath: ledgerPath))
        #expect(daemon.messages.dropLast().allSatisfy { !$0.contains("running") })
        #expect(daemon.messages.dropLast().contains { $0.hasPrefix("STATUS=starting") })

        let ping = await daemon.next { $0 == "WATCHDOG=1" }
        #expect(ping == "WATCHDOG=1")

        // A scheduled run: STATUS= says so, and the ledger records it with trigger schedule.
        let running = await daemon.next { $0.hasPrefix("STATUS=running every-5s") }
        #expect(running != nil)
        #expect(await DaemonProcess.eventually { !Self.finishedRuns(ledgerPath, rule: "every-5s").isEmpty })
        let goodDigest = try #require(Self.finishedRuns(ledgerPath, rule: "every-5s").first?.ruleDigest)
        #expect(goodDigest == SHA256.hex(of: Array(Self.everyFiveSeconds.utf8)))

        // The rule file breaks; the reload keeps its last good version and says so.
        try (Self.everyFiveSeconds + "Bogus=1\n").write(toFile: ruleFile, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let reloading = await daemon.next { $0.hasPrefix("RELOADING=1") }
        // systemd 253+ asks for MONOTONIC_USEC= beside RELOADING=1; 252 ignores it.
        #expect(reloading?.hasPrefix("RELOADING=1\n") == true)
        #expect(reloading?.hasSuffix("\nSTATUS=reloading") == true)
        let reloaded = try #require(await daemon.next { $0.hasPrefix("READY=1") })
        #expect(reloaded.hasPrefix("READY=1\nSTATUS=reloaded (1 rule; kept last good: every-5s); "))
        #expect(await DaemonProcess.eventually { daemon.standardError.contains("every-5s.rule:7:1: error:") })
        let fault = daemon.standardError.split(separator: "\n").first { $0.contains("every-5s.rule:7:1") }
        #expect(fault?.contains(" err: ") == true)

        // The old version keeps running on schedule after the reload.
        let runsBefore = Self.finishedRuns(ledgerPath, rule: "every-5s").count
        #expect(await daemon.next { $0.hasPrefix("STATUS=running every-5s") } != nil)
        #expect(await DaemonProcess.eventually { Self.finishedRuns(ledgerPath, rule: "every-5s").count > runsBefore })
        #expect(Self.finishedRuns(ledgerPath, rule: "every-5s").allSatisfy { $0.ruleDigest == goodDigest })

        daemon.signal(SIGTERM)
        let stopping = await daemon.next { $0.hasPrefix("STOPPING=1") }
        #expect(stopping?.hasPrefix("STOPPING=1") == true)
        let status = await daemon.waitForExit()
        #expect(status == 0, "stderr: \(daemon.standardError)")
        #expect(daemon.process.terminationReason == .exit)
    }

    @Test func twoScheduledRulesRunOnTimeAndTheLedgerAgreesWithTheEmulator() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(eventLoops: 1))
        let directory = TemporaryDirectory()
        let ledgerPath = directory.file("ledger.sqlite3")
        let now = Int64(Date().timeIntervalSince1970)
        var expectedGone: Set<String> = []
        var expectedLive: Set<String> = []
        do {
            let ledger = try Ledger(path: ledgerPath)
            for index in 0..<24 {
                let created = now - 40 * 86_400 - Int64(index)
                let metadata: [String: String]
                switch index % 4 {
                case 0: metadata = ["tag": "alpha"]
                case 1: metadata = ["tag": "beta"]
                case 2: metadata = ["tag": "alpha", "legal_hold": "case-7"]
                default: metadata = ["tag": "other"]
                }
                let id = await server.insertThread(createdAt: created, metadata: metadata, messageTimes: [])
                try ledger.save(ThreadRecord(id: id, createdAt: created, metadata: metadata, firstSeen: created))
                if index % 4 < 2 { expectedGone.insert(id) } else { expectedLive.insert(id) }
            }
        }
        try directory.write("rules/alpha.rule", "[Rule]\nSchedule=*:*:0/10 UTC\nAction=delete\n\n[Match]\nMetadata=tag=alpha\n")
        try directory.write("rules/beta.rule", "[Rule]\nSchedule=*:*:5/10 UTC\nAction=delete\n\n[Match]\nMetadata=tag=beta\n")
        let config = try directory.write(
            "threadkeeper.conf", Self.config(ledger: ledgerPath, rules: directory.file("rules"), baseURL: server.baseURL))
        let daemon = try DaemonProcess(
            arguments: ["--config", config, "--log-target", "stderr"],
            environment: ["THREADKEEPER_API_KEY": "sk-daemon-test"], directory: directory)
        defer { daemon.stop() }

        #expect(await daemon.next { $0.hasPrefix("READY=1") } != nil, "stderr: \(daemon.standardError)")
        let bothRan = await DaemonProcess.eventually {
            !Self.finishedRuns(ledgerPath, rule: "alpha").isEmpty && !Self.finishedRuns(ledgerPath, rule: "beta").isEmpty
        }
        #expect(bothRan, "stderr: \(daemon.standardError)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "stderr: \(daemon.standardError)")

        // On time: each run started in its own five-second slot (alpha at :x0, beta at :x5).
        let alpha = Self.finishedRuns(ledgerPath, rule: "alpha")
        let beta = Self.finishedRuns(ledgerPath, rule: "beta")
        #expect(alpha.allSatisfy { $0.startedAt % 10 < 5 }, "alpha started at \(alpha.map(\.startedAt))")
        #expect(beta.allSatisfy { $0.startedAt % 10 >= 5 }, "beta started at \(beta.map(\.startedAt))")
        #expect(alpha.allSatisfy { $0.status == .completed } && beta.allSatisfy { $0.status == .completed })
        #expect(alpha.map(\.counts.done).reduce(0, +) == 6)
        #expect(beta.map(\.counts.done).reduce(0, +) == 6)

        // The ledger and the emulator agree on every thread; the audit chain holds.
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        let live = await server.liveThreadIDs()
        #expect(live == expectedLive)
        for id in expectedGone.union(expectedLive) {
            let state = try ledger.thread(id: id)?.state
            #expect(state == (live.contains(id) ? .live : .deleted), "thread \(id)")
        }
        #expect(try ledger.verifyChain().isIntact)
        let stats = await server.stats()
        #expect(stats.repeatedDeletes == 0)
        #expect(stats.requestsByMethod["DELETE"] == 12)
        await server.stop()
    }

    /// The processes `pid` started that are still there, from every thread's `children` file.
    static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task -> [pid_t] in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            return text.split(separator: " ").compactMap { pid_t($0) }
        }
    }

    @Test func sigtermDuringARunStopsItRecordsEveryOutcomeAndExitsZero() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(faults: EmulatorFaults(latencyMilliseconds: 20), eventLoops: 1))
        let directory = TemporaryDirectory()
        let ledgerPath = directory.file("ledger.sqlite3")
        let now = Int64(Date().timeIntervalSince1970)
        var ids: [String] = []
        do {
            let ledger = try Ledger(path: ledgerPath)
            for index in 0..<200 {
                let created = now - 40 * 86_400 - Int64(index)
                let id = await server.insertThread(createdAt: created, metadata: ["tag": "sweep"], messageTimes: [])
                try ledger.save(ThreadRecord(id: id, createdAt: created, metadata: ["tag": "sweep"], firstSeen: created))
                ids.append(id)
            }
        }
        try directory.write("rules/sweep.rule", "[Rule]\nSchedule=*:*:0/5 UTC\nAction=delete\n\n[Match]\nMetadata=tag=sweep\n")
        // 20 requests a second: a GET and a DELETE per thread make the run last about 20 s.
        let config = try directory.write(
            "threadkeeper.conf",
            Self.config(ledger: ledgerPath, rules: directory.file("rules"), baseURL: server.baseURL)
                .replacingOccurrences(of: "RequestsPerSecond=500\nBurst=50", with: "RequestsPerSecond=20\nBurst=2"))
        let daemon = try DaemonProcess(
            arguments: ["--config", config, "--log-target", "stderr"],
            environment: ["THREADKEEPER_API_KEY": "sk-daemon-test"], directory: directory)
        defer { daemon.stop() }

        #expect(await daemon.next { $0.hasPrefix("READY=1") } != nil, "stderr: \(daemon.standardError)")
        // Stop once some threads have their outcome (STATUS= shows `running sweep: DONE/200, …`).
        let progressed = await daemon.next { message in
            guard message.hasPrefix("STATUS=running sweep: ") else { return false }
            let done = message.dropFirst("STATUS=running sweep: ".count).prefix { $0.isNumber }
            return (Int(done) ?? 0) > 0
        }
        #expect(progressed != nil, "stderr: \(daemon.standardError)")
        // systemd's stop sends SIGTERM to every process of the unit: the HTTP helper too, which
        // must go on answering the calls in flight while the daemon settles them.
        let helpers = Self.children(of: daemon.pid)
        #expect(helpers.count == 1, "the daemon's children: \(helpers)")
        for helper in helpers {
            // SigIgn: the mask of ignored signals, bit N-1 for signal N.
            let status = (try? String(contentsOfFile: "/proc/\(helper)/status", encoding: .utf8)) ?? ""
            let ignored =
                status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
                .flatMap { UInt64($0.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) } ?? 0
            for signal in [SIGTERM, SIGINT, SIGHUP] { #expect(ignored & (1 << (signal - 1)) != 0, "signal \(signal)") }
        }
        daemon.signal(SIGTERM)
        for helper in helpers { kill(helper, SIGTERM) }
        let stopping = await daemon.next { $0.hasPrefix("STOPPING=1") }
        #expect(stopping?.hasPrefix("STOPPING=1") == true)
        #expect(await daemon.next { $0 == "STATUS=stopping; waiting for sweep" } != nil)
        #expect(await daemon.waitForExit() == 0, "stderr: \(daemon.standardError)")

        // The run stopped part way; every action it started has its outcome; ledger and emulator agree.
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        let runs = try ledger.recentRuns(limit: 10, rule: "sweep")
        #expect(runs.count == 1)
        #expect(runs.first?.status == .aborted)
        #expect(runs.first?.finishedAt != nil)
        let open = try ledger.rows("SELECT count(*) FROM actions WHERE outcome IS NULL")
        #expect(open.first?.first == .integer(0))
        // No call lost its answer to the signal.
        let failed = try ledger.rows("SELECT count(*) FROM actions WHERE outcome = 'failed'")
        #expect(failed.first?.first == .integer(0))
        let live = await server.liveThreadIDs()
        #expect(!live.isEmpty && live.count < ids.count, "\(live.count) of \(ids.count) threads live")
        for id in ids {
            #expect(try ledger.thread(id: id)?.state == (live.contains(id) ? .live : .deleted), "thread \(id)")
        }
        #expect(try ledger.verifyChain().isIntact)
        await server.stop()
    }
}
