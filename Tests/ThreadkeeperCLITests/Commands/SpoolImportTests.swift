import Foundation
import Ledger
import TestSupport
import Testing

/// `import --spool DIR`, run as the built binary against a real ledger.
struct SpoolImportTests {
    /// A spool directory and a ledger beside it.
    // Immutable after init: safe to share between the concurrent passes of a test.
    final class Fixture: @unchecked Sendable {
        let directory = TemporaryDirectory()
        var spool: String { directory.file("spool") }
        var ledger: String { directory.file("ledger.sqlite3") }

        init() throws {
            try FileManager.default.createDirectory(atPath: directory.file("spool"), withIntermediateDirectories: true)
        }

        /// Writes a spool file with the given modification time (Unix seconds).
        @discardableResult
        func drop(_ name: String, _ text: String, modified: Int? = nil) throws -> String {
            let path = spool + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            if let modified {
                var times = [timeval(tv_sec: modified, tv_usec: 0), timeval(tv_sec: modified, tv_usec: 0)]
                #expect(utimes(path, &times) == 0)
            }
            return path
        }

        func pass(_ extra: [String] = []) throws -> ProcessResult {
            try ProcessRunner.threadkeeper(["import", "--spool", spool, "--ledger", ledger] + extra)
        }

        func names(_ subdirectory: String = "") throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: spool + (subdirectory.isEmpty ? "" : "/" + subdirectory)).sorted()
        }

        func threadCount() throws -> Int { try Ledger(path: ledger).count() }
    }

    static func ids(_ range: Range<Int>, prefix: String = "thread_") -> String {
        range.map { "\(prefix)\($0)\n" }.joined()
    }

    @Test func completeFilesAreImportedOldestFirstAndPartialOnesWait() throws {
        let fixture = try Fixture()
        try fixture.drop("b.csv", "id,created_at\nthread_b1,1700000000\nthread_b2,1700000100\n", modified: 1_700_000_200)
        try fixture.drop(
            "a.jsonl", #"{"id":"thread_a1","object":"thread","created_at":1700000000,"metadata":{}}"# + "\n", modified: 1_700_000_300)
        try fixture.drop("c.ids", "thread_c1\nthread_c2\n", modified: 1_700_000_100)
        // Still being written: a temp name, a dot-file, no final newline, empty.
        try fixture.drop("d.ids.tmp", "thread_d1\n")
        try fixture.drop(".e.ids", "thread_e1\n")
        try fixture.drop("f.ids", "thread_f1\nthread_f2")
        try fixture.drop("g.ids", "")
        let result = try fixture.pass()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let spool = fixture.spool
        #expect(
            result.standardOutput == """
                c.ids: imported 2, updated 0, unchanged 0 (ids) -> \(spool)/done/c.ids
                b.csv: imported 2, updated 0, unchanged 0 (csv) -> \(spool)/done/b.csv
                a.jsonl: imported 1, updated 0, unchanged 0 (jsonl) -> \(spool)/done/a.jsonl
                spool \(spool): 3 done, 0 failed, 2 left incomplete (into \(fixture.ledger))

                """)
        #expect(try fixture.names() == [".e.ids", "d.ids.tmp", "done", "f.ids", "failed", "g.ids"])
        #expect(try fixture.names("done") == ["a.jsonl", "b.csv", "c.ids"])
        #expect(try fixture.threadCount() == 5)
        // The writer finishes its line: the next pass takes the file.
        let handle = try #require(FileHandle(forWritingAtPath: spool + "/f.ids"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n".utf8))
        try handle.close()
        let second = try fixture.pass(["--json"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(
            second.standardOutput
                == #"{"done":1,"failed":0,"files":[{"bad_lines":0,"file":"f.ids","format":"ids","imported":2,"moved_to":"\#(spool)/done/f.ids","result":"done","unchanged":0,"updated":0}],"ledger":"\#(fixture.ledger)","left_incomplete":["g.ids"],"spool":"\#(spool)"}"#
                + "\n")
        #expect(try fixture.threadCount() == 7)
    }

    @Test func aBadFileGoesToFailedWithItsLinesAndNothingOfItIsImported() throws {
        let fixture = try Fixture()
        try fixture.drop("good.ids", "thread_1\n", modified: 1_700_000_000)
        try fixture.drop("bad.ids", "thread_2\nthread 3\nthread_4\nthread/5\n", modified: 1_700_000_100)
        try fixture.drop("noid.csv", "name,created_at\nx,1\n", modified: 1_700_000_200)
        // A file of the same name failed before: the new one does not replace it.
        try FileManager.default.createDirectory(atPath: fixture.spool + "/failed", withIntermediateDirectories: true)
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: fixture.spool + "/failed/bad.ids"))
        let result = try fixture.pass()
        #expect(result.status == 1, "\(result.standardError)")
        let spool = fixture.spool
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)
        #expect(lines[0] == "good.ids: imported 1, updated 0, unchanged 0 (ids) -> \(spool)/done/good.ids")
        #expect(
            lines[1]
                == "bad.ids: failed, 2 bad lines (first: \(spool)/bad.ids:2: thread id 'thread 3' has a character other than letters, digits and - _ . : ~); see \(spool)/failed/bad.ids.1.err"
        )
        #expect(lines[2].hasPrefix("noid.csv: failed, 1 bad line (first: \(spool)/noid.csv:1: "))
        #expect(lines[3] == "spool \(spool): 1 done, 2 failed, 0 left incomplete (into \(fixture.ledger))")
        #expect(try fixture.names("failed") == ["bad.ids", "bad.ids.1", "bad.ids.1.err", "noid.csv", "noid.csv.err"])
        #expect(try String(contentsOfFile: spool + "/failed/bad.ids", encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: spool + "/failed/bad.ids.1", encoding: .utf8) == "thread_2\nthread 3\nthread_4\nthread/5\n")
        #expect(
            try String(contentsOfFile: spool + "/failed/bad.ids.1.err", encoding: .utf8) == """
                \(spool)/bad.ids:2: thread id 'thread 3' has a character other than letters, digits and - _ . : ~
                \(spool)/bad.ids:4: thread id 'thread/5' has a character other than letters, digits and - _ . : ~
                nothing of this file was imported: fix the lines and put it back into the spool

                """)
        let noid = try String(contentsOfFile: spool + "/failed/noid.csv.err", encoding: .utf8)
        #expect(noid.hasPrefix("\(spool)/noid.csv:1: ") && noid.contains("id"))
        // Only the good file's thread: nothing of the bad one.
        #expect(try fixture.threadCount() == 1)
        #expect(try fixture.names() == ["done", "failed"])
    }

    @Test func aFileNamedBesideTheSpoolIsAUsageError() throws {
        let fixture = try Fixture()
        let result = try ProcessRunner.threadkeeper(["import", "--spool", fixture.spool, "x.ids", "--ledger", fixture.ledger])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--spool DIR imports the files in DIR; name no FILE with it"))
        let missing = try ProcessRunner.threadkeeper(["import", "--spool", fixture.spool + "/nope", "--ledger", fixture.ledger])
        #expect(missing.status == 66)
        #expect(missing.standardError.contains("cannot open spool '\(fixture.spool)/nope': no such file or directory"))
    }

    /// The files each pass's summary says it imported.
    static func importedFiles(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard line.contains(": imported ") else { return nil }
            return String(line.prefix { $0 != ":" })
        }
    }

    @Test func twoConcurrentPassesImportEachOfFiftyFilesExactlyOnce() throws {
        let fixture = try Fixture()
        for file in 0..<50 {
            try fixture.drop(String(format: "f%02d.ids", file), Self.ids(file * 20..<(file + 1) * 20), modified: 1_700_000_000 + file)
        }
        // The ledger exists: what races here is the spool, not two first opens of a new ledger.
        _ = try Ledger(path: fixture.ledger)
        // Both passes start before either has listed the spool, and race for every file.
        let group = DispatchGroup()
        nonisolated(unsafe) var results: [ProcessResult?] = [nil, nil]
        for index in 0..<2 {
            DispatchQueue.global().async(group: group) { results[index] = try? fixture.pass() }
        }
        group.wait()
        let first = try #require(results[0])
        let second = try #require(results[1])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(second.status == 0, "\(second.standardError)")
        let one = Self.importedFiles(first.standardOutput)
        let two = Self.importedFiles(second.standardOutput)
        #expect(one.count + two.count == 50, "\(first.standardOutput)\n\(second.standardOutput)")
        #expect(Set(one).isDisjoint(with: two))
        #expect(Set(one + two).count == 50)
        // Each pass's own files in order, oldest first.
        #expect(one == one.sorted() && two == two.sorted())
        // Every thread new exactly once: the imported counts add up to the ledger's 1,000.
        let imported = (first.standardOutput + second.standardOutput).split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: ": imported ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(imported.reduce(0, +) == 1_000)
        #expect(try fixture.threadCount() == 1_000)
        #expect(try fixture.names("done").count == 50)
        #expect(try fixture.names() == ["done", "failed"])
    }

    @Test func aLiveClaimIsLeftAloneAndADeadOneIsTakenBack() throws {
        let fixture = try Fixture()
        let spool = fixture.spool
        let fm = FileManager.default
        // A claim directory whose pass is alive: its lock is held (here, by this process).
        try fm.createDirectory(atPath: spool + "/.claimed-1-1", withIntermediateDirectories: true)
        try Data("thread_live\n".utf8).write(to: URL(fileURLWithPath: spool + "/.claimed-1-1/live.ids"))
        let held = open(spool + "/.claimed-1-1", O_RDONLY | O_DIRECTORY)
        try #require(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        defer { close(held) }
        // One whose pass died: nobody holds its lock, whatever its PID is now.
        try fm.createDirectory(atPath: spool + "/.claimed-2-2", withIntermediateDirectories: true)
        try Data("thread_dead\n".utf8).write(to: URL(fileURLWithPath: spool + "/.claimed-2-2/dead.ids"))
        // A file of the same name arrived since: both are kept.
        try fixture.drop("dead.ids", "thread_new\n")
        // A pass that died before it renamed its claim directory, and one still on the way
        // (this process is alive).
        var dead: pid_t = 4_194_304
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        try fm.createDirectory(atPath: spool + "/.claiming-\(dead)-3", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: spool + "/.claiming-\(getpid())-4", withIntermediateDirectories: true)
        let result = try fixture.pass()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(Set(Self.importedFiles(result.standardOutput)) == ["dead.ids", "dead.ids.1"])
        #expect(try fixture.names() == [".claimed-1-1", ".claiming-\(getpid())-4", "done", "failed"])
        #expect(try fixture.names(".claimed-1-1") == ["live.ids"])
        #expect(try fixture.names("done") == ["dead.ids", "dead.ids.1"])
        #expect(try fixture.threadCount() == 2)
    }

    @Test func aPassKilledMidFileLeavesItForTheNextWhichImportsEverythingOnce() throws {
        let fixture = try Fixture()
        let count = 200_000
        try fixture.drop(
            "big.csv", "id,created_at\n" + (0..<count).map { "thread_\($0),\(1_700_000_000 + $0)\n" }.joined(), modified: 1_700_000_000)
        try fixture.drop("small.ids", Self.ids(0..<10, prefix: "small_"), modified: 1_700_000_100)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
        process.arguments = ["import", "--spool", fixture.spool, "--ledger", fixture.ledger]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed once it has claimed the big file and is reading it.
        var claimedSeen = false
        while process.isRunning {
            let claims = (try? fixture.names().filter { $0.hasPrefix(".claimed-") }) ?? []
            if let claim = claims.first, (try? fixture.names(claim)) == ["big.csv"] {
                usleep(20_000)
                kill(process.processIdentifier, SIGKILL)
                claimedSeen = true
                break
            }
            usleep(200)
        }
        process.waitUntilExit()
        try #require(claimedSeen, "the pass ended before its claim was seen; status \(process.terminationStatus)")
        #expect(process.terminationReason == .uncaughtSignal)
        // The big file sits in the dead pass's claim directory; the small one is untouched.
        let leftover = try fixture.names().filter { $0.hasPrefix(".claimed-") }
        #expect(leftover.count == 1)
        #expect(try fixture.names().contains("small.ids"))
        #expect(try fixture.names("done").isEmpty)
        let again = try fixture.pass()
        #expect(again.status == 0, "\(again.standardError)")
        #expect(Self.importedFiles(again.standardOutput) == ["big.csv", "small.ids"])
        #expect(try fixture.threadCount() == count + 10)
        #expect(try fixture.names("done") == ["big.csv", "small.ids"])
        #expect(try fixture.names() == ["done", "failed"])
        // Once more: nothing left, nothing twice.
        let third = try fixture.pass()
        #expect(third.standardOutput == "spool \(fixture.spool): 0 done, 0 failed, 0 left incomplete (into \(fixture.ledger))\n")
        #expect(try fixture.threadCount() == count + 10)
    }
}
