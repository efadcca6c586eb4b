import Foundation
import Testing

@testable import Journal

/// `JournalReader` finds the newest entry matching every field, from journal files on disk.
@Suite struct JournalReaderTests {
    @Test func theNewestEntryMatchingAllFieldsIsReturned() async throws {
        let journald = try await JournalHandlerTests().startJournald()
        let marker = UUID().uuidString
        try await journald.perform {
            let logger = Logger(handler: JournalHandler(), logLevel: .debug, metadata: ["test": marker])
            logger.chainHead(rule: "a", run: 1, ledger: "/l/one", rows: 10, head: String(repeating: "1", count: 64))
            logger.chainHead(rule: "a", run: 2, ledger: "/l/one", rows: 12, head: String(repeating: "2", count: 64))
            logger.chainHead(rule: "b", run: 3, ledger: "/l/two", rows: 30, head: String(repeating: "3", count: 64))
        }
        #expect(try await journald.waitForEntries(match: "THREADKEEPER_TEST=\(marker)", count: 3).count == 3)
        let directory = journald.directory.path + "/log/journal"
        let one = try JournalReader.newestEntry(
            matching: ["MESSAGE_ID": MessageID.chainHead.hex, "THREADKEEPER_LEDGER": "/l/one", "THREADKEEPER_TEST": marker],
            directory: directory)
        #expect(one?["THREADKEEPER_RUN"] == "2")
        #expect(one?["THREADKEEPER_CHAIN_ROWS"] == "12")
        #expect(one?["THREADKEEPER_CHAIN_HEAD"] == String(repeating: "2", count: 64))
        let none = try JournalReader.newestEntry(
            matching: ["MESSAGE_ID": MessageID.chainHead.hex, "THREADKEEPER_LEDGER": "/l/three"], directory: directory)
        #expect(none == nil)
        #expect(throws: JournalReader.Failure.self) {
            try JournalReader.newestEntry(matching: [:], directory: journald.directory.path + "/missing")
        }
        await journald.stop()
    }
}
