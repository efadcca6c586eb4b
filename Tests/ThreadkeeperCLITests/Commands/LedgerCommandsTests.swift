import Foundation
import Ledger
import SQLite
import TestSupport
import Testing

/// `import`, `export`, `status`, `backup` and `audit`, run as the built binary.
struct LedgerCommandsTests {
    static let threads = """
        {"id":"thread_a","object":"thread","created_at":1700000000,"metadata":{"tag":"support"},"tool_resources":{}}
        {"id":"thread_b","object":"thread","created_at":1700000100,"metadata":null,"tool_resources":{}}
        {"id":"thread_c","object":"thread","created_at":1700000200,"metadata":{"tag":"sales","lang":"de"}}

        """

    func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try ProcessRunner.threadkeeper(arguments, input: input)
    }

    @Test func importJSONLThenExportItBack() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let file = try directory.write("threads.jsonl", Self.threads)
        let imported = try run(["import", file, "--ledger", ledger])
        #expect(imported.status == 0)
        #expect(imported.standardOutput == "imported 3, updated 0, unchanged 0, skipped 0 (jsonl into \(ledger))\n")
        #expect(imported.standardError.isEmpty)
        let again = try run(["import", "--json", file, "--ledger", ledger])
        #expect(
            again.standardOutput
                == #"{"format":"jsonl","imported":0,"ledger":"\#(ledger)","skipped":0,"unchanged":3,"updated":0}"# + "\n")
        let exported = try run(["export", "--ledger", ledger])
        #expect(exported.status == 0)
        #expect(
            exported.standardOutput == """
                {"id":"thread_a","object":"thread","created_at":1700000000,"metadata":{"tag":"support"}}
                {"id":"thread_b","object":"thread","created_at":1700000100,"metadata":{}}
                {"id":"thread_c","object":"thread","created_at":1700000200,"metadata":{"lang":"de","tag":"sales"}}

                """)
        let csv = try run(["export", "--format", "csv", "--state", "deleted", "--ledger", ledger])
        #expect(csv.standardOutput == Ledger.csvExportHeader + "\n")
    }

    @Test func badLinesAreNamedSkippedAndMakeTheExitNonZero() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let file = try directory.write("in.csv", "id,created_at,metadata\nthread_a,1,{}\nthread_b,x,{}\nthread_c,3,\n")
        let result = try run(["import", file, "--ledger", ledger])
        #expect(result.status == 1)
        #expect(
            result.standardError
                == "\(file):3: created_at 'x' is neither Unix seconds nor a timestamp like 2025-12-06 01:51:17, 2025-12-06T01:51:17Z or 2025-12-06T01:51:17+02:00\n"
        )
        #expect(result.standardOutput == "imported 2, updated 0, unchanged 0, skipped 1 (csv into \(ledger))\n")
    }

    @Test func strictWritesNothingWhenALineIsBad() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let result = try run(["import", "--strict", "-", "--ledger", ledger], input: "thread_a\nthread b\nthread_c\n")
        #expect(result.status == 65)
        #expect(
            result.standardError == """
                stdin:2: thread id 'thread b' has a character other than letters, digits and - _ . : ~
                threadkeeper import: 1 bad line in 'stdin'; --strict: nothing was imported

                """)
        let status = try run(["status", "--json", "--ledger", ledger])
        #expect(status.standardOutput.contains(#""threads":{"deleted":0,"gone":0,"live":0}"#))
    }

    @Test func truncatedImportKeepsTheWholeLinesAndNamesTheCutOne() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let text = Self.threads.trimmingCharacters(in: .newlines)
        let file = try directory.write("cut.jsonl", String(text.dropLast(30)))
        let result = try run(["import", file, "--ledger", ledger])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("\(file):3: bad JSON: "))
        #expect(result.standardOutput.hasPrefix("imported 2, updated 0, unchanged 0, skipped 1"))
        #expect(try Ledger(path: ledger, readOnly: true).integrityCheck() == "ok")
    }

    @Test func missingInputIsExit66AndCreatesNoLedger() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let missing = directory.file("absent.jsonl")
        let result = try run(["import", missing, "--ledger", ledger])
        #expect(result.status == 66)
        #expect(result.standardError == "threadkeeper import: cannot open '\(missing)': no such file or directory\n")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let status = try run(["status", "--ledger", ledger])
        #expect(status.status == 66)
        #expect(status.standardError.hasPrefix("threadkeeper status: no ledger at '\(ledger)'"))
    }

    @Test(arguments: ["import", "status", "export", "audit", "backup"])
    func aFileThatIsNotALedgerIsRefusedUntouched(command: String) throws {
        let directory = TemporaryDirectory()
        let notes = try directory.write("notes.txt", "dear diary\n")
        var arguments = [command, "--ledger", notes]
        if command == "import" { arguments.append(try directory.write("ids", "thread_a\n")) }
        if command == "backup" { arguments.append(directory.file("copy.sqlite3")) }
        let result = try run(arguments)
        #expect(result.status == 74)
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(result.standardError.contains("'\(notes)' is not an SQLite database"))
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "dear diary\n")
        #expect(!FileManager.default.fileExists(atPath: directory.file("copy.sqlite3")))
    }

    @Test func aNewerLedgerIsRefusedUntouched() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        do {
            let database = try SQLiteDatabase(path: ledger)
            try database.execute("CREATE TABLE t (x); PRAGMA user_version = 7")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let result = try run(["import", "-", "--ledger", ledger], input: "thread_a\n")
        #expect(result.status == 74)
        #expect(result.standardError.contains("written by a newer threadkeeper (schema version 7"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    @Test func statusReportsCountsOldestAndRuns() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        _ = try run(["import", try directory.write("t.jsonl", Self.threads), "--ledger", path])
        do {
            let ledger = try Ledger(path: path, now: { 1_800_000_000 })
            try ledger.markState(.deleted, threadIDs: ["thread_a"])
            let runID = try ledger.beginRun(
                RunStart(rule: "support-30d", ruleDigest: "d", ruleText: "[Rule]\n", trigger: .manual), matched: 1)
            let ids = try ledger.recordIntents(runID: runID, [ActionIntent(threadID: "thread_a", action: "delete", reason: "r")])
            try ledger.settle([ActionSettlement(actionID: ids[0], outcome: .ok, httpStatus: 200)])
            try ledger.finishRun(id: runID, status: .completed)
        }
        let result = try run(["status", "--json", "--ledger", path])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["threads"] as? [String: Int] == ["live": 2, "deleted": 1, "gone": 0])
        #expect(object["sources"] as? [String: Int] == ["import": 3, "create": 0, "sync": 0])
        #expect((object["oldest_live"] as? [String: Any])?["id"] as? String == "thread_b")
        #expect(object["schema_version"] as? Int == Ledger.schemaVersion)
        #expect(object["actions"] as? Int == 1)
        #expect((object["bytes_per_1000_actions"] as? Int ?? 0) > 0)
        let runs = try #require(object["recent_runs"] as? [[String: Any]])
        #expect(runs.first?["rule"] as? String == "support-30d")
        #expect(runs.first?["done"] as? Int == 1)
        let text = try run(["status", "--ledger", path])
        #expect(text.standardOutput.contains("threads:      3 (live 2, deleted 1, gone 0)\n"))
        #expect(text.standardOutput.contains("oldest live:  thread_b, created 2023-11-14 22:15:00 UTC"))
        #expect(text.standardOutput.contains("  #1 support-30d manual completed started 2027-01-15 08:00:00 UTC: matched 1, done 1,"))
    }

    @Test func auditListsNewestFirstAndVerifyNamesATamperedRow() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        do {
            let ledger = try Ledger(path: path, now: { 1_767_225_600 })
            let runID = try ledger.beginRun(RunStart(rule: "old", ruleDigest: "d", ruleText: "t", trigger: .schedule))
            let ids = try ledger.recordIntents(
                runID: runID,
                [
                    ActionIntent(threadID: "thread_a", action: "delete", reason: "older than 30d"),
                    ActionIntent(threadID: "thread_b", action: "delete", reason: "older than 30d, tag=support"),
                ])
            try ledger.settle([
                ActionSettlement(actionID: ids[0], outcome: .ok, httpStatus: 200, requestID: "req_1"),
                ActionSettlement(actionID: ids[1], outcome: .failed, httpStatus: 500, attempts: 3, error: "server error"),
            ])
        }
        let table = try run(["audit", "--ledger", path])
        #expect(table.status == 0)
        let lines = table.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID      TIME (UTC)           RULE"))
        #expect(lines[1].hasPrefix("2       2026-01-01 00:00:00  old                   1      thread_b"))
        #expect(lines[1].hasSuffix("failed   500   older than 30d, tag=support — server error"))
        let json = try run(["audit", "--json", "--thread", "thread_a", "--ledger", path])
        #expect(json.standardOutput.hasPrefix(#"{"id":1,"run_id":1,"rule":"old","dry_run":false,"thread_id":"thread_a","#))
        #expect(json.standardOutput.split(separator: "\n").count == 1)
        let csv = try run(["audit", "--csv", "--since", "2026-01-02", "--ledger", path])
        #expect(csv.standardOutput.split(separator: "\n").count == 1)
        let verified = try run(["audit", "--verify", "--no-journal", "--ledger", path])
        #expect(verified.status == 0)
        let head = try Ledger(path: path, readOnly: true).chainHead()
        #expect(head.rows == 5)
        #expect(verified.standardOutput == "chain intact: 5 rows, head \(head.hash)\naction links intact: 2 actions\n")

        let ledger = try Ledger(path: path)
        try ledger.execute("DROP TRIGGER actions_settled_is_final; UPDATE actions SET outcome = 'ok', error = NULL WHERE id = 2")
        let broken = try run(["audit", "--verify", "--no-journal", "--ledger", path])
        #expect(broken.status == 65)
        #expect(
            broken.standardOutput
                == "chain broken at chain row 5 (outcome of action 2): hash does not match the actions row as it is now: "
                + "that row was altered\n"
                + "action links broken at action 2: hash does not match the row's content: the row was altered\n")
        let still = try run(["audit", "--verify", "--no-journal", "--head", head.hash, "--ledger", path])
        #expect(still.status == 65)
        #expect(still.standardOutput.contains("head from --head not found: no row of the chain has the hash --head gives"))
    }

    @Test func auditRefusesABadTimestamp() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        _ = try Ledger(path: path)
        let result = try run(["audit", "--since", "last tuesday", "--ledger", path])
        #expect(result.status == 64)
        #expect(result.standardError.hasPrefix("threadkeeper audit: option '--since': unrecognized timestamp `last tuesday`"))
    }

    @Test func backupIsAConsistentStandaloneCopy() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        _ = try run(["import", try directory.write("t.jsonl", Self.threads), "--ledger", path])
        let copy = directory.file("backups/copy.sqlite3")
        try FileManager.default.createDirectory(atPath: directory.file("backups"), withIntermediateDirectories: true)
        let result = try run(["backup", copy, "--ledger", path])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("backed up \(path) to \(copy) ("))
        var info = stat()
        #expect(stat(copy, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        let exported = try run(["export", "--ledger", copy])
        #expect(exported.standardOutput == (try run(["export", "--ledger", path])).standardOutput)
        // Into a directory: the file keeps the ledger's name; again: replaced whole.
        #expect(try run(["backup", directory.file("backups"), "--ledger", path]).status == 0)
        #expect(try run(["backup", directory.file("backups"), "--ledger", path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.file("backups/ledger.sqlite3")))
        let same = try run(["backup", path, "--ledger", path])
        #expect(same.status == 64)
    }
}

