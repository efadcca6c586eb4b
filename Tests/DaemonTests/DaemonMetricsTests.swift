import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// The metrics file the built daemon keeps: written at start and every `Interval=`, rewritten
/// after each scheduled run, and at the end its request counts are the emulator's.
@Suite struct DaemonMetricsTests {
    @Test func theDaemonKeepsTheFileAndItsRequestCountsAreTheEmulators() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(eventLoops: 1))
        let directory = TemporaryDirectory()
        let ledgerPath = directory.file("ledger.sqlite3")
        let prom = directory.file("prom")
        try FileManager.default.createDirectory(atPath: prom, withIntermediateDirectories: true)
        let now = Int64(Date().timeIntervalSince1970)
        do {
            let ledger = try Ledger(path: ledgerPath)
            for index in 0..<6 {
                let created = now - 40 * 86_400 - Int64(index)
                let id = await server.insertThread(createdAt: created, metadata: ["tag": "sweep"], messageTimes: [])
                try ledger.save(ThreadRecord(id: id, createdAt: created, metadata: ["tag": "sweep"], firstSeen: created))
            }
        }
        try directory.write("rules/sweep.rule", "[Rule]\nSchedule=*:*:0/5 UTC\nAction=delete\n\n[Match]\nMetadata=tag=sweep\n")
        let config = try directory.write(
            "threadkeeper.conf",
            DaemonProcessTests.config(ledger: ledgerPath, rules: directory.file("rules"), baseURL: server.baseURL)
                + "\n\n[Metrics]\nTextfileDirectory=\(prom)\nInterval=1s\n")
        let daemon = try DaemonProcess(
            arguments: ["--config", config, "--log-target", "stderr"],
            environment: ["THREADKEEPER_API_KEY": "sk-daemon-test"], directory: directory)
        defer { daemon.stop() }
        #expect(await daemon.next { $0.hasPrefix("READY=1") } != nil, "stderr: \(daemon.standardError)")

        let file = prom + "/threadkeeper.prom"
        @Sendable func current() -> [String: Int64] { prometheusSamples((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") }
        // Before any run: the backlog is the six threads.
        #expect(await DaemonProcess.eventually { current()["threadkeeper_rule_backlog_threads{rule=\"sweep\"}"] != nil })
        let completed = "threadkeeper_runs_total{rule=\"sweep\",status=\"completed\"}"
        #expect(
            await DaemonProcess.eventually { (current()[completed] ?? 0) >= 1 },
            "stderr: \(daemon.standardError)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "stderr: \(daemon.standardError)")

        let text = try String(contentsOfFile: file, encoding: .utf8)
        let samples = prometheusSamples(text)
        let ledger = try Ledger(path: ledgerPath, readOnly: true)
        let runs = try ledger.recentRuns(limit: 100, rule: "sweep").filter { $0.finishedAt != nil }
        #expect(samples[completed] == Int64(runs.filter { $0.status == .completed }.count))
        #expect(samples["threadkeeper_threads{kind=\"thread\",state=\"deleted\"}"] == 6)
        #expect(samples["threadkeeper_rule_backlog_threads{rule=\"sweep\"}"] == 0)
        // The last write followed the last run: every request the emulator saw is counted.
        let stats = await server.stats()
        #expect(stats.totalRequests > 6)
        for (status, count) in stats.requestsByStatus {
            #expect(samples["threadkeeper_api_requests_total{status=\"\(status)\"}"] == Int64(count), "status \(status)")
        }
        #expect(samples["threadkeeper_api_retries_total"] == 0)
        let promtool = try ProcessRunner.run("/usr/bin/promtool", ["check", "metrics"], input: text)
        #expect(promtool.status == 0 && promtool.standardOutput.isEmpty && promtool.standardError.isEmpty, "\(promtool)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: prom) == ["threadkeeper.prom"])
        await server.stop()
    }
}
