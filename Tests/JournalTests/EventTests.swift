import Foundation
import Testing

@testable import Journal

/// Each event helper fills every field its catalog entry refers to.
@Suite struct EventTests {
    /// `@FIELD@` references of each catalog entry, by MESSAGE_ID.
    static func catalogFields() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: CatalogTests.catalogPath, encoding: .utf8)
        var fields: [String: Set<String>] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- ") {
                current = String(line.dropFirst(3))
                fields[current!] = []
                continue
            }
            guard let id = current else { continue }
            let parts = line.split(separator: "@", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() where index % 2 == 1 && index < parts.count - 1 {
                fields[id]!.insert(String(part))
            }
        }
        return fields
    }

    static func emitAll(_ logger: Logger) {
        logger.daemonStarted(rules: 3, scheduled: 2)
        logger.rulesLoaded(rules: 3, rejected: 1, summary: "3 rules; rejected: x")
        logger.ruleRejected(
            rule: "x", file: "/etc/threadkeeper/rules.d/x.rule", line: 4, finding: "x.rule:4:1: error: bad", keptLastGood: true)
        logger.runStarted(rule: "a", run: 7, trigger: "schedule", matched: 10)
        logger.runFinished(rule: "a", run: 7, status: "done", matched: 10, done: 7, gone: 1, skipped: 1, failed: 1)
        logger.runAborted(rule: "a", run: 8, reason: "MaxFraction=25% exceeded: 40% of the live inventory matches")
        logger.actionFailed(rule: "a", run: 7, thread: "thread_x", httpStatus: 500, requestID: "req_1", attempts: 3, error: "server error")
        logger.breakerOpened(rule: "a", run: 8, reason: "401 on 5 of the last 5 calls")
        logger.chainHead(
            rule: "a", run: 7, ledger: "/var/lib/threadkeeper/ledger.sqlite3", rows: 42, head: String(repeating: "ab", count: 32))
        logger.setupCheck(failed: true, line: "probe: the answer is not the API's; fix: check BaseURL=")
    }

    @Test func everyEventCarriesTheFieldsItsCatalogEntryNames() throws {
        let memory = InMemoryLogHandler()
        Self.emitAll(Logger(handler: memory, logLevel: .debug))
        let catalog = try Self.catalogFields()
        #expect(
            catalog[MessageID.runFinished.hex]
                == [
                    "THREADKEEPER_RUN", "THREADKEEPER_RULE", "THREADKEEPER_STATUS", "THREADKEEPER_MATCHED", "THREADKEEPER_DONE",
                    "THREADKEEPER_GONE", "THREADKEEPER_SKIPPED", "THREADKEEPER_FAILED",
                ])
        #expect(catalog[MessageID.actionFailed.hex]?.contains("THREAD_ID") == true)
        #expect(Set(memory.entries.compactMap(\.messageID)) == Set(MessageID.all.map(\.id)))
        for entry in memory.entries {
            let id = try #require(entry.messageID)
            let sent = Set(JournalFields.fields(for: entry).map(\.name))
            let wanted = try #require(catalog[id.hex])
            #expect(wanted.subtracting(sent).isEmpty, "\(id.hex) lacks \(wanted.subtracting(sent).sorted())")
        }
    }

    @Test func levelsFollowWhatAnOperatorMustDo() {
        let memory = InMemoryLogHandler()
        Self.emitAll(Logger(handler: memory, logLevel: .debug))
        let levels = Dictionary(memory.entries.map { ($0.messageID!, $0.level) }, uniquingKeysWith: { first, _ in first })
        #expect(levels[.daemonStarted] == .notice)
        #expect(levels[.rulesLoaded] == .warning)
        #expect(levels[.ruleRejected] == .error)
        #expect(levels[.runStarted] == .info)
        #expect(levels[.runFinished] == .warning)
        #expect(levels[.runAborted] == .error)
        #expect(levels[.actionFailed] == .error)
        #expect(levels[.breakerOpened] == .error)
        #expect(levels[.chainHead] == .notice)
        #expect(levels[.setupCheck] == .error)
        let check = memory.entries(withID: .setupCheck).first
        #expect(check?.message == "setup check failed: probe: the answer is not the API's; fix: check BaseURL=")
        #expect(check?.metadata == ["check": "probe", "check_status": "failed"])
        let finished = memory.entries(withID: .runFinished).first
        #expect(finished?.message == "run 7 of rule a done: 10 matched, 7 done, 1 gone, 1 skipped, 1 failed")
        #expect(finished?.metadata["skipped"] == "1")
        let failed = memory.entries(withID: .actionFailed).first
        #expect(failed?.metadata["http_status"] == "500")
        #expect(JournalFields.fieldName(forMetadataKey: "http_status") == "THREADKEEPER_HTTP_STATUS")
    }
}
