import Foundation
import Ledger
import TestSupport
import Testing

/// `check`, `rules`, `explain` and `show-config`, run as the built binary.
struct RulesCommandsTests {
    /// The repository's `rules/` directory of example rules.
    static let examples: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("rules").path
    }()

    static let environment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"]

    func run(_ arguments: [String], environment: [String: String] = RulesCommandsTests.environment) throws -> ProcessResult {
        try ProcessRunner.threadkeeper(arguments, environment: environment)
    }

    @Test func theExampleRulesAndConfigPass() throws {
        let result = try run(["check", "--rules", Self.examples, "--config", Self.examples + "/threadkeeper.conf.example"])
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "checked 6 rule files and the config: valid\n")
        let paths = try run(["check", Self.examples, Self.examples + "/threadkeeper.conf.example", "--json"])
        #expect(paths.status == 0)
        #expect(paths.standardOutput.contains(#""errors":0"#))
        #expect(paths.standardOutput.contains(#""rule":"support-30d""#))
    }

    @Test func everyFindingIsPrintedWithItsPosition() throws {
        let directory = TemporaryDirectory()
        try directory.write("rules/good.rule", "[Rule]\nAction=report\n")
        try directory.write("rules/bad.rule", "[Rule]\nAction=delete\n[Match]\nOlderThen=30d\nMetadata=tag=[x\n")
        let config = try directory.write("tk.conf", "[API]\nProvider=aimlap\n")
        let result = try run(["check", "--rules", directory.file("rules"), "--config", config])
        #expect(result.status == 65)
        let bad = directory.file("rules/bad.rule")
        #expect(
            result.standardOutput == """
                \(bad):3:1: error: `Action=delete` with no condition in [Match] would delete every live thread; add one, such as `OlderThan=30d`
                \(bad):4:1: error: unknown key `OlderThen` in [Match]; did you mean `OlderThan`?
                \(bad):5:14: error: unterminated `[` in the pattern `[x` of `Metadata=`; close the set with `]` (an open set never matches)
                \(config):2:10: error: unknown provider `aimlap` for `Provider=`; did you mean `aimlapi`?

                """)
        #expect(result.standardError == "checked 2 rule files and the config: 4 errors\n")
        let json = try run(["check", "--json", bad])
        #expect(json.status == 65)
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect(object?["errors"] as? Int == 3)
        let diagnostics = object?["diagnostics"] as? [[String: Any]]
        #expect(diagnostics?.first?["line"] as? Int == 3)
        #expect(
            diagnostics?.first?["message"] as? String
                == "`Action=delete` with no condition in [Match] would delete every live thread; add one, such as `OlderThan=30d`")
    }

    @Test func missingInputsExit66() throws {
        #expect(try run(["check", "--config", "/nonexistent/tk.conf"]).status == 66)
        #expect(try run(["check", "/nonexistent/x.rule"]).status == 66)
        let result = try run(["show-config", "--config", "/nonexistent/tk.conf"])
        #expect(result.standardError == "threadkeeper show-config: config file '/nonexistent/tk.conf' does not exist; check --config\n")
    }

    @Test func showConfigWithoutAKeySaysNone() throws {
        let directory = TemporaryDirectory()
        let config = try directory.write("tk.conf", "[API]\nProvider=openai\n")
        var environment = Self.environment
        environment["THREADKEEPER_API_KEY"] = nil
        let result = try run(["show-config", "--config", config], environment: environment)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("ApiKey=none"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("<redacted>  "))
        let empty = try directory.write("empty-key", "")
        chmod(empty, 0o600)
        let file = try run(
            ["show-config", "--config", try directory.write("k.conf", "[API]\nApiKeyFile=\(empty)\n")], environment: environment)
        #expect(file.standardOutput.contains("ApiKey=none"), "\(file.standardOutput)")
        #expect(file.standardOutput.contains("key file \(empty): the api key from key file \(empty) is empty"), "\(file.standardOutput)")
    }

    @Test func showConfigNamesOriginsAndNeverTheKey() throws {
        let directory = TemporaryDirectory()
        let config = try directory.write(
            "tk.conf", "[API]\nProvider=openai\nHeader=X-Api-Token: hunter2\nHeader=X-Team: platform\n[Rules]\nHold=custody\n")
        var environment = Self.environment
        environment["THREADKEEPER_API_KEY"] = "sk-very-secret-key"
        let result = try run(["show-config", "--config", config, "--ledger", "/tmp/x.sqlite3", "--rules", "/r"], environment: environment)
        #expect(result.status == 0)
        let out = result.standardOutput
        #expect(!out.contains("sk-very-secret-key") && !out.contains("hunter2"))
        #expect(out.contains("Provider=openai"))
        #expect(out.contains("(\(config):2)"))
        #expect(out.contains("ApiKey=<redacted>"))
        #expect(out.contains("(environment THREADKEEPER_API_KEY)"))
        #expect(out.contains("Header=X-Api-Token: <redacted>"))
        #expect(out.contains("Header=OpenAI-Beta: assistants=v2"))
        #expect(out.contains("(flag --ledger)") && out.contains("(flag --rules)"))
        #expect(out.contains("Hold=custody") && out.contains("(\(config):6)"))
        #expect(out.contains("RunMissed=yes") && out.contains("(default)"))
        let json = try run(["show-config", "--json", "--config", config], environment: environment)
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let rules = object?["Rules"] as? [String: [String: String]]
        #expect(rules?["Hold"] == ["value": "custody", "origin": "\(config):6"])
        #expect(!json.standardOutput.contains("sk-very-secret-key"))
    }

    @Test func showConfigNamesTheEnvironmentForTheLedger() throws {
        let directory = TemporaryDirectory()
        let config = try directory.write("tk.conf", "[Daemon]\nRunMissed=no\n")
        var environment = Self.environment
        environment["STATE_DIRECTORY"] = "/var/lib/tk"
        let result = try run(["show-config", "--json", "--config", config], environment: environment)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let ledger = object?["Ledger"] as? [String: [String: String]]
        #expect(ledger?["Path"] == ["value": "/var/lib/tk/ledger.sqlite3", "origin": "environment STATE_DIRECTORY"])
        let daemon = object?["Daemon"] as? [String: [String: String]]
        #expect(daemon?["RunMissed"] == ["value": "no", "origin": "\(config):2"])
        #expect(object?["file"] as? String == config)
    }

    @Test func configLedgerPathReachesEveryCommand() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("configured.sqlite3")
        let config = try directory.write("tk.conf", "[Ledger]\nPath=\(ledger)\n[Rules]\nDirectory=\(directory.file("rules.d"))\n")
        let paths = try run(["paths", "--json", "--config", config])
        #expect(paths.standardOutput.contains(#""ledger":"\#(ledger)""#))
        #expect(paths.standardOutput.contains(#""rules":"\#(directory.file("rules.d"))""#))
        let file = try directory.write("t.jsonl", #"{"id":"thread_a","object":"thread","created_at":1700000000,"metadata":{}}"# + "\n")
        #expect(try run(["import", file, "--config", config]).status == 0)
        #expect(FileManager.default.fileExists(atPath: ledger))
    }

    static func ledgerWithThreads(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("ledger.sqlite3")
        let ledger = try Ledger(path: path)
        let now = Int64(Date().timeIntervalSince1970)
        let day: Int64 = 86_400
        try ledger.save(ThreadRecord(id: "thread_old", createdAt: now - 40 * day, metadata: ["tag": "support"], firstSeen: now))
        try ledger.save(
            ThreadRecord(
                id: "thread_held", createdAt: now - 40 * day, metadata: ["tag": "support", "legal_hold": "case-7"], firstSeen: now))
        try ledger.save(ThreadRecord(id: "thread_new", createdAt: now - 5 * day, metadata: ["tag": "support"], firstSeen: now))
        return path
    }

    @Test func rulesCountsWhatEachRuleMatchesNow() throws {
        let directory = TemporaryDirectory()
        let ledger = try Self.ledgerWithThreads(directory)
        let result = try run(["rules", "--json", "--rules", Self.examples, "--ledger", ledger])
        #expect(result.status == 0)
        let rules = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
        let byName = Dictionary(uniqueKeysWithValues: (rules ?? []).map { ($0["name"] as? String ?? "", $0) })
        #expect(byName.count == 6)
        #expect(byName["support-30d"]?["matches"] as? Int == 1)
        #expect(byName["support-30d"]?["action"] as? String == "delete")
        #expect(byName["support-30d"]?["schedule"] as? String == "*-*-* 03:00:00 UTC")
        #expect((byName["support-30d"]?["next_elapse"] as? String)?.hasSuffix(" 03:00:00 UTC") == true)
        #expect(byName["audit-untenanted"]?["matches"] as? Int == 2)
        #expect(
            byName["support-30d"]?["match"] as? String
                == "live threads, older than 30d, `tag` is `support`, no `legal_hold`")
        let text = try run(["rules", "--rules", Self.examples, "--ledger", ledger])
        #expect(text.standardOutput.contains("support-30d (delete)\n  Delete support threads older than 30 days, except legal holds\n"))
        #expect(text.standardOutput.contains("  matches:  1 thread now\n"))
    }

    @Test func rulesReportsBrokenFilesAndStillListsTheRest() throws {
        let directory = TemporaryDirectory()
        try directory.write("good.rule", "[Rule]\nAction=report\n")
        try directory.write("bad.rule", "[Rule]\nAction=nuke\n")
        let result = try run(["rules", "--rules", directory.path, "--ledger", directory.file("none.sqlite3")])
        #expect(result.status == 65)
        #expect(result.standardOutput.hasPrefix("good (report)\n"))
        #expect(result.standardOutput.contains("unknown: no ledger at"))
        #expect(result.standardError.contains("bad.rule:2:8: error: unknown action `nuke` for `Action=`"))
    }

    /// Every key of a JSON value, at any depth.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    @Test func explainAndRulesUseSnakeCaseKeysAsEveryOtherCommand() throws {
        let directory = TemporaryDirectory()
        let ledger = try Self.ledgerWithThreads(directory)
        let explained = try run(["explain", "thread_new", "--json", "--rules", Self.examples, "--ledger", ledger])
        let rules = try run(["rules", "--json", "--rules", Self.examples, "--ledger", ledger])
        for output in [explained.standardOutput, rules.standardOutput] {
            let keys = Self.keys(try JSONSerialization.jsonObject(with: Data(output.utf8)))
            #expect(!keys.isEmpty)
            // Metadata keys are the threads' own; every other key is lower-case snake_case.
            let ours = keys.filter { $0 != "tag" && $0 != "legal_hold" }
            #expect(ours.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } }, "\(ours)")
        }
        let thread = try JSONSerialization.jsonObject(with: Data(explained.standardOutput.utf8)) as? [String: Any]
        #expect(
            Set(((thread?["thread"] as? [String: Any]) ?? [:]).keys) == [
                "id", "created_at", "state", "source", "last_activity", "metadata",
            ])
    }

    @Test func explainNamesTheFailingConditionAndTheHold() throws {
        let directory = TemporaryDirectory()
        let ledger = try Self.ledgerWithThreads(directory)
        let rules = directory.file("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.examples + "/support-30d.rule", toPath: rules + "/support-30d.rule")
        let held = try run(["explain", "thread_held", "--rules", rules, "--ledger", ledger])
        #expect(held.status == 0)
        #expect(held.standardOutput.contains("support-30d (delete): does not match\n"))
        #expect(held.standardOutput.contains("  FAIL Metadata=!legal_hold: no `legal_hold` — `legal_hold` is `case-7`\n"))
        let young = try run(["explain", "thread_new", "--json", "--rules", rules, "--ledger", ledger])
        let object = try JSONSerialization.jsonObject(with: Data(young.standardOutput.utf8)) as? [String: Any]
        let verdict = (object?["rules"] as? [[String: Any]])?.first
        #expect(verdict?["matches"] as? Bool == false)
        #expect(verdict?["failing"] as? [String] == ["OlderThan=30d"])
        #expect(verdict?["matches_from"] is Int)
        #expect((verdict?["when"] as? String)?.hasPrefix("would delete it in the run at ") == true)
        let old = try run(["explain", "thread_old", "--rules", rules, "--ledger", ledger])
        #expect(old.standardOutput.contains("support-30d (delete): matches\n"))
        let missing = try run(["explain", "thread_nope", "--rules", rules, "--ledger", ledger])
        #expect(missing.status == 66)
        #expect(missing.standardError == "threadkeeper explain: thread 'thread_nope' is not in the ledger '\(ledger)'\n")
    }
}
