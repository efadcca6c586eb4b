import Foundation
import TestSupport
import Testing

@testable import Journal

/// The built binary's runs leave the ledger's chain head in a real journald, and
/// `audit --verify` reads it back and catches rows cut from the ledger's end.
@Suite struct ChainHeadJournalTests {
    /// The emulator binary on a loopback port, seeded with threads older than a month.
    final class Emulator: @unchecked Sendable {
        // @unchecked Sendable: `process` is started in init and only ended (by its PID) after.
        let process = Process()
        let baseURL: String

        init(directory: TemporaryDirectory, export: String) throws {
            let portFile = directory.file("port")
            process.executableURL = URL(fileURLWithPath: BuiltProducts.emulator)
            process.arguments = [
                "--port", "0", "--port-file", portFile, "--seed", "12", "--seed-random", "7", "--seed-age", "300d",
                "--export", export,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var port = ""
            for _ in 0..<500 {
                port = (try? String(contentsOfFile: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if !port.isEmpty { break }
                usleep(20_000)
            }
            baseURL = "http://127.0.0.1:\(port)"
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    static func verifyJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try ProcessRunner.threadkeeper(["audit", "--verify", "--json"] + arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    @Test func eachRunLeavesTheHeadInTheJournalAndVerifyCatchesACut() async throws {
        let journald = try await JournalHandlerTests().startJournald()
        let directory = TemporaryDirectory(prefix: "threadkeeper-chainhead")
        let emulator = try Emulator(directory: directory, export: directory.file("threads.jsonl"))
        defer { emulator.stop() }
        let ledger = directory.file("ledger.sqlite3")
        let imported = try ProcessRunner.threadkeeper(["import", "--ledger", ledger, directory.file("threads.jsonl")])
        try #require(imported.status == 0, "\(imported.standardError)")
        let key = try directory.write("api-key", "sk-journal-test-0123456789\n")
        chmod(key, 0o600)
        let config = try directory.write(
            "threadkeeper.conf",
            "[API]\nProvider=custom\nBaseURL=\(emulator.baseURL)\nApiKeyFile=\(key)\nRequestsPerSecond=200\nConcurrency=4\n")
        try FileManager.default.createDirectory(atPath: directory.file("rules"), withIntermediateDirectories: true)
        _ = try directory.write("rules/old.rule", "[Rule]\nDescription=Delete the old\nAction=delete\n\n[Match]\nOlderThan=30d\n")
        let run: @Sendable () throws -> Int32 = {
            try JournaldSandbox.spawnAndWait(
                [
                    BuiltProducts.threadkeeper, "run", "old", "--yes", "--config", config, "--rules", directory.file("rules"),
                    "--ledger", ledger, "--log-target", "journal",
                ], output: directory.file("run.log"))
        }

        // Two runs: the first deletes, the second finds nothing left; each writes its head.
        #expect(try await journald.perform(run) == 0, "\((try? String(contentsOfFile: directory.file("run.log"), encoding: .utf8)) ?? "")")
        let first = try Self.verifyJSON(["--no-journal", "--ledger", ledger])
        #expect(try await journald.perform(run) == 0)
        let second = try Self.verifyJSON(["--no-journal", "--ledger", ledger])
        let heads = try await journald.waitForEntries(match: "MESSAGE_ID=\(MessageID.chainHead.hex)", count: 2)
        try #require(heads.count == 2)
        let firstRows = try #require(first["rows"] as? Int)
        let secondRows = try #require(second["rows"] as? Int)
        #expect(firstRows > 4, "the first run deleted threads: \(first)")
        #expect(secondRows == firstRows + 2, "the second run is a record and an end")
        #expect(heads[0]["THREADKEEPER_CHAIN_ROWS"] as? String == String(firstRows))
        #expect(heads[0]["THREADKEEPER_CHAIN_HEAD"] as? String == first["head"] as? String)
        #expect(heads[1]["THREADKEEPER_CHAIN_ROWS"] as? String == String(secondRows))
        #expect(heads[1]["THREADKEEPER_CHAIN_HEAD"] as? String == second["head"] as? String)
        #expect(heads[1]["THREADKEEPER_RUN"] as? String == "2")
        #expect(heads[1]["THREADKEEPER_LEDGER"] as? String == URL(fileURLWithPath: ledger).resolvingSymlinksInPath().path)
        #expect(heads[1]["PRIORITY"] as? String == "5")

        let journal = journald.directory.path + "/log/journal"
        let intact = try ProcessRunner.threadkeeper(["audit", "--verify", "--journal-directory", journal, "--ledger", ledger])
        #expect(intact.status == 0, "\(intact.standardOutput)")
        #expect(intact.standardOutput.contains("head from the journal's last head (run 2) found at row \(secondRows)\n"))

        // Cut the second run away whole, as someone who can write the file can.
        let cut = try ProcessRunner.run(
            "/usr/bin/sqlite3",
            [
                ledger,
                "DROP TRIGGER chain_no_delete; DROP TRIGGER runs_no_delete; DELETE FROM chain WHERE seq > \(firstRows); "
                    + "DELETE FROM runs WHERE id = 2;",
            ])
        try #require(cut.status == 0, "\(cut.standardError)")
        #expect(try Self.verifyJSON(["--no-journal", "--ledger", ledger])["intact"] as? Bool == true)
        let caught = try ProcessRunner.threadkeeper(["audit", "--verify", "--journal-directory", journal, "--ledger", ledger])
        #expect(caught.status == 65)
        #expect(
            caught.standardOutput.contains(
                "head from the journal's last head (run 2) not found: the journal's last head (run 2) has the chain at "
                    + "\(secondRows) rows, the ledger has \(firstRows): rows \(firstRows + 1) to \(secondRows) were cut\n"))
        await journald.stop()
    }
}
