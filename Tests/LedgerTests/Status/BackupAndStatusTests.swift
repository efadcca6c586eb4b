import Foundation
import TestSupport
import Testing

@testable import Ledger

struct BackupAndStatusTests {
    @Test func backupWhileAnotherConnectionWritesIsConsistent() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        let writer = try Ledger(path: path)
        for index in 0..<200 { try writer.save(ThreadRecord(id: "thread_\(index)", createdAt: Int64(index), firstSeen: 1)) }
        let runID = try writer.beginRun(RunStart(rule: "r", ruleDigest: "d", ruleText: "t", trigger: .manual))
        let reader = try Ledger(path: path, readOnly: true)
        let done = DispatchSemaphore(value: 0)
        // The daemon's side: intents keep arriving while the backup copies.
        DispatchQueue.global().async {
            for index in 0..<100 {
                _ = try? writer.recordIntents(runID: runID, [ActionIntent(threadID: "thread_\(index)", action: "delete", reason: "r")])
            }
            done.signal()
        }
        var copies: [String] = []
        for index in 0..<5 {
            let copy = directory.file("copy-\(index).sqlite3")
            try reader.backup(to: copy)
            copies.append(copy)
        }
        done.wait()
        for copy in copies {
            let backup = try Ledger(path: copy, readOnly: true)
            #expect(try backup.integrityCheck() == "ok")
            #expect(try backup.count() == 200)
            #expect(try backup.verifyChain().isIntact)
        }
        #expect(try writer.verifyChain().rows == 100)
    }

    @Test func statusCountsAndGrowth() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(path: directory.file("ledger.sqlite3"), now: { 1_000 })
        try ledger.save(ThreadRecord(id: "thread_b", createdAt: 20, source: .sync, firstSeen: 1))
        try ledger.save(ThreadRecord(id: "thread_a", createdAt: 30, firstSeen: 1))
        try ledger.save(ThreadRecord(id: "thread_z", createdAt: 10, state: .deleted, firstSeen: 1))
        var status = try ledger.status()
        #expect(status.threadsByState == [.live: 2, .deleted: 1])
        #expect(status.threadsBySource == [.import: 2, .sync: 1])
        #expect(status.oldestLive?.id == "thread_b")
        #expect(status.actions == 0)
        #expect(status.bytesPerThousandActions == nil)
        #expect(status.schemaVersion == Migrations.latest)
        let runID = try ledger.beginRun(RunStart(rule: "r", ruleDigest: "d", ruleText: "t", trigger: .manual))
        try ledger.recordIntents(
            runID: runID, (0..<500).map { ActionIntent(threadID: "thread_\($0)", action: "delete", reason: "older than 30d") })
        status = try ledger.status()
        #expect(status.actions == 500)
        #expect(status.openActions == 500)
        // Each row holds two 64-digit hashes and its text: a few hundred bytes, indexes included.
        let growth = try #require(status.bytesPerThousandActions)
        #expect(growth > 100_000 && growth < 2_000_000)
        #expect(status.recentRuns.map(\.id) == [runID])
        #expect(status.sizeBytes > 0)
    }
}
