import Emulator
import Foundation
import Journal
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

/// Issue 14, findings 1-8: act only on what a rule matches at the API, let holds fail closed,
/// and record only what the API answered. Each test fails on the code before the fix.
struct TrustTests {
    static let oldThreads = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=always\n"

    /// Finding 1: a thread created a moment ago at the API but imported with `created_at: 1000`
    /// is not deleted by an age rule; the ledger takes the API's created_at and says why.
    @Test func verifyRechecksTheAPIsCreatedAt() async throws {
        let harness = try await ExecutorHarness()
        let id = await harness.server.insertThread(createdAt: ExecutorHarness.now - 60)
        try harness.ledger.save(ThreadRecord(id: id, createdAt: 1000, firstSeen: 1000))
        let report = try await harness.executor().run(RunRequest(rule: try harness.rule("old", Self.oldThreads)))
        #expect(report.counts.skipped == 1 && report.counts.done == 0)
        #expect(await harness.server.threadIsLive(id))
        let row = try harness.ledger.rows("SELECT outcome, error FROM actions WHERE thread_id = ?", [.text(id)]).first
        #expect(row?[0].textValue == "skipped")
        let reason = row?[1].textValue ?? ""
        #expect(reason.contains("OlderThan=30d"))
        #expect(reason.contains("created_at 1000 in the ledger, \(ExecutorHarness.now - 60) at the api"))
        #expect(try harness.ledger.thread(id: id)?.createdAt == ExecutorHarness.now - 60)
        #expect(try harness.state(id) == .live)
        await harness.stop()
    }

    /// Finding 2: re-importing an old dump without the hold makes the thread unconfirmed again,
    /// so `Verify=stale` fetches it, sees the hold, and leaves it alone.
    @Test func anImportThatChangesAThreadClearsLastSynced() async throws {
        let harness = try await ExecutorHarness()
        let created = ExecutorHarness.now - 60 * ExecutorHarness.day
        let id = try await harness.thread(ageDays: 60, metadata: ["legal_hold": "case-1"])
        try harness.ledger.updateMetadata(threadID: id, metadata: ["legal_hold": "case-1"], syncedAt: ExecutorHarness.now - 60)
        let counts = try harness.ledger.importThreads { emit in
            // The old dump's created_at differs too: the API confirmed the ledger's, so it stays.
            try emit(ThreadImport(id: id, createdAt: 5, metadata: [:]))
        }
        #expect(counts.updated == 1)
        let record = try harness.ledger.thread(id: id)
        #expect(record?.lastSynced == nil)
        #expect(record?.metadata == [:])
        #expect(record?.createdAt == created)
        let stale = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\n\n[Action]\nVerify=stale\nVerifyWindow=1h\n"
        let report = try await harness.executor().run(RunRequest(rule: try harness.rule("stale", stale)))
        #expect(report.counts.skipped == 1 && report.counts.done == 0)
        #expect(await harness.server.threadIsLive(id))
        #expect(try harness.ledger.thread(id: id)?.metadata["legal_hold"] == "case-1")
        #expect(try harness.ledger.thread(id: id)?.lastSynced != nil)
        await harness.stop()
    }

