import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// `create`, `get`, `tag`, `untag`, `delete` and `sync` run as the built binary against the
/// emulator on loopback, with a real ledger in a temporary directory.
@Suite struct APICommandsTests {
    static let secret = "sk-cli-test-3b1f9e2ad4c07e58"

    /// A working directory with a config pointing at the emulator, and a log of every output.
    final class Setup: @unchecked Sendable {
        // @unchecked Sendable: `outputs` is appended to only from the test's own task.
        let directory = TemporaryDirectory()
        let server: EmulatorServer
        let config: String
        var ledger: String { directory.file("ledger.sqlite3") }
        var outputs: [String] = []

        init(seed: Int = 0, extraConfig: String = "") async throws {
            server = try await EmulatorServer.start(
                EmulatorOptions(seedCount: seed, seedRandom: 3, exportFile: nil, apiKey: APICommandsTests.secret))
            config = try directory.write(
                "threadkeeper.conf",
                """
                [API]
                Provider=custom
                BaseURL=\(server.baseURL)/v1
                RequestsPerSecond=200
                Concurrency=8
                \(extraConfig)
                """)
        }

        func run(_ arguments: [String], key: String? = APICommandsTests.secret, environment extra: [String: String] = [:])
            throws -> ProcessResult
        {
            var environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
            if let key { environment["THREADKEEPER_API_KEY"] = key }
            environment.merge(extra) { _, new in new }
            let result = try ProcessRunner.threadkeeper(
                arguments + ["--config", config, "--ledger", ledger], environment: environment)
            outputs.append(result.standardOutput)
            outputs.append(result.standardError)
            return result
        }

        func stop() async { await server.stop() }
    }

