import Foundation
import Testing

@testable import Journal

@Suite struct JournalFieldsTests {
    @Test(arguments: [
        ("rule", "THREADKEEPER_RULE"), ("run", "THREADKEEPER_RUN"), ("thread", "THREAD_ID"),
        ("matched", "THREADKEEPER_MATCHED"), ("done", "THREADKEEPER_DONE"), ("gone", "THREADKEEPER_GONE"),
        ("failed", "THREADKEEPER_FAILED"), ("api.status", "THREADKEEPER_API_STATUS"),
        ("request-id", "THREADKEEPER_REQUEST_ID"), ("_pid", "THREADKEEPER__PID"), ("Ünï", "THREADKEEPER__N_"),
    ])
    func metadataKeysMapToJournalFieldNames(key: String, field: String) {
        #expect(JournalFields.fieldName(forMetadataKey: key) == field)
        #expect(JournalFields.isValidFieldName(field))
    }

    @Test func anEmptyEntryIsRefusedBeforeItReachesTheSocket() {
        #expect(throws: JournalError(code: EINVAL)) { try JournalHandler.send([]) }
    }

    @Test func longKeysAreCutToJournaldsLimit() {
        let name = JournalFields.fieldName(forMetadataKey: String(repeating: "k", count: 100))
        #expect(name.count == 64)
        #expect(JournalFields.isValidFieldName(name))
    }

    @Test(arguments: ["", "_PID", "1ABC", "lower", "A.B", String(repeating: "A", count: 65)])
    func journaldRefusesTheseNames(name: String) {
        #expect(!JournalFields.isValidFieldName(name))
    }

    @Test func entryFieldsCarryTheStandardFieldsThenSortedMetadata() {
        let entry = LogEntry(
            level: .error, message: "delete failed", messageID: .actionFailed,
            metadata: ["thread": "thread_abc", "rule": "stale-support", "failed": "3"],
            source: .init(file: "Executor/Run.swift", function: "act()", line: 42))
        let fields = JournalFields.fields(for: entry)
        #expect(
            fields.map(\.name) == [
                "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
                "THREADKEEPER_FAILED", "THREADKEEPER_RULE", "THREAD_ID",
            ])
        #expect(
            fields.map(\.value) == [
                "delete failed", "3", "threadkeeper", "b6258a5e2d8b484fb87faad1fdb48ea8", "Executor/Run.swift", "42", "act()",
                "3", "stale-support", "thread_abc",
            ])
    }
}
