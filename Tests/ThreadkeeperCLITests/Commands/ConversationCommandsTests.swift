import Emulator
import Foundation
import Ledger
import TestSupport
import Testing

/// `create`, `get`, `tag`, `untag`, `delete`, `sync`, `status` and `audit` on conversations, run as
/// the built binary against the emulator playing OpenAI, and a thread command on `Provider=openai`.
@Suite struct ConversationCommandsTests {
    static let secret = "sk-cli-kinds-6c2e0f4a"

    final class Setup: Sendable {
        let directory = TemporaryDirectory()
        let server: EmulatorServer
        let config: String
        var ledger: String { directory.file("ledger.sqlite3") }

        init(provider: String) async throws {
            server = try await EmulatorServer.start(EmulatorOptions(apiKey: ConversationCommandsTests.secret, flavor: .openai))
            config = try directory.write(
                "threadkeeper.conf",
                "[API]\nProvider=\(provider)\nBaseURL=\(server.baseURL)/v1\nRequestsPerSecond=200\n")
        }

        func run(_ arguments: [String]) throws -> ProcessResult {
            let environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path, "THREADKEEPER_API_KEY": ConversationCommandsTests.secret]
            return try ProcessRunner.threadkeeper(arguments + ["--config", config, "--ledger", ledger], environment: environment)
        }

        func stop() async { await server.stop() }
    }

    @Test func everyCommandWorksOnAConversation() async throws {
        let setup = try await Setup(provider: "openai")
        defer { Task { await setup.stop() } }

        let created = try setup.run(["create", "--object", "conversation", "--metadata", "tag=support", "--message", "hello"])
        #expect(created.status == 0, "\(created.standardError)")
        let id = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("conv_"))
        let ledger = try Ledger(path: setup.ledger)
        let record = try #require(try ledger.thread(id: id))
        #expect(record.object == .conversation)
        #expect(record.source == .create)

        let got = try setup.run(["get", id])
        #expect(got.status == 0, "\(got.standardError)")
        #expect(got.standardOutput.contains("metadata:  tag=support\n"))

        let tagged = try setup.run(["tag", id, "tenant=acme"])
        #expect(tagged.status == 0, "\(tagged.standardError)")
        #expect(tagged.standardOutput == "\(id): tag=support, tenant=acme\n")
        let untagged = try setup.run(["untag", id, "tag"])
        #expect(untagged.status == 0, "\(untagged.standardError)")
        #expect(try ledger.thread(id: id)?.metadata == ["tenant": "acme"])

        try ledger.markState(.live, threadIDs: [id])
        try ledger.execute("UPDATE threads SET last_synced = NULL")
        // A thread row on Provider=openai is left as it is, and said so.
        try ledger.save(ThreadRecord(id: "thread_old", createdAt: 1, firstSeen: 1))
        let synced = try setup.run(["sync"])
        #expect(synced.status == 0, "\(synced.standardError)")
        #expect(synced.standardOutput.contains("synced 1 of 1 threads: 1 live, 0 gone, 0 failed"))
        #expect(synced.standardError.contains("warning: 1 live threads left unsynced: Provider=openai no longer serves threads"))
        #expect(try ledger.thread(id: "thread_old")?.lastSynced == nil)
        let onlyThreads = try setup.run(["sync", "--object", "thread"])
        #expect(onlyThreads.status == 69)

        let status = try setup.run(["status"])
        #expect(status.standardOutput.contains("objects:      thread 1, conversation 1\n"))

        let deleted = try setup.run(["delete", "--yes", id])
        #expect(deleted.status == 0, "\(deleted.standardError)")
        #expect(deleted.standardOutput == "deleted \(id)\n")
        #expect(await setup.server.liveConversationIDs().isEmpty)
        #expect(try ledger.thread(id: id)?.state == .deleted)

        let audit = try setup.run(["audit", "--json"])
        let kinds = audit.standardOutput.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["object"] as? String
        }
        // delete, untag, tag and create, newest first.
        let actions = audit.standardOutput.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["action"] as? String
        }
        #expect(actions == ["delete", "untag", "tag", "create"])
        #expect(kinds == ["conversation", "conversation", "conversation", "conversation"])
        #expect(try ledger.verifyAudit().isIntact)
    }

    @Test func aConversationRuleRunsAndItsArchiveReadsBack() async throws {
        let setup = try await Setup(provider: "openai")
        defer { Task { await setup.stop() } }
        let created = try setup.run(
            ["create", "--object", "conversation", "--metadata", "tag=support", "--message", "hello", "--message", "again"])
        #expect(created.status == 0, "\(created.standardError)")
        let id = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let rules = setup.directory.file("rules")
        try setup.directory.write(
            "rules/support.rule", "[Rule]\nAction=delete\n[Match]\nObject=conversation\nMetadata=tag=support\n[Action]\nArchive=yes\n")
        let explained = try setup.run(["explain", id, "--rules", rules])
        #expect(explained.standardOutput.contains("Object=conversation: a conversation — a conversation"), "\(explained.standardOutput)")
        let listed = try setup.run(["rules", "--rules", rules])
        #expect(listed.standardOutput.contains("  match:    live conversations, `tag` is `support`, not held (`legal_hold`)\n"))
        #expect(listed.standardOutput.contains("  matches:  1 conversation now\n"))
        let ran = try setup.run(["run", "support", "--yes", "--rules", rules])
        #expect(ran.status == 0, "\(ran.standardOutput)\(ran.standardError)")
        #expect(await setup.server.liveConversationIDs().isEmpty)
        let shown = try setup.run(["archive", "show", id, "--text"])
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.hasPrefix("conversation \(id), created "))
        #expect(shown.standardOutput.contains("metadata: tag=support\n"))
        #expect(shown.standardOutput.contains("2 items:\n\nuser:\nhello\n\nuser:\nagain\n"))
    }

    @Test func aThreadCommandOnProviderOpenAIStopsBeforeAnyCall() async throws {
        let setup = try await Setup(provider: "openai")
        defer { Task { await setup.stop() } }
        for arguments in [["get", "thread_abc"], ["tag", "thread_abc", "a=b"], ["delete", "--yes", "thread_abc"], ["create"]] {
            let result = try setup.run(arguments)
            #expect(result.status == 69, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("shut the Threads API down on 2026-08-26"), "\(result.standardError)")
            #expect(result.standardError.contains("`Object=conversation`"))
        }
        // A conversation id, or --object conversation, is served.
        let got = try setup.run(["get", "--object", "conversation", "conv_missing"])
        #expect(got.status == 1, "\(got.standardError)")
        #expect(got.standardError.contains("Conversation with id 'conv_missing' not found."))
        let stats = await setup.server.stats()
        #expect(stats.requestsByMethod["GET"] == 1)
        #expect(stats.totalRequests == 1)
    }
}
