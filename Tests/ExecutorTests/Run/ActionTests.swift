import Emulator
import Foundation
import Journal
import Ledger
import TestSupport
import Testing

@testable import Executor

/// Each action end to end: ledger → executor → HTTP → emulator, and back into the ledger.
struct ActionTests {
    static let deleteRule = """
        [Rule]
        Action=delete

        [Match]
        OlderThan=30d
        Metadata=tag=support
        """

    @Test func deleteRemovesExactlyTheMatchingThreads() async throws {
        let harness = try await ExecutorHarness()
        var matching: [String] = []
        var others: [String] = []
        for index in 0..<24 {
            let old = index % 2 == 0
            let support = index % 3 != 0
            let id = try await harness.thread(ageDays: old ? 40 : 5, metadata: ["tag": support ? "support" : "sales"])
            if old && support { matching.append(id) } else { others.append(id) }
        }
        let rule = try harness.rule("support", Self.deleteRule)
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.end == .completed)
        #expect(report.matched == matching.count)
        #expect(report.counts.done == matching.count)
        #expect(report.counts.failed == 0)
        for id in matching {
            #expect(await !harness.server.threadIsLive(id))
            #expect(try harness.state(id) == .deleted)
        }
        for id in others {
            #expect(await harness.server.threadIsLive(id))
            #expect(try harness.state(id) == .live)
        }
        let stats = await harness.server.stats()
        #expect(stats.requestsByMethod["DELETE"] == matching.count)
        // Verify=always by default: one GET before every DELETE, and the probe before the first.
        #expect(stats.requestsByMethod["GET"] == matching.count + 1)
        #expect(stats.repeatedDeletes == 0)
        let run = try #require(try harness.ledger.run(id: report.runID ?? -1))
        #expect(run.status == .completed)
        #expect(run.counts.done == matching.count)
        #expect(try harness.ledger.openIntents().isEmpty)
        #expect(try harness.ledger.verifyChain().isIntact)
        #expect(harness.logs.entries(withID: .runStarted).count == 1)
        let finished = try #require(harness.logs.entries(withID: .runFinished).first)
        #expect(finished.metadata["done"] == String(matching.count))
        #expect(finished.metadata["rule"] == "support")
        // The lock is released afterwards.
        #expect(try harness.ledger.ruleLockHolder(rule: "support") == nil)
        await harness.stop()
    }

    @Test func tagAndUntagChangeMetadataAtTheAPIAndInTheLedger() async throws {
        let harness = try await ExecutorHarness()
        let a = try await harness.thread(ageDays: 10, metadata: ["tag": "support"])
        let b = try await harness.thread(ageDays: 10, metadata: ["tag": "support", "owner": "x"])
        let tag = try harness.rule(
            "mark", "[Rule]\nAction=tag\n\n[Match]\nMetadata=tag=support\n\n[Action]\nSet=reviewed=yes\nSet=tier=2\n")
        let report = try await harness.executor().run(RunRequest(rule: tag))
        #expect(report.counts.done == 2)
        #expect(await harness.server.metadata(ofThread: a) == ["tag": "support", "reviewed": "yes", "tier": "2"])
        #expect(await harness.server.metadata(ofThread: b) == ["tag": "support", "owner": "x", "reviewed": "yes", "tier": "2"])
        #expect(try harness.ledger.thread(id: a)?.metadata["reviewed"] == "yes")

        let untag = try harness.rule(
            "unmark", "[Rule]\nAction=untag\n\n[Match]\nMetadata=reviewed\n\n[Action]\nRemove=reviewed\nRemove=tier\n")
        let second = try await harness.executor().run(RunRequest(rule: untag))
        #expect(second.counts.done == 2)
        #expect(await harness.server.metadata(ofThread: a) == ["tag": "support"])
        #expect(try harness.ledger.thread(id: b)?.metadata == ["tag": "support", "owner": "x"])
        #expect(await harness.server.threadIsLive(a))
        await harness.stop()
    }

    @Test func reportRecordsWithoutCallingTheAPI() async throws {
        let harness = try await ExecutorHarness()
        for _ in 0..<5 { try await harness.thread(ageDays: 100, metadata: ["legal_hold": "case-1"]) }
        let rule = try harness.rule("census", "[Rule]\nAction=report\n\n[Match]\nOlderThan=30d\n")
        let report = try await harness.executor().run(RunRequest(rule: rule))
        // Holds do not hide threads from a report.
        #expect(report.matched == 5)
        #expect(report.counts.done == 5)
        #expect(await harness.server.stats().totalRequests == 0)
        #expect(try harness.outcomes(run: report.runID ?? -1).values.allSatisfy { $0 == "ok" })
        await harness.stop()
    }

    @Test func dryRunRecordsTheRunAndCallsNothing() async throws {
        let harness = try await ExecutorHarness()
        for _ in 0..<3 { try await harness.thread(ageDays: 40, metadata: ["tag": "support"]) }
        let rule = try harness.rule("support", Self.deleteRule)
        let report = try await harness.executor().run(RunRequest(rule: rule, dryRun: true))
        #expect(report.matched == 3)
        #expect(report.counts.done == 0)
        #expect(await harness.server.stats().totalRequests == 0)
        let run = try #require(try harness.ledger.run(id: report.runID ?? -1))
        #expect(run.dryRun && run.status == .completed)
        await harness.stop()
    }
}
