import Foundation
import Ledger
import TestSupport
import Testing

/// A first bulk load writes through a rollback journal; a kill in the middle of it must leave
/// a ledger that the next open rolls back to empty and valid, and that takes the import again.
struct ImportKillTests {
    @Test func aKillDuringAFirstLoadLeavesAnEmptyValidLedger() throws {
        let directory = TemporaryDirectory()
        let count = 300_000
        let csv =
            "id,created_at,metadata\n"
            + (0..<count).map { #"thread_\#($0),\#(1_700_000_000 + $0),"{""tag"":""t\#($0 % 5)""}""# }.joined(separator: "\n")
        let file = try directory.write("threads.csv", csv)
        let path = directory.file("ledger.sqlite3")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
        process.arguments = ["import", file, "--ledger", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The merge is under way once there is a journal and the file has grown past its schema
        // (opening a new ledger also makes a journal, for a moment, before it switches to WAL).
        var sawJournal = false
        while process.isRunning {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if FileManager.default.fileExists(atPath: path + "-journal"), size > 4 << 20 {
                sawJournal = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(500)
        }
        process.waitUntilExit()
        try #require(sawJournal, "the import ended before its merge was seen; status \(process.terminationStatus)")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(FileManager.default.fileExists(atPath: path + "-journal"))
        // A read-only command rolls the hot journal back first (only a writable connection can)
        // and sees nothing of the load.
        let status = try ProcessRunner.threadkeeper(["status", "--json", "--ledger", path])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.standardOutput.contains(#""live":0"#))
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        // A writable open: a sound file, nothing of the load, WAL again.
        let ledger = try Ledger(path: path)
        #expect(try ledger.integrityCheck() == "ok")
        #expect(try ledger.count() == 0)
        #expect(try ledger.rows("SELECT count(*) FROM thread_metadata") == [[.integer(0)]])
        #expect(try ledger.rows("PRAGMA journal_mode") == [[.text("wal")]])
        let again = try ProcessRunner.threadkeeper(["import", file, "--ledger", path])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try ledger.count() == count)
        #expect(try ledger.count(matching: .metadata("tag", glob: "t3")) == count / 5)
    }
}
