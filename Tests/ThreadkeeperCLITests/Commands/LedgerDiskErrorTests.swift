import Foundation
import Ledger
import TestSupport
import Testing

/// A tmpfs mounted on a fresh directory for one test, unmounted when released.
final class TmpfsMount: @unchecked Sendable {
    // Immutable after init.
    let directory = TemporaryDirectory(prefix: "threadkeeper-tmpfs")
    var path: String { directory.path }

    init(size: String) throws {
        let result = try ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory.path])
        guard result.status == 0 else { throw MountFailed(message: result.standardError) }
    }

    func remountReadOnly() throws {
        let result = try ProcessRunner.run("/bin/mount", ["-o", "remount,ro", directory.path])
        guard result.status == 0 else { throw MountFailed(message: result.standardError) }
    }

    deinit {
        _ = try? ProcessRunner.run("/bin/umount", [directory.path])
    }

    struct MountFailed: Error { var message: String }

    /// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, not in a locked-down container).
    static let available: Bool = (try? TmpfsMount(size: "64k")) != nil
}

/// Full and read-only file systems: one line naming the path and the cause, a non-zero
/// exit, and a ledger that still passes `PRAGMA integrity_check`.
@Suite(.enabled(if: TmpfsMount.available, "mounting a tmpfs needs root with CAP_SYS_ADMIN; skipped without it"))
struct LedgerDiskErrorTests {
    /// JSONL of `count` threads with metadata: about 130 bytes a thread in the ledger.
    static func threads(_ count: Int) -> String {
        (0..<count).map {
            #"{"id":"thread_\#(String(repeating: "0", count: 8))\#($0)","object":"thread","created_at":\#(1_700_000_000 + $0),"#
                + #""metadata":{"tag":"\#($0 % 2 == 0 ? "support" : "sales")","user":"user-\#($0)"}}"#
        }.joined(separator: "\n") + "\n"
    }

    /// 40,000 threads merge row by row; 60,000 take the bulk path of a first load (a rollback journal).
    @Test(arguments: [40_000, 60_000])
    func importOntoAFullDiskFailsCleanly(count: Int) throws {
        let mount = try TmpfsMount(size: "2m")
        let source = TemporaryDirectory()
        let file = try source.write("big.jsonl", Self.threads(count))
        let ledger = mount.path + "/ledger.sqlite3"
        let result = try ProcessRunner.threadkeeper(["import", file, "--ledger", ledger, "--batch-size", "2000"])
        #expect(result.status == 74)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first == "threadkeeper import: '\(ledger)': database or disk is full; free space on its file system")
        let reopened = try Ledger(path: ledger, readOnly: true)
        #expect(try reopened.integrityCheck() == "ok")
        // The merge is one transaction: nothing of it was kept.
        #expect(try reopened.count() == 0)
        #expect(try reopened.rows("SELECT count(*) FROM thread_metadata") == [[.integer(0)]])
    }

    @Test func backupOntoAFullDiskLeavesNoPartialCopy() throws {
        let mount = try TmpfsMount(size: "1m")
        let source = TemporaryDirectory()
        let ledger = source.file("ledger.sqlite3")
        _ = try ProcessRunner.threadkeeper(["import", try source.write("t.jsonl", Self.threads(20_000)), "--ledger", ledger])
        let destination = mount.path + "/copy.sqlite3"
        let result = try ProcessRunner.threadkeeper(["backup", destination, "--ledger", ledger])
        #expect(result.status == 74)
        #expect(result.standardError == "threadkeeper backup: '\(destination)': database or disk is full; free space on its file system\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount.path) == [])
        #expect(try Ledger(path: ledger, readOnly: true).integrityCheck() == "ok")
    }

    @Test func aLedgerOnAReadOnlyFileSystemIsReadableButNotWritable() throws {
        let mount = try TmpfsMount(size: "2m")
        let source = TemporaryDirectory()
        let ledger = mount.path + "/ledger.sqlite3"
        let input = try source.write("t.jsonl", Self.threads(10))
        #expect(try ProcessRunner.threadkeeper(["import", input, "--ledger", ledger]).status == 0)
        try mount.remountReadOnly()
        let result = try ProcessRunner.threadkeeper(["import", input, "--ledger", ledger])
        #expect(result.status == 74)
        #expect(
            result.standardError
                == "threadkeeper import: cannot write the ledger '\(ledger)': its file system is read-only; use a writable --ledger path\n")
        let status = try ProcessRunner.threadkeeper(["status", "--json", "--ledger", ledger])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains(#""threads":{"deleted":0,"gone":0,"live":10}"#))
        let created = try ProcessRunner.threadkeeper(["import", input, "--ledger", mount.path + "/new.sqlite3"])
        #expect(created.status == 74)
        #expect(created.standardError.contains("read-only file system"))
        #expect(try Ledger(path: ledger, readOnly: true).integrityCheck() == "ok")
    }

    /// A ledger whose writer never closed keeps its newest transactions in the `-wal` file. On
    /// a read-only file system it is read through the log, not as the file alone (which here
    /// holds nothing yet: schema version 0).
    @Test func aLedgerLeftWithItsWriteAheadLogIsReadInFullOnAReadOnlyFileSystem() throws {
        let mount = try TmpfsMount(size: "4m")
        let live = mount.path + "/live.sqlite3"
        let copy = mount.path + "/crashed.sqlite3"
        do {
            let writer = try Ledger(path: live)
            for index in 0..<5 {
                try writer.save(
                    ThreadRecord(
                        id: "thread_wal\(index)", createdAt: 1_700_000_000, metadata: [:], state: .live, source: .import,
                        firstSeen: 1_700_000_000))
            }
            // What a kill leaves: the file, its log and its index, copied while the writer is open.
            for suffix in ["", "-wal", "-shm"] {
                try FileManager.default.copyItem(atPath: live + suffix, toPath: copy + suffix)
            }
            var info = stat()
            #expect(stat(copy + "-wal", &info) == 0 && info.st_size > 0)
        }
        try mount.remountReadOnly()
        let status = try ProcessRunner.threadkeeper(["status", "--json", "--ledger", copy])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.standardOutput.contains(#""threads":{"deleted":0,"gone":0,"live":5}"#))
    }
}
