import Foundation
import TestSupport
import Testing

/// The bad-input matrix: each way a user can hand threadkeeper garbage, with the exact
/// message and exit code of the built binary (docs/RELIABILITY.md lists them).
struct BadInputTests {
    let directory = TemporaryDirectory(prefix: "threadkeeper-badinput")

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.threadkeeper(arguments, environment: environment)
    }

    @Test func aMissingConfigFileIsNamed() throws {
        let missing = directory.file("absent.conf")
        let result = try run(["show-config", "--config", missing])
        #expect(result.status == 66)
        #expect(result.standardError == "threadkeeper show-config: config file '\(missing)' does not exist; check --config\n")
    }

    @Test func aDirectoryGivenAsTheConfigFileIsNamedAsOne() throws {
        let result = try run(["show-config", "--config", directory.path])
        #expect(result.status == 65)
        #expect(
            result.standardError == """
                threadkeeper show-config: 1 error in rule or config files:
                \(directory.path): error: the config file is a directory; name a file

                """)
    }

    @Test func aDirectoryGivenAsTheImportFileIsRefused() throws {
        let result = try run(["import", directory.path, "--ledger", directory.file("l.sqlite3")])
        #expect(result.status == 66)
        #expect(result.standardError == "threadkeeper import: cannot import '\(directory.path)': it is a directory; name a file\n")
    }

    @Test func aDirectoryGivenAsTheLedgerIsRefused() throws {
        let result = try run(["status", "--ledger", directory.path])
        #expect(result.status == 74)
        #expect(
            result.standardError
                == "threadkeeper status: '\(directory.path)' is not a regular file; pass the ledger file with --ledger\n")
    }

    @Test func ruleFilesInTheWrongEncodingOrWithANulByteAreRejectedWithTheirPlace() throws {
        let rules = directory.file("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        var latin1 = Array("[Rule]\nAction=delete\nDescription=caf".utf8)
        latin1 += [0xE9] + Array("\n[Match]\nOlderThan=1d\n".utf8)
        try Data(latin1).write(to: URL(fileURLWithPath: rules + "/latin1.rule"))
        let nul = Array("[Rule]\nAction=delete\n".utf8) + [0] + Array("\n[Match]\nOlderThan=1d\n".utf8)
        try Data(nul).write(to: URL(fileURLWithPath: rules + "/nul.rule"))
        let result = try run(["check", "--rules", rules])
        #expect(result.status == 65)
        #expect(
            result.standardOutput + result.standardError == """
                \(rules)/latin1.rule:3:16: error: the file is not valid UTF-8 (byte 0xe9 at offset 36); save it as UTF-8
                \(rules)/nul.rule:3:1: error: the file has a NUL byte at offset 21, so it is not a text file; save it as UTF-8 text
                checked 2 rule files: 2 errors

                """)
    }

    @Test func idsWithPathCharactersAreSkippedBeforeTheyReachTheLedger() throws {
        let file = try directory.write("ids.txt", "../../etc/passwd\nthread/x\nthread_ok\n")
        let ledger = directory.file("l.sqlite3")
        let result = try run(["import", file, "--ledger", ledger])
        #expect(result.status == 1)
        #expect(result.standardOutput == "imported 1, updated 0, unchanged 0, skipped 2 (ids into \(ledger))\n")
        #expect(
            result.standardError == """
                \(file):1: thread id '../../etc/passwd' has a character other than letters, digits and - _ . : ~
                \(file):2: thread id 'thread/x' has a character other than letters, digits and - _ . : ~

                """)
    }

    @Test func metadataOverTheAPILimitsIsSkipped() throws {
        let many = (0..<17).map { "\"k\($0)\":\"v\"" }.joined(separator: ",")
        let lines = [
            #"{"id":"thread_m","created_at":1,"metadata":{\#(many)}}"#,
            #"{"id":"thread_n","created_at":1,"metadata":{"k":"\#(String(repeating: "v", count: 513))"}}"#,
            #"{"id":"thread_o","created_at":1,"metadata":{"\#(String(repeating: "k", count: 65))":"v"}}"#,
        ]
        let file = try directory.write("meta.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try run(["import", file, "--ledger", directory.file("l.sqlite3")])
        #expect(result.status == 1)
        #expect(
            result.standardError == """
                \(file):1: metadata has 17 keys; the API allows 16
                \(file):2: metadata value of 'k' is longer than 512 characters
                \(file):3: metadata key 'kkkkkkkkkkkkkkkkkkkk…' is longer than 64

                """)
    }

    @Test func aHugeLineInAnImportIsSkippedWithoutReadingItWhole() throws {
        let file = directory.file("huge.txt")
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<100 { handle.write(chunk) }
        handle.write(Data("\nthread_after\n".utf8))
        try handle.close()
        let ledger = directory.file("l.sqlite3")
        let result = try run(["import", file, "--ledger", ledger])
        #expect(result.status == 1)
        #expect(result.standardOutput == "imported 1, updated 0, unchanged 0, skipped 1 (ids into \(ledger))\n")
        #expect(result.standardError == "\(file):1: line longer than 16777216 bytes\n")
    }

    @Test func anUnknownProviderIsNamedWithTheValidOnes() throws {
        let config = try directory.write("p.conf", "[API]\nProvider=azure\n")
        let result = try run(["show-config", "--config", config])
        #expect(result.status == 65)
        #expect(
            result.standardError == """
                threadkeeper show-config: 1 error in rule or config files:
                \(config):2:10: error: unknown provider `azure` for `Provider=`; valid providers are: aimlapi, openai, custom

                """)
    }

    @Test func aKeyFileOthersCanReadIsRefusedAndTheKeyNotShown() throws {
        let key = try directory.write("key", "sk-open-permissions-0123456789\n")
        chmod(key, 0o644)
        let config = try directory.write(
            "k.conf", "[API]\nProvider=custom\nBaseURL=http://127.0.0.1:9\nApiKeyFile=\(key)\n")
        let rules = directory.file("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        _ = try directory.write("rules/p.rule", "[Rule]\nAction=delete\n[Match]\nOlderThan=1d\n")
        let result = try run(
            ["run", "p", "--yes", "--config", config, "--rules", rules, "--ledger", directory.file("l.sqlite3")],
            environment: ProcessInfo.processInfo.environment.filter { $0.key != "THREADKEEPER_API_KEY" })
        #expect(result.status == 69)
        #expect(
            result.standardError
                == "threadkeeper run: api key file '\(key)' is readable by group or others (mode 644); run 'chmod 600 \(key)'\n")
        #expect(!(result.standardOutput + result.standardError).contains("sk-open-permissions"))
    }

    @Test func aLedgerFromANewerVersionIsLeftUntouched() throws {
        let ledger = directory.file("new.sqlite3")
        let made = try ProcessRunner.run("/usr/bin/sqlite3", [ledger, "PRAGMA user_version=999; CREATE TABLE x(a);"])
        #expect(made.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let result = try run(["status", "--ledger", ledger])
        #expect(result.status == 74)
        #expect(
            result.standardError.hasPrefix(
                "threadkeeper status: '\(ledger)' was written by a newer threadkeeper (schema version 999, this one knows up to "))
        #expect(result.standardError.hasSuffix("); upgrade threadkeeper, the file was left untouched\n"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    @Test func aCorruptLedgerIsLeftUntouched() throws {
        let ledger = directory.file("corrupt.sqlite3")
        let garbage = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        try garbage.write(to: URL(fileURLWithPath: ledger))
        let result = try run(["status", "--ledger", ledger])
        #expect(result.status == 74)
        #expect(
            result.standardError
                == "threadkeeper status: '\(ledger)' is not an SQLite database (it does not start with \"SQLite format 3\"); it was left untouched; is --ledger pointing at the right file?\n"
        )
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == garbage)
    }
}
