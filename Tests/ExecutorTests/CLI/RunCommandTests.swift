import Emulator
import Foundation
import JSON
import Ledger
import TestSupport
import Testing

@testable import Executor

/// `threadkeeper plan` and `run` as a script sees them: output and exit codes of the built binary.
struct RunCommandTests {
    struct Setup {
        let directory = TemporaryDirectory()
        let server: EmulatorServer
        let ledger: String
        let environment = ["THREADKEEPER_API_KEY": "sk-cli-test", "PATH": "/usr/bin:/bin"]

        init() async throws {
            let export = directory.file("seed.jsonl")
            server = try await EmulatorServer.start(
                EmulatorOptions(seedCount: 200, seedAge: 365 * 86_400, seedRandom: 11, exportFile: export, eventLoops: 1))
            ledger = directory.file("ledger.sqlite3")
            let (ledger, environment) = (ledger, environment)
            _ = try await onOwnThread { try ProcessRunner.threadkeeper(["import", export, "--ledger", ledger], environment: environment) }
            try directory.write("rules/old.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=300d\n")
            try directory.write("rules/most.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=1d\n\n[Limits]\nMaxFraction=10%\n")
            try directory.write(
                "threadkeeper.conf",
                "[API]\nProvider=custom\nBaseURL=\(server.baseURL)\nRequestsPerSecond=1000\nConcurrency=4\n")
        }

        /// The built binary, waited for on a thread of its own (`onOwnThread`), not on the pool.
        func threadkeeper(_ arguments: [String]) async throws -> ProcessResult {
            let arguments =
                arguments + [
                    "--config", directory.file("threadkeeper.conf"), "--rules", directory.file("rules"), "--ledger", ledger,
                    "--log-target", "stderr",
                ]
            let environment = environment
            return try await onOwnThread { try ProcessRunner.threadkeeper(arguments, environment: environment) }
        }
    }

    @Test func planShowsTheMatchAndSavesAPlanThatRunApplies() async throws {
        let setup = try await Setup()
        let plan = try await setup.threadkeeper(["plan", "old", "--json", "--save", "--sample", "2"])
        #expect(plan.status == 0, "\(plan.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(plan.standardOutput.utf8)) as? [String: Any])
        let matched = try #require(object["matched"] as? Int)
        let planID = try #require(object["plan_id"] as? Int)
        #expect(matched > 0 && matched < 200)
        #expect((object["sample"] as? [Any])?.count == 2)
        #expect(object["live"] as? Int == 200)

        let run = try await setup.threadkeeper(["run", "--plan", String(planID), "--yes", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("\"done\":\(matched)"))
        #expect(await setup.server.liveThreadIDs().count == 200 - matched)

        // The rule file changes: the saved plan no longer applies.
        try setup.directory.write("rules/old.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=200d\n")
        let outdated = try await setup.threadkeeper(["run", "--plan", String(planID), "--yes"])
        #expect(outdated.status == 65)
        #expect(outdated.standardError.contains("changed since plan \(planID)"))
        await setup.server.stop()
    }

    @Test func archiveShowPrintsWhatARunArchived() async throws {
        let setup = try await Setup()
        try setup.directory.write(
            "rules/keep.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=300d\n\n[Action]\nArchive=yes\n\n[Limits]\nMaxThreads=1\n")
        let run = try await setup.threadkeeper(["run", "keep", "--yes"])
        #expect(run.status == 0, "\(run.standardError)")
        let archives = try FileManager.default.contentsOfDirectory(atPath: setup.directory.file("archive"))
        let thread = try #require(archives.first?.replacingOccurrences(of: ".json.gz", with: ""))
        #expect(archives.count == 1)
        let json = try await setup.threadkeeper(["archive", "show", thread])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect((object["thread"] as? [String: Any])?["id"] as? String == thread)
        #expect(object["rule"] as? String == "keep")
        let text = try await setup.threadkeeper(["archive", "show", thread, "--text"])
        #expect(text.standardOutput.hasPrefix("thread \(thread), created "))
        #expect(text.standardOutput.contains("by rule 'keep'"))
        let missing = try await setup.threadkeeper(["archive", "show", "thread_missing"])
        #expect(missing.status == 66)
        await setup.server.stop()
    }

    /// `archive show` prints a format-2 archive exactly as stored, and still reads format 1.
    @Test func archiveShowPrintsTheStoredAnswersAndReadsTheOldFormat() async throws {
        let setup = try await Setup()
        try setup.directory.write(
            "rules/keep.rule", "[Rule]\nAction=delete\n\n[Match]\nOlderThan=300d\n\n[Action]\nArchive=yes\n\n[Limits]\nMaxThreads=1\n")
        let run = try await setup.threadkeeper(["run", "keep", "--yes"])
        #expect(run.status == 0, "\(run.standardError)")
        let store = ArchiveStore(directory: setup.directory.file("archive"))
        let archives = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        let thread = try #require(archives.first?.replacingOccurrences(of: ".json.gz", with: ""))
        let shown = try await setup.threadkeeper(["archive", "show", thread])
        #expect(shown.status == 0)
        #expect(Array(shown.standardOutput.utf8) == (try store.read(threadID: thread)))

        try store.write(threadID: "thread_old", document: Array(LosslessArchiveTests.formatOne.utf8))
        let old = try await setup.threadkeeper(["archive", "show", "thread_old", "--text"])
        #expect(old.status == 0, "\(old.standardError)")
        #expect(old.standardOutput.hasPrefix("thread thread_old, created "))
        #expect(old.standardOutput.contains("2 messages:"))
        #expect(old.standardOutput.contains("] assistant:\nhi there"))
        // A transcript shows what each part holds, text or not.
        let messages = LosslessArchiveTests.fullMessages(count: 4, from: 1_700_000_000)
        var page = JSONWriter(capacity: 4096)
        page.raw("{\"object\":\"list\",\"data\":[")
        for (index, message) in messages.enumerated() {
            if index > 0 { page.raw(",") }
            message.writeJSON(threadID: "thread_full", into: &page)
        }
        page.raw("],\"has_more\":false}")
        let threadJSON = StoredThread(id: "thread_full", createdAt: 1_700_000_000).json
        try store.write(
            threadID: "thread_full",
            document: try ThreadArchive.document(
                archivedAt: 1_700_000_100, rule: "keep", run: 9, thread: Data(threadJSON), pages: [Data(page.bytes)]))
        let full = try await setup.threadkeeper(["archive", "show", "thread_full", "--text"])
        #expect(full.status == 0, "\(full.standardError)")
        #expect(
            full.standardOutput.contains(
                "] user:\nsee the attached report 0\n[image_file file-img0]\n[image_url https://example.com/0.png]\n"))
        #expect(full.standardOutput.contains("] assistant:\nper the report, 42\n"))
        #expect(full.standardOutput.contains("] assistant:\n[refusal] I can't help with that.\n"))
        let oldJSON = try await setup.threadkeeper(["archive", "show", "thread_old"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(oldJSON.standardOutput.utf8)) as? [String: Any])
        #expect(object["format"] as? Int == 1)
        await setup.server.stop()
    }

