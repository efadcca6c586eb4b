import Foundation
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

struct ArchiveAndPlanTests {
    static let archiveRule = """
        [Rule]
        Action=delete

        [Match]
        OlderThan=30d

        [Action]
        Archive=yes
        """

    @Test func archivesHoldTheThreadAndEveryMessageBeforeTheDelete() async throws {
        let harness = try await ExecutorHarness()
        let long = try await harness.thread(ageDays: 60, metadata: ["tag": "support"], messages: 230)
        let empty = try await harness.thread(ageDays: 60)
        let rule = try harness.rule("keep", Self.archiveRule)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 2)
        #expect(report.archived == 2)
        let store = ArchiveStore(directory: harness.archiveDirectory)
        let archive = try JSONDecoder().decode(ThreadArchive.self, from: Data(try store.read(threadID: long)))
        #expect(archive.thread.id == long)
        #expect(archive.thread.metadata == ["tag": "support"])
        #expect(archive.messages.count == 230)
        #expect(archive.messages.map(\.createdAt) == archive.messages.map(\.createdAt).sorted())
        #expect(Set(archive.messages.map(\.id)).count == 230)
        #expect(archive.rule == "keep" && archive.run == report.runID)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(of: long))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try JSONDecoder().decode(ThreadArchive.self, from: Data(try store.read(threadID: empty))).messages.isEmpty)
        #expect(await !harness.server.threadIsLive(long))
        await harness.stop()
    }

    @Test func aThreadWhoseArchiveFailsIsNotDeleted() async throws {
        let harness = try await ExecutorHarness()
        let id = try await harness.thread(ageDays: 60, messages: 3)
        // A file where the archive directory should be: every archive write fails.
        let blocked = try harness.directory.write("blocked", "not a directory")
        let rule = try harness.rule("keep", Self.archiveRule)
        let report = try await harness.executor(archive: blocked + "/archive").run(RunRequest(rule: rule))
        #expect(report.counts.failed == 1)
        #expect(report.counts.done == 0)
        #expect(await harness.server.threadIsLive(id))
        #expect(try harness.state(id) == .live)
        #expect(await harness.server.stats().requestsByMethod["DELETE"] == nil)
        let failure = try #require(harness.logs.entries(withID: .actionFailed).first)
        #expect(failure.message.contains("archive failed"))
        #expect(failure.metadata["thread"] == id)
        await harness.stop()
    }

    @Test func aFrozenPlanActsOnlyOnItsThreadsAndRefusesAChangedRule() async throws {
        let harness = try await ExecutorHarness()
        var planned: [String] = []
        for _ in 0..<3 { planned.append(try await harness.thread(ageDays: 60)) }
        let text = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n"
        let rule = try harness.rule("old", text)
        let plan = try Planner.plan(RunRequest(rule: rule), ledger: harness.ledger, now: ExecutorHarness.now)
        let saved = try harness.ledger.savePlan(
            rule: rule.name, ruleDigest: rule.digest, ruleFile: rule.file, query: plan.query, limit: plan.planned)
        #expect(saved.matched == 3)
        let later = try await harness.thread(ageDays: 90)

        let report = try await harness.executor().run(RunRequest(rule: rule, planID: saved.id))
        #expect(report.counts.done == 3)
        for id in planned { #expect(await !harness.server.threadIsLive(id)) }
        #expect(await harness.server.threadIsLive(later))

        let changed = try harness.rule("old", text + "Metadata=!keep\n")
        await #expect {
            try await harness.executor().run(RunRequest(rule: changed, planID: saved.id))
        } throws: { error in
            guard case ExecutorError.planOutdated(let id, _, _, _) = error else { return false }
            return id == saved.id
        }
        await #expect(throws: ExecutorError.self) {
            try await harness.executor().run(RunRequest(rule: rule, planID: 999))
        }
        await harness.stop()
    }
}
