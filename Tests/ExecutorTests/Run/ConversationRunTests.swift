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

    /// An interrupted run's open intents are read back at the conversation's path: a live
    /// conversation is released, one that is gone settles gone (asked at `/threads`, both
    /// would have come back as not found).
    @Test func reconcileAsksAboutAConversationWhereConversationsLive() async throws {
        let harness = try await ExecutorHarness()
        let created = ExecutorHarness.now - 90 * ExecutorHarness.day
        let live = await harness.server.insertConversation(createdAt: created, metadata: ["tag": "support"], itemCount: 1)
        let deleted = await harness.server.insertConversation(createdAt: created, itemCount: 0)
        for id in [live, deleted] {
            try harness.ledger.save(ThreadRecord(id: id, createdAt: created, firstSeen: created, object: .conversation))
        }
        let client = try harness.client()
        #expect(try await client.deleteConversation(deleted).value == .deleted)
        let run = try harness.ledger.beginRun(
            RunStart(rule: "old", ruleDigest: "d", ruleText: "[Rule]\nAction=delete\n", trigger: .manual, dryRun: false))
        let ids = try harness.ledger.recordIntents(
            runID: run,
            [live, deleted].map { ActionIntent(threadID: $0, action: "delete", reason: "older than 30d", object: .conversation) })
        let reconciled = try await harness.executor(client: client).reconcile(rule: "old")
        await harness.stop()
        #expect(reconciled == 2)
        #expect(try harness.outcomes(run: run) == [live: "skipped", deleted: "gone"])
        #expect(try harness.state(live) == .live)
        #expect(try harness.state(deleted) == .gone)
        #expect(ids.count == 2)
        #expect(try harness.ledger.verifyAudit().isIntact)
    }

    /// A plan saved for a conversation rule holds conversations only, and a run of it deletes them.
    @Test func aSavedPlanOfAConversationRuleRunsAsPlanned() async throws {
        let harness = try await ExecutorHarness()
        let created = ExecutorHarness.now - 90 * ExecutorHarness.day
        let thread = try await harness.thread(ageDays: 90)
        let conversation = await harness.server.insertConversation(createdAt: created, itemCount: 2)
        try harness.ledger.save(ThreadRecord(id: conversation, createdAt: created, firstSeen: created, object: .conversation))
        let rule = try harness.rule("old", "[Rule]\nAction=delete\n[Match]\nObject=conversation\nOlderThan=30d\n")
        let plan = try Planner.plan(RunRequest(rule: rule), ledger: harness.ledger, now: ExecutorHarness.now)
        let saved = try harness.ledger.savePlan(
            rule: rule.name, ruleDigest: rule.digest, ruleFile: rule.file, query: plan.query, limit: plan.planned)
        #expect(try harness.ledger.planThreadIDs(planID: saved.id) == [conversation])
        let report = try await harness.executor().run(RunRequest(rule: rule, planID: saved.id))
        await harness.stop()
        #expect(try harness.outcomes(run: report.runID ?? -1) == [conversation: "ok"])
        #expect(try harness.state(conversation) == .deleted)
        #expect(try harness.state(thread) == .live)
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