/// Getting ids in from an application's database: CSV headers and dates as exports write them.
struct ImportFromADatabaseTests {
    @Test func aCSVHeaderWithoutAnIDColumnIsOneErrorNamingTheColumnsAndNothingIsWritten() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let file = try directory.write("export.csv", "thread_id,created_at\nthread_a,2025-12-06 01:51:17\n")
        let result = try ProcessRunner.threadkeeper(["import", file, "--ledger", ledger])
        #expect(result.status == 65)
        #expect(
            result.standardError
                == "threadkeeper import: \(file):1: the CSV header names no 'id' column (found 'thread_id', 'created_at'); name the columns id, created_at and metadata, e.g. SELECT thread_id AS id, created_at FROM … in the export\n"
        )
        let count = try ProcessRunner.run("/usr/bin/sqlite3", [ledger, "SELECT count(*) FROM threads"])
        #expect(count.standardOutput == "0\n" || !FileManager.default.fileExists(atPath: ledger))
    }

    @Test func isoDatesAsADatabaseWritesThemAreRead() throws {
        let directory = TemporaryDirectory()
        let ledger = directory.file("ledger.sqlite3")
        let file = try directory.write(
            "export.csv", "id,created_at\nthread_a,2025-12-06 01:51:17\nthread_b,2025-12-06T01:51:17Z\nthread_c,2025-12-06T03:51:17+02:00\n"
        )
        let result = try ProcessRunner.threadkeeper(["import", file, "--ledger", ledger])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = try ProcessRunner.run("/usr/bin/sqlite3", [ledger, "SELECT id, created_at FROM threads ORDER BY id"])
        #expect(rows.standardOutput == "thread_a|1764985877\nthread_b|1764985877\nthread_c|1764985877\n")
    }
}