    /// Finding 3: a tag rule with `Verify=never` still reads the thread first: a hold placed at the
    /// API after the last sync is never overwritten, and the POST is built from the API's copy.
    @Test func tagReadsFirstAndNeverWritesAHeldThread() async throws {
        let harness = try await ExecutorHarness()
        let held = try await harness.thread(ageDays: 60, metadata: ["legal_hold": "case-2"], ledgerMetadata: [:])
        let changed = try await harness.thread(ageDays: 60, metadata: ["owner": "ops"], ledgerMetadata: ["stale": "1"])
        let rule = try harness.rule(
            "mark", "[Rule]\nAction=tag\n\n[Match]\nOlderThan=30d\n\n[Action]\nSet=reviewed=yes\nVerify=never\n")
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.done == 1 && report.counts.skipped == 1)
        #expect(await harness.server.metadata(ofThread: held) == ["legal_hold": "case-2"])
        #expect(await harness.server.metadata(ofThread: changed) == ["owner": "ops", "reviewed": "yes"])
        #expect(try harness.ledger.thread(id: held)?.metadata == ["legal_hold": "case-2"])
        #expect(try harness.ledger.thread(id: changed)?.metadata == ["owner": "ops", "reviewed": "yes"])
        let stats = await harness.server.stats()
        #expect(stats.requestsByMethod["GET"] == 3)  // the probe and one read per thread
        #expect(stats.requestsByMethod["POST"] == 1)
        await harness.stop()
    }

    /// Findings 3 and 6: against a provider that merges metadata, an untag is `failed` with a
    /// message saying so, and the ledger keeps what the API answered (the key still there).
    @Test func anUntagTheProviderMergedIsFailedAndTheLedgerKeepsTheAnswer() async throws {
        let harness = try await ExecutorHarness(faults: EmulatorFaults(mergesMetadata: true))
        let id = try await harness.thread(ageDays: 60, metadata: ["temp": "1", "owner": "ops"])
        let rule = try harness.rule("clean", "[Rule]\nAction=untag\n\n[Match]\nOlderThan=30d\n\n[Action]\nRemove=temp\n")
        let report = try await harness.executor().run(RunRequest(rule: rule))
        #expect(report.counts.failed == 1 && report.counts.done == 0)
        let row = try harness.ledger.rows("SELECT outcome, error FROM actions WHERE thread_id = ?", [.text(id)]).first
        #expect(row?[0].textValue == "failed")
        #expect(row?[1].textValue?.contains("merges metadata instead of replacing it") == true)
        #expect(try harness.ledger.thread(id: id)?.metadata == ["temp": "1", "owner": "ops"])
        await harness.stop()
    }

    /// Finding 4: a base URL that answers `404 Invalid URL (…)` to everything stops the run at
    /// the probe: nothing is sent that changes anything, nothing is recorded gone.
    @Test func aWrongBaseURLStopsTheRunAtTheProbe() async throws {
        let harness = try await ExecutorHarness()
        var ids: [String] = []
        for _ in 0..<6 { ids.append(try await harness.thread(ageDays: 60)) }
        let client = try harness.client(baseURL: harness.server.baseURL + "/wrong")
        let rule = try harness.rule("old", Self.oldThreads)
        do {
            _ = try await harness.executor(client: client).run(RunRequest(rule: rule))
            Issue.record("expected the probe to fail")
        } catch ExecutorError.probeFailed(let error) {
            #expect(error.kind == .notTheAPI)
            #expect(error.message.contains("Invalid URL (GET /wrong/threads/\(APIProvider.probeThreadID))"))
            #expect(error.message.contains("BaseURL="))
        }
        for id in ids {
            #expect(try harness.state(id) == .live)
            #expect(await harness.server.threadIsLive(id))
        }
        #expect(try harness.ledger.rows("SELECT count(*) FROM actions").first?[0].integerValue == 0)
        #expect(try harness.ledger.rows("SELECT status FROM runs").first?[0].textValue == "aborted")
        let stats = await harness.server.stats()
        #expect(stats.requestsByMethod["DELETE"] == nil)
        #expect(stats.totalRequests == 1)
        await harness.stop()
    }

    /// Finding 4: the probe also stops a run whose key is refused, with the cause.
    @Test func aRefusedKeyStopsTheRunAtTheProbe() async throws {
        let harness = try await ExecutorHarness(apiKey: "sk-right-key-0000")
        let id = try await harness.thread(ageDays: 60)
        do {
            _ = try await harness.executor(client: try harness.client(key: "sk-wrong-key-000")).run(
                RunRequest(rule: try harness.rule("old", Self.oldThreads)))
            Issue.record("expected the probe to fail")
        } catch ExecutorError.probeFailed(let error) {
            #expect(error.status == 401)
        }
        #expect(await harness.server.threadIsLive(id))
        #expect(try harness.state(id) == .live)
        await harness.stop()
    }

    /// Finding 4: mid-run, a 404 that is not the provider's not-found answer aborts the run and
    /// records nothing gone; the CLI reads the report as exit 69.
    @Test func aNotFoundInOtherWordsIsNeverGone() async throws {
        let answer = #"{"error":{"message":"Invalid URL (DELETE /threads/x)","type":"invalid_request_error"}}"#
        #expect(!APIProvider.custom.provesNotFound(status: 404, body: Data(answer.utf8), ids: ["x"]))
        let result = ItemWorker.result(
            for: APIError(kind: .notTheAPI, status: 404, message: "Invalid URL"), actionID: 1, threadID: "x")
        guard case .abort(let settlement, _, _, let notFound, let unavailable) = result else {
            Issue.record("expected an abort, got \(result)")
            return
        }
        #expect(settlement.outcome == .failed && settlement.threadState == nil)
        #expect(notFound && unavailable)
    }

    /// Finding 5: a DELETE answered `"deleted": false` is `failed` with the answer quoted, and
    /// the thread stays live in the ledger.
    @Test func aDeleteAnsweredDeletedFalseIsFailed() async throws {
        let harness = try await ExecutorHarness(faults: EmulatorFaults(refusesDeletes: true))
        let id = try await harness.thread(ageDays: 60)
        let report = try await harness.executor().run(RunRequest(rule: try harness.rule("old", Self.oldThreads)))
        #expect(report.counts.failed == 1 && report.counts.done == 0)
        let row = try harness.ledger.rows("SELECT outcome, error FROM actions WHERE thread_id = ?", [.text(id)]).first
        #expect(row?[0].textValue == "failed")
        #expect(row?[1].textValue?.contains(#""deleted":false"#) == true)
        #expect(try harness.state(id) == .live)
        await harness.stop()
    }

    /// Finding 8: stored metadata the ledger cannot parse holds the thread for a delete rule,
    /// even with `Verify=never`, with a warning in the log.
    @Test func unparseableStoredMetadataHolds() async throws {
        let harness = try await ExecutorHarness()
        let id = try await harness.thread(ageDays: 60)
        // SQLite reads this object; the ledger's parser stops at 64 levels of nesting.
        let deep = String(repeating: "[", count: 80) + String(repeating: "]", count: 80)
        try harness.ledger.execute("UPDATE threads SET metadata = '{\"notes\":\(deep)}' WHERE id = '\(id)'")
        #expect(try harness.ledger.thread(id: id)?.metadataUnreadable == true)
        let never = "[Rule]\nAction=delete\n\n[Match]\nOlderThan=30d\nMetadata=!other\n\n[Action]\nVerify=never\n"
        let report = try await harness.executor().run(RunRequest(rule: try harness.rule("never", never)))
        #expect(report.counts.skipped == 1 && report.counts.done == 0)
        #expect(await harness.server.threadIsLive(id))
        let row = try harness.ledger.rows("SELECT error FROM actions WHERE thread_id = ?", [.text(id)]).first
        #expect(row?[0].textValue?.contains("cannot be parsed") == true)
        #expect(harness.logs.entries.contains { $0.level == .warning && $0.message.contains("cannot be parsed") })
        await harness.stop()
    }
}
