import Foundation
import Ledger
import TestSupport
import Testing

/// `metrics`, the file `import` writes, and `status`'s backlog per rule, run as the built binary.
struct MetricsAndBacklogTests {
    static let verifiedDelete = """
        [Rule]
        Action=delete
        Schedule=*-*-* 03:00:00 UTC

        [Match]
        OlderThan=30d

        [Action]
        Verify=always

        [Limits]
        MaxThreads=150
        """

    /// A config with a rules directory holding `old.rule`, and a metrics directory.
    static func setUp(_ directory: TemporaryDirectory, rate: String = "5", metrics: Bool = true) throws -> (config: String, ledger: String)
    {
        _ = try directory.write("rules/old.rule", verifiedDelete)
        try FileManager.default.createDirectory(atPath: directory.file("prom"), withIntermediateDirectories: true)
        var text = "[API]\nRequestsPerSecond=\(rate)\n[Rules]\nDirectory=\(directory.file("rules"))\n"
        if metrics { text += "[Metrics]\nTextfileDirectory=\(directory.file("prom"))\n" }
        return (try directory.write("tk.conf", text), directory.file("ledger.sqlite3"))
    }

    static func ids(old: Int, young: Int) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var text = ""
        for index in 0..<old { text += "{\"id\":\"thread_o\(index)\",\"created_at\":\(now - 40 * 86_400)}\n" }
        for index in 0..<young { text += "{\"id\":\"thread_y\(index)\",\"created_at\":\(now - 86_400)}\n" }
        return text
    }

    @Test func importWritesTheFileAndMetricsPrintsTheSame() throws {
        let directory = TemporaryDirectory()
        let (config, ledger) = try Self.setUp(directory)
        let imported = try ProcessRunner.threadkeeper(
            ["import", "-", "--config", config, "--ledger", ledger], input: Self.ids(old: 4, young: 2))
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.standardError.isEmpty)
        let file = directory.file("prom/threadkeeper.prom")
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.contains("threadkeeper_threads{kind=\"thread\",state=\"live\"} 6\n"))
        #expect(written.contains("threadkeeper_rule_backlog_threads{rule=\"old\"} 4\n"))
        // A process that sent no request has no request counters.
        #expect(!written.contains("threadkeeper_api_requests_total"))

        let printed = try ProcessRunner.threadkeeper(["metrics", "--config", config, "--ledger", ledger])
        #expect(printed.status == 0)
        #expect(printed.standardOutput == written)
        try FileManager.default.removeItem(atPath: file)
        let quiet = try ProcessRunner.threadkeeper(["metrics", "--write", "--quiet", "--config", config, "--ledger", ledger])
        #expect(quiet.status == 0 && quiet.standardOutput.isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == written)
    }

    @Test func writeWithoutADirectoryIsAUsageError() throws {
        let directory = TemporaryDirectory()
        let (config, ledger) = try Self.setUp(directory, metrics: false)
        _ = try ProcessRunner.threadkeeper(["import", "-", "--ledger", ledger], input: "thread_a\n")
        let result = try ProcessRunner.threadkeeper(["metrics", "--write", "--config", config, "--ledger", ledger])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--write needs [Metrics] TextfileDirectory= in the config file \(config)"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("prom/threadkeeper.prom")))
    }

    @Test func statusShowsEachRulesBacklogAndTheTimeToClearIt() throws {
        let directory = TemporaryDirectory()
        // 400 threads, 2 requests each at 0.001 requests/s: 800,000 s.
        let (config, ledger) = try Self.setUp(directory, rate: "0.001")
        _ = try ProcessRunner.threadkeeper(["import", "-", "--config", config, "--ledger", ledger], input: Self.ids(old: 400, young: 3))
        let text = try ProcessRunner.threadkeeper(["status", "--config", config, "--ledger", ledger])
        #expect(text.status == 0)
        let out = text.standardOutput
        #expect(out.contains("rules:        at 0.001 requests/s\n  old (delete)\n    last run:  never\n"))
        #expect(out.contains("    matches:   400 threads now\n"))
        #expect(
            out.contains(
                "    to clear:  about 9.3 days: 800 requests, 2 a thread (1 DELETE + 1 GET (Verify=always)), in 3 runs of MaxThreads=150\n")
        )
        #expect(out.contains("    next run:  ") && out.contains(" 03:00:00 UTC (*-*-* 03:00:00 UTC)\n"))

        #expect(!out.contains("left out:"))

        // A broken rule file is named, not counted.
        let broken = try directory.write("rules/broken.rule", "[Rule]\nAction=explode\n")
        let withBroken = try ProcessRunner.threadkeeper(["status", "--config", config, "--ledger", ledger])
        #expect(withBroken.status == 0)
        #expect(withBroken.standardOutput.contains("left out:     \(broken) (errors; 'threadkeeper check' names them)\n"))
        #expect(!withBroken.standardOutput.contains("  broken ("))
        let json = try ProcessRunner.threadkeeper(["status", "--json", "--config", config, "--ledger", ledger])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let rules = try #require(object["rules"] as? [[String: Any]])
        #expect(rules.count == 1)
        #expect(object["rules_with_errors"] as? [String] == [broken])
        let rule = rules[0]
        #expect(rule["name"] as? String == "old")
        #expect(rule["matches"] as? Int == 400)
        #expect(rule["runs_needed"] as? Int == 3)
        #expect(rule["last_run"] is NSNull)
        let next = try #require(rule["next_run"] as? Int)
        #expect(next % 86_400 == 3 * 3_600)
        let clearance = try #require(rule["clearance"] as? [String: Any])
        #expect(clearance["requests"] as? Int == 800)
        #expect(clearance["requests_per_thread"] as? Int == 2)
        #expect(clearance["seconds"] as? Int == 800_000)
        #expect(clearance["at_least"] as? Bool == false)
        // Every key is snake_case.
        for key in Array(rule.keys) + Array(clearance.keys) {
            #expect(key == key.lowercased() && !key.contains("-"), "\(key)")
        }
    }
}
