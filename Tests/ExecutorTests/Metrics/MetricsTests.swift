import Emulator
import Foundation
import Ledger
import Rules
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

/// The metrics file after real runs against the emulator: every value read back from the
/// text equals the ledger's own count (or the emulator's, for requests), and promtool accepts it.
struct MetricsTests {
    static let deleteRule = """
        [Rule]
        Action=delete

        [Match]
        OlderThan=30d
        """

    static func scalar(_ ledger: Ledger, _ sql: String) throws -> Int64 {
        try ledger.rows(sql).first?.first?.integerValue ?? -1
    }

    @Test func everyValueMatchesTheLedgerAfterARunThatMetFaults() async throws {
        // The emulator fails three requests in ten with a 5xx (and answers 429 past 40 requests/s);
        // the client retries both.
        let harness = try await ExecutorHarness(faults: EmulatorFaults(requestsPerSecond: 40, burst: 2, failRate: 0.3))
        for _ in 0..<12 { try await harness.thread(ageDays: 60) }
        try await harness.thread(ageDays: 60, metadata: ["legal_hold": "yes"])
        for _ in 0..<3 { try await harness.thread(ageDays: 2) }
        let rule = try harness.rule("old", Self.deleteRule)
        let young = try harness.rule("young", "[Rule]\nAction=report\n\n[Match]\nNewerThan=30d\n")
        let client = try ThreadsClient(
            configuration: APIConfiguration(
                provider: .custom, baseURL: harness.server.baseURL, requestsPerSecond: 2_000, burst: 50, concurrency: 4,
                maxAttempts: 20, retryDeadline: 60),
            key: try APIKey("sk-test"), retryPolicy: RetryPolicy(maxAttempts: 20, baseDelay: 0.01, maxDelay: 0.05, deadline: 60))
        let report = try await harness.executor(client: client).run(RunRequest(rule: rule))
        #expect(report.end == .completed)
        #expect(report.counts.done == 12)

        // After the run, whose end the ledger stamped with the wall clock.
        let now = Int64(Date().timeIntervalSince1970) + 5
        let (snapshot, failures) = try MetricsSnapshot.collect(
            ledger: harness.ledger, rules: [rule, young], hold: RuleSet.defaultHold, now: now,
            requests: client.requestCounts)
        #expect(failures.isEmpty)
        let text = PrometheusText.render(snapshot)
        let samples = prometheusSamples(text)
        let ledger = harness.ledger

        for state in ThreadState.allCases {
            let counted = try Self.scalar(ledger, "SELECT count(*) FROM threads WHERE state = '\(state.rawValue)'")
            #expect(samples["threadkeeper_threads{kind=\"thread\",state=\"\(state.rawValue)\"}"] == counted)
        }
        #expect(samples["threadkeeper_threads{kind=\"thread\",state=\"deleted\"}"] == 12)
        let ok = try Self.scalar(ledger, "SELECT count(*) FROM actions WHERE action = 'delete' AND outcome = 'ok'")
        #expect(ok == 12)
        #expect(samples["threadkeeper_actions_total{action=\"delete\",outcome=\"ok\"}"] == ok)
        #expect(samples["threadkeeper_actions_open"] == 0)
        #expect(samples["threadkeeper_runs_total{rule=\"old\",status=\"completed\"}"] == 1)

        let runID = try #require(report.runID)
        let run = try #require(try ledger.run(id: runID))
        #expect(samples["threadkeeper_rule_last_run_start_timestamp_seconds{rule=\"old\"}"] == run.startedAt)
        #expect(samples["threadkeeper_rule_last_run_duration_seconds{rule=\"old\"}"] == (run.finishedAt ?? -1) - run.startedAt)
        #expect(samples["threadkeeper_rule_last_run_exit_code{rule=\"old\"}"] == 0)
        #expect(samples["threadkeeper_rule_last_run_exit_code{rule=\"young\"}"] == nil)

        // The backlog is plan's count: the held thread stays out, the young ones match `young`.
        #expect(samples["threadkeeper_rule_backlog_threads{rule=\"old\"}"] == 0)
        let youngPlan = try Planner.plan(RunRequest(rule: young), ledger: ledger, now: now)
        #expect(youngPlan.matched == 3)
        #expect(samples["threadkeeper_rule_backlog_threads{rule=\"young\"}"] == Int64(youngPlan.matched))

        // Requests as the emulator, the independent judge, counted them.
        let stats = await harness.server.stats()
        let rateLimited = stats.requestsByStatus[429] ?? 0
        let retried = stats.requestsByStatus.filter { $0.key == 429 || $0.key >= 500 }.values.reduce(0, +)
        #expect(retried > 0)
        for (status, count) in stats.requestsByStatus {
            #expect(samples["threadkeeper_api_requests_total{status=\"\(status)\"}"] == Int64(count))
        }
        #expect(samples["threadkeeper_api_requests_total{status=\"none\"}"] == 0)
        #expect(samples["threadkeeper_api_rate_limited_total"] == Int64(rateLimited))
        // Every 429 and 5xx was retried (no call failed), and nothing else was.
        #expect(samples["threadkeeper_api_retries_total"] == Int64(retried))
        #expect(samples["threadkeeper_api_breaker_openings_total"] == 0)

        let rows = try Self.scalar(ledger, "SELECT count(*) FROM chain")
        #expect(rows > 0)
        #expect(samples["threadkeeper_audit_chain_rows"] == rows)
        // The newest chain row is the run's end.
        #expect(samples["threadkeeper_audit_chain_head_timestamp_seconds"] == run.finishedAt)
        #expect(samples["threadkeeper_audit_chain_head_age_seconds"] == now - (run.finishedAt ?? 0))

        try Self.promtoolAccepts(text)
        await harness.stop()
    }

    @Test func anEmptyLedgerAndAwkwardRuleNamesStillMakeAValidFile() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("l.sqlite3"))
        var rule = try #require(Rule.parse(text: Self.deleteRule, file: "x.rule", now: 1_800_000_000).0)
        rule.name = "we\"ird\\name\nnext"
        let (snapshot, _) = try MetricsSnapshot.collect(
            ledger: ledger, rules: [rule], hold: "legal_hold", now: 1_800_000_000, requests: RequestCounts())
        let text = PrometheusText.render(snapshot)
        #expect(text.contains(#"threadkeeper_rule_backlog_threads{rule="we\"ird\\name\nnext"} 0"#))
        #expect(!text.contains("threadkeeper_audit_chain_head_age_seconds"))
        #expect(prometheusSamples(text)["threadkeeper_audit_chain_rows"] == 0)
        try Self.promtoolAccepts(text)
    }

    /// `promtool check metrics` reads the text on stdin: exit 0 and no finding.
    static func promtoolAccepts(_ text: String) throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(promtool, "promtool is missing: scripts/deps installs Debian's prometheus package")
        let result = try ProcessRunner.run(path, ["check", "metrics"], input: text)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.isEmpty && result.standardError.isEmpty, "\(result.standardOutput)\(result.standardError)")
    }
}
