import Foundation
import Ledger
import SQLite
import TestSupport
import Testing

/// docs/audit-verify.sh, the auditor's sqlite3 + sha256sum check of docs/AUDIT.md, against a
/// ledger made by real runs of the built binary over loopback.
@Suite struct AuditScriptTests {
    static var script: String {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { directory.deleteLastPathComponent() }
        return directory.path + "/docs/audit-verify.sh"
    }

    static func audit(_ ledger: String, head: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run("/bin/sh", [script, ledger] + (head.map { [$0] } ?? []), environment: ["PATH": "/usr/bin:/bin"])
    }

    /// A ledger with a manual tag run and a rule's delete run, as the binary writes them.
    static func ledgerFromRealRuns() async throws -> APICommandsTests.Setup {
        let setup = try await APICommandsTests.Setup()
        let rules = setup.directory.file("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        _ = try setup.directory.write(
            "rules/doomed.rule", "[Rule]\nDescription=Delete the doomed\nAction=delete\n\n[Match]\nMetadata=tag=doomed\n")
        // The threads exist at the API and reach the ledger by import, which writes no run.
        var ids: [String] = []
        var lines = ""
        for tag in ["doomed", "doomed", "keep", "doomed"] {
            let id = await setup.server.insertThread(createdAt: 1_700_000_000, metadata: ["tag": tag])
            ids.append(id)
            lines += #"{"id":"\#(id)","object":"thread","created_at":1700000000,"metadata":{"tag":"\#(tag)"}}"# + "\n"
        }
        let imported = try setup.run(["import", try setup.directory.write("threads.jsonl", lines)])
        try #require(imported.status == 0, "\(imported.standardError)")
        let tagged = try setup.run(["tag", ids[2], "owner=ops", "--log-target", "stderr"])
        try #require(tagged.status == 0, "\(tagged.standardError)")
        // A manual run leaves its head like a rule's run: run, intent, outcome, end.
        #expect(tagged.standardError.contains("notice: run 1 of rule manual left the ledger's hash chain at row 4, head "))
        let ran = try setup.run(["run", "doomed", "--yes", "--rules", rules, "--log-target", "stderr"])
        try #require(ran.status == 0, "\(ran.standardOutput)\(ran.standardError)")
        return setup
    }

    @Test func docsAuditQuotesTheScriptWhole() throws {
        let script = try String(contentsOfFile: Self.script, encoding: .utf8)
        let doc = try String(contentsOfFile: (Self.script as NSString).deletingLastPathComponent + "/AUDIT.md", encoding: .utf8)
        #expect(doc.contains("```sh\n" + script + "```\n"))
        #expect(doc.contains("58537520032640069440dbad0e47df06"))
    }

    @Test func theDocumentedScriptAgreesWithAuditVerifyOnARealLedger() async throws {
        let setup = try await Self.ledgerFromRealRuns()
        defer { Task { await setup.stop() } }
        let verified = try setup.run(["audit", "--verify", "--no-journal"])
        #expect(verified.status == 0, "\(verified.standardOutput)")
        let head = try Ledger(path: setup.ledger, readOnly: true).chainHead()
        // A tag run (run, intent, outcome, end) and a delete run of three threads (run, 3 intents, 3 outcomes, end).
        #expect(head.rows == 12)
        let line = "chain intact: \(head.rows) rows, head \(head.hash)"
        #expect(verified.standardOutput.hasPrefix(line + "\n"))

        let script = try Self.audit(setup.ledger)
        #expect(script.status == 0, "\(script.standardOutput)\(script.standardError)")
        #expect(script.standardOutput == line + "\n")
        #expect(try Self.audit(setup.ledger, head: head.hash).status == 0)
    }

