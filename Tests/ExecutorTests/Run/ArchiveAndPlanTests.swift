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

    @Test func anArchiveDirectoryThatCannotBeWrittenStopsTheRunBeforeTheFirstDelete() async throws {
        let harness = try await ExecutorHarness()
        let ids = [try await harness.thread(ageDays: 60, messages: 3), try await harness.thread(ageDays: 70)]
        // A file where the archive directory should be: no archive can be written.
        let blocked = try harness.directory.write("blocked", "not a directory")
        let rule = try harness.rule("keep", Self.archiveRule)
        await #expect {
            try await harness.executor(archive: blocked + "/archive").run(RunRequest(rule: rule))
        } throws: { error in
            guard case ExecutorError.archiveUnwritable(let name, _) = error else { return false }
            return name == "keep" && "\(error)".contains("'\(blocked)/archive'") && "\(error)".contains("before the first delete")
        }
        for id in ids {
            #expect(await harness.server.threadIsLive(id))
            #expect(try harness.state(id) == .live)
        }
        #expect(await harness.server.stats().requestsByMethod["DELETE"] == nil)
        let runs = try harness.ledger.rows("SELECT status, failed FROM runs WHERE rule = 'keep'", [])
        #expect(runs.map { $0[0].textValue } == ["failed"])
        #expect(try harness.ledger.rows("SELECT count(*) FROM actions", [])[0][0].integerValue == 0)
        let aborted = try #require(harness.logs.entries(withID: .runAborted).first)
        #expect(aborted.message.contains("the archive directory cannot be written, no thread was touched"))
        await harness.stop()
    }

    @Test func aThreadWhoseArchiveFailsIsNotDeletedAndTheRunIsFailedNotCompleted() async throws {
        let harness = try await ExecutorHarness()
        let kept = try await harness.thread(ageDays: 60, messages: 3)
        let deleted = try await harness.thread(ageDays: 70)
        // A directory where this one thread's archive file should go: only its archive fails.
        try FileManager.default.createDirectory(
            atPath: harness.archiveDirectory + "/\(kept).json.gz", withIntermediateDirectories: true)
        let rule = try harness.rule("keep", Self.archiveRule)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.failed == 1)
        #expect(report.counts.done == 1)
        #expect(report.status == .failed)
        #expect(report.firstFailure?.hasPrefix("thread \(kept): archive failed, not deleted: ") == true)
        #expect(await harness.server.threadIsLive(kept))
        #expect(try harness.state(kept) == .live)
        #expect(try harness.state(deleted) == .deleted)
        let failure = try #require(harness.logs.entries(withID: .actionFailed).first)
        #expect(failure.message.contains("archive failed"))
        #expect(failure.metadata["thread"] == kept)
        // The ledger and the journal say it failed, how many and why.
        let runs = try harness.ledger.rows("SELECT status, failed FROM runs WHERE id = ?", [.integer(report.runID ?? 0)])
        #expect(runs.first?[0].textValue == "failed")
        #expect(runs.first?[1].integerValue == 1)
        let finished = try #require(harness.logs.entries(withID: .runFinished).first)
        #expect(
            finished.message.contains(
                "keep failed: 2 matched, 1 done, 0 gone, 0 skipped, 1 failed; 1 action failed, the first: thread \(kept): archive failed"),
            "\(finished.message)")
        #expect(finished.metadata["first_failure"]?.hasPrefix("thread \(kept): archive failed") == true)
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
