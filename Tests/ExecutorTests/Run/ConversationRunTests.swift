import Emulator
import Foundation
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

/// Conversations under the same rules as threads: a ledger holding both, a rule with
/// `Object=conversation`, the emulator over loopback.
struct ConversationRunTests {
    @Test func aConversationRuleDeletesExactlyTheConversationsItMatchesAndArchivesTheirItems() async throws {
        let harness = try await ExecutorHarness()
        let now = ExecutorHarness.now
        let day = ExecutorHarness.day
        // Threads as old as the conversations, with the same metadata: the rule must not touch them.
        let oldThread = try await harness.thread(ageDays: 90, metadata: ["tag": "support"], messages: 2)
        let youngThread = try await harness.thread(ageDays: 1, metadata: ["tag": "support"])
        var conversations: [String: Int64] = [:]
        func conversation(ageDays: Int64, metadata: [String: String], items: Int) async throws -> String {
            let created = now - ageDays * day
            let id = await harness.server.insertConversation(createdAt: created, metadata: metadata, itemCount: items)
            try harness.ledger.save(
                ThreadRecord(id: id, createdAt: created, metadata: metadata, firstSeen: created, object: .conversation))
            conversations[id] = created
            return id
        }
        // 230 items: three pages of 100.
        let old = try await conversation(ageDays: 90, metadata: ["tag": "support"], items: 230)
        let oldEmpty = try await conversation(ageDays: 60, metadata: ["tag": "support"], items: 0)
        let held = try await conversation(ageDays: 90, metadata: ["tag": "support", "legal_hold": "case-7"], items: 1)
        let young = try await conversation(ageDays: 2, metadata: ["tag": "support"], items: 3)
        let otherTag = try await conversation(ageDays: 90, metadata: ["tag": "sales"], items: 1)

        let rule = try harness.rule(
            "old-conversations",
            """
            [Rule]
            Action=delete
            [Match]
            Object=conversation
            OlderThan=30d
            Metadata=tag=support
            [Action]
            Archive=yes
            """)
        #expect(rule.match.object == .conversation)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        await harness.stop()

        #expect(report.matched == 2)
        #expect(report.archived == 2)
        #expect(try harness.outcomes(run: report.runID ?? -1) == [old: "ok", oldEmpty: "ok"])
        #expect(try harness.state(old) == .deleted)
        #expect(try harness.state(oldEmpty) == .deleted)
        for kept in [held, young, otherTag, oldThread, youngThread] { #expect(try harness.state(kept) == .live) }
        #expect(await harness.server.liveConversationIDs() == [held, young, otherTag])
        let stats = await harness.server.stats()
        #expect(stats.deletedThreads == 0)
        #expect(stats.liveThreads == 2)

        // The actions and the chain know the kind.
        let kinds = try harness.ledger.actions(runID: report.runID ?? -1).map(\.object)
        #expect(kinds == [.conversation, .conversation])
        #expect(try harness.ledger.verifyAudit().isIntact)

        // The archive: the conversation's answer and every page of its items, as received, oldest first.
        let store = ArchiveStore(directory: harness.archiveDirectory)
        let document = try JSONSerialization.jsonObject(with: Data(try store.read(threadID: old))) as? [String: Any]
        #expect(document?["object"] as? String == "conversation")
        #expect(document?["rule"] as? String == "old-conversations")
        let archived = document?["conversation"] as? [String: Any]
        #expect(archived?["id"] as? String == old)
        #expect(archived?["object"] as? String == "conversation")
        #expect(archived?["created_at"] as? Int == Int(conversations[old] ?? 0))
        let pages = document?["item_pages"] as? [[String: Any]] ?? []
        #expect(pages.count == 3)
        let texts = pages.flatMap { ($0["data"] as? [[String: Any]]) ?? [] }.compactMap {
            (($0["content"] as? [[String: Any]])?.first?["text"]) as? String
        }
        #expect(texts == (1...230).map { "message \($0)" })
        // `archive show` reads it back through the same decoder as a thread's.
        let decoded = try ThreadArchive.decode(try store.read(threadID: old))
        #expect(decoded.object == "conversation")
        #expect(decoded.thread.id == old)
        #expect(decoded.thread.metadata == ["tag": "support"])
        #expect(decoded.items.count == 230)
        #expect(decoded.messages.isEmpty)
        let empty = try JSONSerialization.jsonObject(with: Data(try store.read(threadID: oldEmpty))) as? [String: Any]
        let emptyPages = empty?["item_pages"] as? [[String: Any]] ?? []
        #expect(emptyPages.count == 1)
        #expect((emptyPages.first?["data"] as? [Any])?.isEmpty == true)
    }

    @Test func aThreadRuleAgainstProviderOpenAIStopsBeforeAnyCall() async throws {
        let harness = try await ExecutorHarness()
        let id = try await harness.thread(ageDays: 90)
        let configuration = APIConfiguration(
            provider: .openai, baseURL: harness.server.baseURL + "/v1", timeout: 10, requestsPerSecond: 100, burst: 10,
            concurrency: 2, maxAttempts: 1, retryDeadline: 5)
        let client = try ThreadsClient(configuration: configuration, key: try APIKey("sk-test"))
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n[Match]\nOlderThan=30d\n")
        let refused = await #expect(throws: ExecutorError.self) {
            try await harness.executor(client: client).run(RunRequest(rule: rule))
        }
        let stats = await harness.server.stats()
        await harness.stop()
        #expect(stats.totalRequests == 0)
        let message = refused.map { "\($0)" } ?? ""
        #expect(message.contains("rule 'old' was not run, nothing was sent"))
        #expect(message.contains("shut the Threads API down on 2026-08-26"))
        #expect(message.contains("`Object=conversation`"))
        #expect(try harness.state(id) == .live)
        #expect(try harness.ledger.recentRuns().isEmpty)
    }
}
