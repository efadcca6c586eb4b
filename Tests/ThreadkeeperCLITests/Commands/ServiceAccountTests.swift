import Foundation
import Journal
import TestSupport
import Testing

/// Root against the service's state, the service finding files it cannot write, and fatal
/// errors and key problems as systemd shows them; run as the built binary.
struct ServiceAccountTests {
    /// `nobody`: a user other than root that exists on every Debian system.
    static let other: uid_t = 65534

    func requireRoot() throws {
        guard geteuid() == 0 else { try Test.cancel("needs root to own files as another user") }
    }

    /// A temp dir others may enter (the binary runs as `nobody` in some tests).
    func openDirectory() -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        chmod(directory.path, 0o755)
        return directory
    }

    @Test func rootIsRefusedOnALedgerAnotherUserOwnsWithTheCommandToRunInstead() throws {
        try requireRoot()
        let directory = openDirectory()
        let state = directory.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        chown(state, Self.other, Self.other)
        let ids = try directory.write("ids.txt", "thread_a\n")
        let ledger = state + "/ledger.sqlite3"
        let result = try ProcessRunner.threadkeeper(["import", ids, "--ledger", ledger])
        #expect(result.status == 77)
        #expect(result.standardError.contains("the ledger '\(ledger)' is the service's (user 'nobody')"), "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "runuser -u nobody -- \(BuiltProducts.threadkeeper) import \(ids) --ledger \(ledger)"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: ledger))

        // The command it names works and leaves only files that user owns.
        let again = try ProcessRunner.run(
            "/usr/sbin/runuser", ["-u", "nobody", "--", BuiltProducts.threadkeeper, "import", ids, "--ledger", ledger])
        #expect(again.status == 0, "\(again.standardError)")
        for name in try FileManager.default.contentsOfDirectory(atPath: state) {
            var info = stat()
            #expect(stat(state + "/" + name, &info) == 0)
            #expect(info.st_uid == Self.other, "\(name)")
        }
        // Reading stays allowed for root, a plan too; saving one is a write.
        #expect(try ProcessRunner.threadkeeper(["status", "--ledger", ledger]).status == 0)
        let rule = try directory.write("r.rule", "[Rule]\nAction=report\n")
        #expect(try ProcessRunner.threadkeeper(["plan", rule, "--ledger", ledger]).status == 0)
        #expect(try ProcessRunner.threadkeeper(["plan", rule, "--save", "--ledger", ledger]).status == 77)
        // Root's own ledgers are not affected.
        #expect(try ProcessRunner.threadkeeper(["import", ids, "--ledger", directory.file("root.sqlite3")]).status == 0)
    }

    @Test func theServiceNamesAFileInItsStateItDoesNotOwnAndItsOwner() throws {
        try requireRoot()
        let directory = openDirectory()
        let state = directory.file("state")
        try FileManager.default.createDirectory(atPath: state + "/archive", withIntermediateDirectories: true)
        chown(state, Self.other, Self.other)
        // The archive directory stays root's, as a root `run` left it.
        let environment = ["STATE_DIRECTORY": state, "PATH": "/usr/bin:/bin", "THREADKEEPER_API_KEY": "sk-test"]
        let result = try ProcessRunner.run(
            "/usr/bin/env",
            ["-i"] + environment.map { "\($0)=\($1)" } + [
                "/usr/sbin/runuser", "-u", "nobody", "--", BuiltProducts.threadkeeper, "daemon", "--log-target", "stderr",
                "--config", try directory.write("threadkeeper.conf", "[API]\nBaseURL=http://127.0.0.1:9\n"),
            ])
        #expect(result.status == 77, "\(result.standardError)")
        #expect(
            result.standardError.contains("'\(state)/archive' belongs to root (uid 0), but the service runs as nobody"),
            "\(result.standardError)")
        #expect(result.standardError.contains("chown -R nobody:nobody \(state)"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: state + "/ledger.sqlite3"))
    }

    @Test func anEmptyCredentialNamesTheFileToFillAndTheUnitToRestart() throws {
        let directory = TemporaryDirectory()
        let credentials = directory.file("threadkeeper.service")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        _ = try directory.write("threadkeeper.service/api-key", "")
        let result = try ProcessRunner.threadkeeper(
            ["get", "thread_a", "--ledger", directory.file("l.sqlite3")],
            environment: ["CREDENTIALS_DIRECTORY": credentials, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 69)
        #expect(result.standardError.contains("\(credentials)/api-key is empty"), "\(result.standardError)")
        #expect(result.standardError.contains("/etc/threadkeeper/api-key"), "\(result.standardError)")
        #expect(result.standardError.contains("then run 'systemctl restart threadkeeper'"), "\(result.standardError)")
    }

    @Test func aFatalErrorIsAnErrEntryOnlyWhenStderrIsTheJournalStream() {
        var info = stat()
        #expect(fstat(STDERR_FILENO, &info) == 0)
        #expect(JournalStream.prefix(3, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]) == "<3>")
        #expect(JournalStream.prefix(3, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino &+ 1)"]) == "")
        #expect(JournalStream.prefix(3, environment: ["JOURNAL_STREAM": "garbage"]) == "")
        #expect(JournalStream.prefix(3, environment: [:]) == "")
    }
}