    @Test func createGetTagUntagDeleteAgainstTheEmulator() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }

        let created = try setup.run(["create", "--metadata", "tag=support", "--message", "hello", "--json"])
        #expect(created.status == 0, "\(created.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])
        let id = try #require(object["id"] as? String)
        #expect(object["metadata"] as? [String: String] == ["tag": "support"])
        #expect(await setup.server.threadIsLive(id))

        let ledger = try Ledger(path: setup.ledger)
        let record = try #require(try ledger.thread(id: id))
        #expect(record.source == .create)
        #expect(record.state == .live)
        #expect(record.metadata == ["tag": "support"])
        // The create is a manual run: its intent before the POST, its outcome naming the thread.
        let run = try #require(try ledger.recentRuns(limit: 1, rule: "manual").first)
        #expect(run.ruleText == "threadkeeper create --metadata tag=support --message …")
        let creation = try ledger.actions(runID: run.id)
        #expect(creation.count == 1)
        #expect(creation.first?.action == "create")
        #expect(creation.first?.threadID == "")
        #expect(creation.first?.outcome == .ok)
        #expect(creation.first?.error == "created \(id)")
        #expect(creation.first?.requestID?.hasPrefix("req_") == true)
        #expect(try ledger.verifyAudit().isIntact)

        let got = try setup.run(["get", id])
        #expect(got.status == 0)
        #expect(got.standardOutput.contains("id:        \(id)\n"))
        #expect(got.standardOutput.contains("metadata:  tag=support\n"))

        let tagged = try setup.run(["tag", id, "tenant=acme", "tag=sales"])
        #expect(tagged.status == 0, "\(tagged.standardError)")
        #expect(tagged.standardOutput == "\(id): tag=sales, tenant=acme\n")
        #expect(await setup.server.metadata(ofThread: id) == ["tag": "sales", "tenant": "acme"])
        #expect(try ledger.thread(id: id)?.metadata == ["tag": "sales", "tenant": "acme"])

        let untagged = try setup.run(["untag", id, "tag", "absent"])
        #expect(untagged.status == 0)
        #expect(await setup.server.metadata(ofThread: id) == ["tenant": "acme"])
        #expect(try ledger.thread(id: id)?.metadata == ["tenant": "acme"])

        let tooMany = try setup.run(["tag", id] + (0..<16).map { "k\($0)=v" })
        #expect(tooMany.status == 65)
        #expect(tooMany.standardError.contains("at most 16"))

        let deleted = try setup.run(["delete", "--yes", id, "thread_neverexisted00000000"])
        #expect(deleted.status == 0, "\(deleted.standardError)")
        #expect(deleted.standardOutput.contains("deleted \(id)\n"))
        #expect(deleted.standardOutput.contains("gone    thread_neverexisted00000000"))
        #expect(await !setup.server.threadIsLive(id))
        #expect(try ledger.thread(id: id)?.state == .deleted)

        // The manual actions are in the log like a rule's, each intent settled.
        let runs = try ledger.recentRuns(limit: 10)
        #expect(runs.allSatisfy { $0.rule == "manual" && $0.status == .completed })
        #expect(runs.count == 4)
        let actions = try runs.flatMap { try ledger.actions(runID: $0.id) }
        #expect(actions.map(\.action).sorted() == ["create", "delete", "delete", "tag", "untag"])
        #expect(actions.allSatisfy { $0.outcome != nil && $0.attempts >= 1 && $0.requestID != nil })
        #expect(try ledger.openIntents().isEmpty)

        let bad = try setup.run(["delete", "../etc/passwd"])
        #expect(bad.status == 65)
        #expect(bad.standardError.contains("'../etc/passwd'"))

        for output in setup.outputs { #expect(!output.contains(Self.secret)) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: setup.ledger))
        #expect(bytes.range(of: Data(Self.secret.utf8)) == nil)
    }

    @Test func syncRefreshesRowsMarksGoneOnesAndResumes() async throws {
        let setup = try await Setup(seed: 40)
        defer { Task { await setup.stop() } }
        let export = setup.directory.file("threads.jsonl")
        try await setup.server.export(to: export)
        let imported = try setup.run(["import", export])
        #expect(imported.status == 0, "\(imported.standardError)")
        let ids = Array(await setup.server.liveThreadIDs()).sorted()
        // Two threads vanish behind the ledger's back (deleted through another ledger).
        let elsewhere = setup.directory.file("other.sqlite3")
        let gone = try ProcessRunner.threadkeeper(
            ["delete", "--yes", ids[0], ids[1], "--config", setup.config, "--ledger", elsewhere],
            environment: ["THREADKEEPER_API_KEY": Self.secret, "HOME": setup.directory.path])
        #expect(gone.status == 0)

        let synced = try setup.run(["sync", "--activity", "--json"])
        #expect(synced.status == 0, "\(synced.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(synced.standardOutput.utf8)) as? [String: Int])
        #expect(summary == ["selected": 40, "live": 38, "gone": 2, "failed": 0])
        let ledger = try Ledger(path: setup.ledger)
        #expect(try ledger.thread(id: ids[0])?.state == .gone)
        let live = try #require(try ledger.thread(id: ids[2]))
        #expect(live.lastSynced != nil)
        #expect(live.lastActivity != nil)

        // Everything is synced now: a second plain sync has nothing to do, --stale-after 1h neither.
        let again = try setup.run(["sync", "--json"])
        #expect(again.standardOutput.contains("\"selected\":0"))
        let stale = try setup.run(["sync", "--stale-after", "1h", "--json"])
        #expect(stale.standardOutput.contains("\"selected\":0"))
        let all = try setup.run(["sync", "--all"])
        #expect(all.standardOutput == "synced 38 of 38 threads: 38 live, 0 gone, 0 failed\n")

        for output in setup.outputs { #expect(!output.contains(Self.secret)) }
    }

    @Test func bareIDsHaveAnUnknownAgeNoAgeRuleMatchesUntilSyncReadsItFromTheAPI() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let day: Int64 = 86_400
        let now = Int64(Date().timeIntervalSince1970)
        let old = await setup.server.insertThread(createdAt: now - 90 * day)
        let young = await setup.server.insertThread(createdAt: now - 2 * day)
        let ids = try setup.directory.write("ids.txt", "\(old)\n\(young)\n")
        #expect(try setup.run(["import", ids]).status == 0)
        let rules = setup.directory.file("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        _ = try setup.directory.write("rules/old.rule", "[Rule]\nAction=report\n\n[Match]\nOlderThan=30d\n")
        _ = try setup.directory.write("rules/young.rule", "[Rule]\nAction=report\n\n[Match]\nNewerThan=30d\n")

        // Unknown age: neither rule matches either thread, and explain and status say why.
        let before = try setup.run(["rules", "--json", "--rules", rules])
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(before.standardOutput.utf8)) as? [[String: Any]])
        #expect(counts.map { $0["matches"] as? Int } == [0, 0])
        let explained = try setup.run(["explain", old, "--rules", rules])
        #expect(explained.standardOutput.contains("created unknown (no age condition matches it; run 'threadkeeper sync')"))
        #expect(
            explained.standardOutput.contains(
                "  FAIL OlderThan=30d: created before "),
            "\(explained.standardOutput)")
        #expect(
            explained.standardOutput.contains(
                " — age unknown (imported without created_at), so no age condition matches; 'threadkeeper sync' reads it from the API\n"),
            "\(explained.standardOutput)")
        let status = try setup.run(["status"])
        #expect(status.standardOutput.contains("unknown age:  2 live threads without created_at match no age rule"))

        // sync reads created_at from the API; then each rule matches its thread.
        #expect(try setup.run(["sync"]).status == 0)
        let ledger = try Ledger(path: setup.ledger)
        #expect(try ledger.thread(id: old)?.createdAt == now - 90 * day)
        #expect(try ledger.thread(id: young)?.createdAt == now - 2 * day)
        let after = try setup.run(["rules", "--json", "--rules", rules])
        let matched = try #require(try JSONSerialization.jsonObject(with: Data(after.standardOutput.utf8)) as? [[String: Any]])
        #expect(matched.map { $0["matches"] as? Int } == [1, 1])
    }

    @Test func aWrongBaseURLTripsTheBreakerAndExits69() async throws {
        let setup = try await Setup(seed: 80)
        defer { Task { await setup.stop() } }
        let export = setup.directory.file("threads.jsonl")
        try await setup.server.export(to: export)
        #expect(try setup.run(["import", export]).status == 0)
        let synced = try setup.run(["sync", "--base-url", setup.server.baseURL + "/nowhere"])
        #expect(synced.status == 69)
        #expect(synced.standardError.contains("BaseURL="))
        // Nothing was marked gone by a flood of 404s from the wrong address... beyond the ones before the breaker opened.
        let ledger = try Ledger(path: setup.ledger)
        #expect(try ledger.count(matching: .state(.gone)) < 80)
    }

    /// Issue 14, finding 7: `delete` asks first (--yes without a terminal), leaves a thread held in
    /// the ledger or at the API alone, and records an override in the action's reason.
    @Test func deleteObeysHoldsAndNeedsYesWithoutATerminal() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let created: Int64 = 1_700_000_000
        let heldAtAPI = await setup.server.insertThread(createdAt: created, metadata: ["legal_hold": "case-7"])
        let heldInLedger = await setup.server.insertThread(createdAt: created)
        let free = await setup.server.insertThread(createdAt: created)
        let ledger = try Ledger(path: setup.ledger)
        try ledger.save(ThreadRecord(id: heldInLedger, createdAt: created, metadata: ["legal_hold": "x"], firstSeen: created))

        let unconfirmed = try setup.run(["delete", free])
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.standardError.contains("pass --yes"))
        #expect(await setup.server.threadIsLive(free))

        let refused = try setup.run(["delete", "--yes", heldAtAPI, heldInLedger, free])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardOutput.contains("skipped \(heldAtAPI): held at the api (legal_hold=case-7)"))
        #expect(refused.standardOutput.contains("skipped \(heldInLedger): held in the ledger (legal_hold=x)"))
        #expect(refused.standardOutput.contains("deleted \(free)\n"))
        #expect(await setup.server.threadIsLive(heldAtAPI))
        #expect(await setup.server.threadIsLive(heldInLedger))
        #expect(await !setup.server.threadIsLive(free))

        let overridden = try setup.run(["delete", "--yes", "--ignore-hold", heldAtAPI])
        #expect(overridden.status == 0, "\(overridden.standardError)")
        #expect(await !setup.server.threadIsLive(heldAtAPI))
        let reasons = try ledger.rows("SELECT reason, outcome FROM actions WHERE thread_id = ? ORDER BY id", [.text(heldAtAPI)])
        #expect(reasons.map { $0[1].textValue ?? "" } == ["skipped", "ok"])
        #expect(reasons.last?[0].textValue?.contains("--ignore-hold") == true)
    }

    /// Issue 14, finding 4: `delete` against a base URL answering `404 Invalid URL (…)` stops at
    /// the probe with exit 69, naming BaseURL=; nothing is recorded gone or deleted.
    @Test func deleteAgainstAWrongBaseURLStopsAtTheProbe() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let id = await setup.server.insertThread(createdAt: 1_700_000_000)
        let result = try setup.run(["delete", "--yes", "--base-url", setup.server.baseURL + "/wrong", id])
        #expect(result.status == 69)
        #expect(result.standardError.contains("BaseURL="))
        #expect(result.standardError.contains("Invalid URL"))
        #expect(!result.standardOutput.contains("gone"))
        #expect(await setup.server.threadIsLive(id))
        let ledger = try Ledger(path: setup.ledger)
        #expect(try ledger.rows("SELECT count(*) FROM actions").first?[0].integerValue == 0)
        #expect(await setup.server.stats().requestsByMethod["DELETE"] == nil)
    }

    /// Issue 14, finding 1: `sync` takes `created_at` from the API too, so a wrong imported age is corrected.
    @Test func syncWritesTheAPIsCreatedAt() async throws {
        let setup = try await Setup()
        defer { Task { await setup.stop() } }
        let id = await setup.server.insertThread(createdAt: 1_700_000_000)
        let ledger = try Ledger(path: setup.ledger)
        try ledger.save(ThreadRecord(id: id, createdAt: 1000, firstSeen: 1000))
        let synced = try setup.run(["sync", "--all"])
        #expect(synced.status == 0, "\(synced.standardError)")
        #expect(try ledger.thread(id: id)?.createdAt == 1_700_000_000)
        #expect(try ledger.thread(id: id)?.lastSynced != nil)
    }

    @Test func aWrongKeyExits69AndIsNeverPrinted() async throws {
        let setup = try await Setup(seed: 1)
        defer { Task { await setup.stop() } }
        let id = try #require(await setup.server.liveThreadIDs().first)
        let wrongKey = "sk-wrong-cli-key-99887766"
        let result = try setup.run(["get", id], key: wrongKey)
        #expect(result.status == 69)
        #expect(result.standardError.contains("401"))
        #expect(!result.standardError.contains(wrongKey))
    }

    @Test func aKeyFileOthersCanReadIsRefusedWithTheFix() async throws {
        let setup = try await Setup(seed: 1)
        defer { Task { await setup.stop() } }
        let keyFile = try setup.directory.write("api-key", Self.secret + "\n")
        chmod(keyFile, 0o644)
        try "[API]\nProvider=custom\nBaseURL=\(setup.server.baseURL)\nApiKeyFile=\(keyFile)\n".write(
            toFile: setup.config, atomically: true, encoding: .utf8)
        let refused = try setup.run(["get", "thread_x"], key: nil)
        #expect(refused.status == 69)
        #expect(refused.standardError.contains("chmod 600 \(keyFile)"))
        chmod(keyFile, 0o600)
        let id = try #require(await setup.server.liveThreadIDs().first)
        let accepted = try setup.run(["get", id], key: nil)
        #expect(accepted.status == 0, "\(accepted.standardError)")
        // The systemd credential wins over the file.
        let credentials = setup.directory.file("credentials")
        try setup.directory.write("credentials/api-key", "sk-from-credential-wrong")
        let viaCredential = try setup.run(["get", id], key: nil, environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(viaCredential.status == 69)
        for output in setup.outputs { #expect(!output.contains(Self.secret)) }
    }
}
