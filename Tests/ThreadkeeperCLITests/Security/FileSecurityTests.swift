import Foundation
import TestSupport
import Testing

/// The built binary refuses a ledger others could tamper with, saying where and what to do.
struct FileSecurityTests {
    @Test func aLedgerInADirectoryOthersMayWriteIsRefused() throws {
        let directory = TemporaryDirectory(prefix: "threadkeeper-security")
        let shared = directory.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o777)
        let file = try directory.write("in.jsonl", #"{"id":"thread_a","created_at":1000}"# + "\n")
        let result = try ProcessRunner.threadkeeper(["import", file, "--ledger", shared + "/ledger.sqlite3"])
        let named = (shared as NSString).standardizingPath
        #expect(result.status == 74)
        #expect(
            result.standardError.hasPrefix(
                "threadkeeper import: refusing the ledger '\(shared)/ledger.sqlite3': others may write the ledger's directory '\(named)' (mode 777)"
            ), "\(result.standardError)")
        #expect(result.standardError.contains("chmod go-w \(named)"))
        #expect(!FileManager.default.fileExists(atPath: shared + "/ledger.sqlite3"))
    }
}