    @Test func exitCodesTellScriptsWhatHappened() async throws {
        let setup = try await Setup()
        // No terminal and no --yes: a destructive run is refused before anything happens.
        let unconfirmed = try await setup.threadkeeper(["run", "old"])
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.standardError.contains("--yes"))
        // MaxFraction=10% of a rule matching nearly everything: refused, exit 2.
        let refused = try await setup.threadkeeper(["run", "most", "--yes"])
        #expect(refused.status == 2)
        #expect(refused.standardOutput.contains("refused"))
        #expect(await setup.server.stats().totalRequests == 0)
        // An unknown rule is a bad-input error.
        let unknown = try await setup.threadkeeper(["run", "nosuch", "--yes"])
        #expect(unknown.status == 65)
        #expect(unknown.standardError.contains("'nosuch'"))
        // A live process holds the rule's lock: a temporary failure naming the holder.
        let ledger = try Ledger(path: setup.ledger)
        _ = try ledger.acquireRuleLock(
            rule: "old", holder: RuleLockHolder(pid: 1, host: ProcessIdentity.host, processStart: ProcessIdentity.startTime(of: 1))
        ) { _ in false }
        let locked = try await setup.threadkeeper(["run", "old", "--yes"])
        #expect(locked.status == 75)
        #expect(locked.standardError.contains("pid 1"))
        // Dry run: the run is recorded, nothing is called.
        _ = try ledger.releaseRuleLock(rule: "old", pid: 1, host: ProcessIdentity.host)
        let dry = try await setup.threadkeeper(["run", "old", "--dry-run"])
        #expect(dry.status == 0)
        #expect(await setup.server.stats().totalRequests == 0)
        await setup.server.stop()
    }

    /// Issue 14, finding 4: a base URL answering `404 Invalid URL (…)` stops `run` at the probe:
    /// exit 69, the message names BaseURL=, nothing is deleted or recorded gone.
    @Test func aWrongBaseURLExits69AtTheProbe() async throws {
        let setup = try await Setup()
        let before = try Ledger(path: setup.ledger).count(matching: .state(.live))
        let result = try await setup.threadkeeper(["run", "old", "--yes", "--base-url", setup.server.baseURL + "/v1beta"])
        #expect(result.status == 69)
        #expect(result.standardError.contains("read-only probe"))
        #expect(result.standardError.contains("BaseURL="))
        #expect(result.standardError.contains("Invalid URL (GET /v1beta/threads/"))
        let ledger = try Ledger(path: setup.ledger)
        #expect(try ledger.count(matching: .state(.live)) == before)
        #expect(try ledger.count(matching: .state(.gone)) == 0)
        let stats = await setup.server.stats()
        #expect(stats.totalRequests == 1)
        #expect(stats.requestsByMethod["DELETE"] == nil)
        await setup.server.stop()
    }
}