    @Test func theScriptNamesTheRowsAuditVerifyNames() async throws {
        let setup = try await Self.ledgerFromRealRuns()
        defer { Task { await setup.stop() } }
        let head = try Ledger(path: setup.ledger, readOnly: true).chainHead()
        let ledger = try Ledger(path: setup.ledger)
        // The run's second deletion becomes a skip.
        try ledger.execute(
            "DROP TRIGGER actions_settled_is_final; UPDATE actions SET outcome = 'skipped', error = 'hold' WHERE id = 3")
        // Outcomes are chained as the answers come back, so look up which row holds this one.
        let row = try #require(try ledger.rows("SELECT seq FROM chain WHERE kind = 'outcome' AND ref = 3").first?.first?.integerValue)
        #expect((9...11).contains(row))
        let script = try Self.audit(setup.ledger)
        #expect(script.status == 1)
        #expect(script.standardOutput == "chain broken at chain row \(row): hash does not match the row it covers\n")
        let verified = try setup.run(["audit", "--verify", "--no-journal"])
        #expect(verified.status == 65)
        #expect(verified.standardOutput.hasPrefix("chain broken at chain row \(row) (outcome of action 3): "))

        // An inserted action with no chain row.
        try ledger.execute(
            """
            INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, attempts, prev_hash, hash)
            VALUES (99, 2, 'thread_x', 'delete', 'r', 1, 0, 'x', 'x')
            """)
        #expect(try Self.audit(setup.ledger).standardOutput == "chain broken at intent of action 99: it has no chain row\n")

        // A cut: the head kept elsewhere is no longer in the chain.
        try ledger.execute(
            """
            DROP TRIGGER chain_no_delete; DROP TRIGGER actions_no_delete; DROP TRIGGER runs_no_delete;
            DELETE FROM chain WHERE seq > 4; DELETE FROM actions WHERE run_id = 2; DELETE FROM runs WHERE id = 2;
            """)
        #expect(try Self.audit(setup.ledger).standardOutput == "chain intact: 4 rows, head \(try ledger.chainHead().hash)\n")
        let cut = try Self.audit(setup.ledger, head: head.hash)
        #expect(cut.status == 1)
        #expect(cut.standardOutput == "head \(head.hash) is not in the chain (it ends at row 4): rows were cut or rewritten\n")
    }

    @Test func verifySaysWhereASchema2LedgerWasTakenOver() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        do {
            // Schema 2 as an older threadkeeper wrote it: one finished run with two deletions.
            let database = try SQLiteDatabase(path: path)
            for migration in Migrations.all.prefix(2) { try database.execute(migration.sql) }
            try database.execute("PRAGMA user_version = 2")
            try database.execute(
                """
                INSERT INTO runs (id, rule, rule_digest, rule_text, trigger, started_at, finished_at, status, matched, done)
                VALUES (1, 'old', 'd', '[Rule]\nAction=delete\n', 'schedule', 10, 20, 'completed', 2, 2)
                """)
            var prev = ActionChain.genesis
            for id in [Int64(1), 2] {
                let intent = ActionChain.intentDigest(
                    prevHash: prev, id: id, runID: 1, threadID: "thread_\(id)", action: "delete", reason: "old", intentAt: 15)
                let hash = ActionChain.settledHash(
                    intentDigest: intent, outcome: "ok", httpStatus: 200, requestID: nil, attempts: 1, error: nil, settledAt: 16)
                try database.execute(
                    """
                    INSERT INTO actions (id, run_id, thread_id, action, reason, intent_at, outcome, http_status, attempts,
                        settled_at, prev_hash, hash)
                    VALUES (\(id), 1, 'thread_\(id)', 'delete', 'old', 15, 'ok', 200, 1, 16, '\(prev)', '\(hash)')
                    """)
                prev = intent
            }
        }
        // Any writing open migrates it.
        let ledger = try Ledger(path: path)
        let head = try ledger.chainHead()
        #expect(head.rows == 7, "migration, run, two intents and outcomes, end")
        let verified = try ProcessRunner.threadkeeper(["audit", "--verify", "--no-journal", "--ledger", path])
        #expect(verified.status == 0)
        #expect(
            verified.standardOutput
                == "legacy chain: 2 actions and 1 run written before schema 3, per-action links intact up to action 2; "
                + "full chain from row 1, which re-chained them at the migration\n"
                + "chain intact: 7 rows, head \(head.hash)\naction links intact: 2 actions\n")
        let script = try Self.audit(path)
        #expect(script.standardOutput == "chain intact: 7 rows, head \(head.hash)\n")

        try ledger.execute("DROP TRIGGER actions_settled_is_final; UPDATE actions SET outcome = 'gone' WHERE id = 1")
        let broken = try ProcessRunner.threadkeeper(["audit", "--verify", "--no-journal", "--ledger", path])
        #expect(broken.status == 65)
        #expect(
            broken.standardOutput.hasPrefix(
                "legacy chain: 2 actions and 1 run written before schema 3, per-action links broken at action 1; "))
        #expect(broken.standardOutput.contains("\nchain broken at chain row 4 (outcome of action 1): "))
        #expect(try Self.audit(path).standardOutput == "chain broken at chain row 4: hash does not match the row it covers\n")
    }

    @Test func headOptionsAreCheckedBeforeTheLedgerIsOpened() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        let alone = try ProcessRunner.threadkeeper(["audit", "--head", String(repeating: "a", count: 64), "--ledger", path])
        #expect(alone.status == 64)
        #expect(alone.standardError.contains("--head, --journal-directory and --no-journal go with --verify"))
        let short = try ProcessRunner.threadkeeper(["audit", "--verify", "--head", "abc", "--ledger", path])
        #expect(short.status == 64)
        #expect(
            short.standardError.contains(
                "option '--head' expects a chain head (64 hexadecimal digits, as --verify prints it), got 'abc'"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
