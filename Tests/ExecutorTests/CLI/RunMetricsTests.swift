import Emulator
import Foundation
import Ledger
import Rules
import TestSupport
import Testing

@testable import Executor

/// `threadkeeper run` leaves the metrics file behind with its own requests, as the emulator counted them.
struct RunMetricsTests {
    @Test func aRunWritesTheFileWithItsRequestsAndTheNewBacklog() async throws {
        let setup = try await RunCommandTests.Setup()
        let prom = setup.directory.file("prom")
        try FileManager.default.createDirectory(atPath: prom, withIntermediateDirectories: true)
        let config = setup.directory.file("threadkeeper.conf")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try (text + "\n[Metrics]\nTextfileDirectory=\(prom)\n").write(toFile: config, atomically: true, encoding: .utf8)

        let run = try await setup.threadkeeper(["run", "old", "--yes"])
        #expect(run.status == 0, "\(run.standardError)")
        let written = try String(contentsOfFile: prom + "/threadkeeper.prom", encoding: .utf8)
        let samples = prometheusSamples(written)
        let ledger = try Ledger(path: setup.ledger, readOnly: true)
        let deleted = try MetricsTests.scalar(ledger, "SELECT count(*) FROM threads WHERE state = 'deleted'")
        #expect(deleted > 0)
        #expect(samples["threadkeeper_threads{kind=\"thread\",state=\"deleted\"}"] == deleted)
        #expect(samples["threadkeeper_runs_total{rule=\"old\",status=\"completed\"}"] == 1)
        #expect(samples["threadkeeper_rule_backlog_threads{rule=\"old\"}"] == 0)
        // The other rule's backlog is what `plan` counts now.
        let now = Int64(Date().timeIntervalSince1970)
        let most = try #require(RuleSet.load(files: [setup.directory.file("rules/most.rule")], now: now).rules.first)
        let plan = try Planner.plan(RunRequest(rule: most), ledger: ledger, now: now)
        #expect(plan.matched > 0)
        #expect(samples["threadkeeper_rule_backlog_threads{rule=\"most\"}"] == Int64(plan.matched))
        let stats = await setup.server.stats()
        #expect(stats.totalRequests > 0)
        for (status, count) in stats.requestsByStatus {
            #expect(samples["threadkeeper_api_requests_total{status=\"\(status)\"}"] == Int64(count), "status \(status)")
        }
        try MetricsTests.promtoolAccepts(written)
        await setup.server.stop()
    }
}
