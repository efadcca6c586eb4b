import Foundation
import TestSupport
import Testing

@testable import Journal

/// The journald handler against a real `systemd-journald`, read back with `journalctl -o json`.
@Suite struct JournalHandlerTests {
    func startJournald() async throws -> JournaldSandbox {
        do {
            return try await JournaldSandbox.start()
        } catch let unavailable as JournaldSandbox.Unavailable {
            try Test.cancel("journald cannot start here: \(unavailable.description)")
        }
    }

    @Test func entriesCarryMessagePriorityIdentifierMessageIDAndMappedMetadata() async throws {
        let journald = try await startJournald()
        let marker = UUID().uuidString
        try await journald.perform {
            #expect(JournalSocket.isAnswering())
            let logger = Logger(handler: JournalHandler(), logLevel: .debug, metadata: ["rule": "stale-support", "test": marker])
            logger.notice(
                "run 12 of rule stale-support finished", id: .runFinished,
                metadata: ["run": "12", "matched": "5000", "done": "4990", "gone": "7", "failed": "3"])
            logger.error("delete failed:\nHTTP 500", id: .actionFailed, metadata: ["run": "12", "thread": "thread_abc123"])
            logger.debug("a debug line")
        }
        let entries = try await journald.waitForEntries(match: "THREADKEEPER_TEST=\(marker)", count: 3)
        await journald.stop()
        try #require(entries.count == 3)
        let finished = entries[0]
        #expect(finished["MESSAGE"] as? String == "run 12 of rule stale-support finished")
        #expect(finished["PRIORITY"] as? String == "5")
        #expect(finished["SYSLOG_IDENTIFIER"] as? String == "threadkeeper")
        #expect(finished["MESSAGE_ID"] as? String == MessageID.runFinished.hex)
        #expect(finished["THREADKEEPER_RULE"] as? String == "stale-support")
        #expect(finished["THREADKEEPER_RUN"] as? String == "12")
        #expect(finished["THREADKEEPER_MATCHED"] as? String == "5000")
        #expect(finished["THREADKEEPER_DONE"] as? String == "4990")
        #expect(finished["THREADKEEPER_GONE"] as? String == "7")
        #expect(finished["THREADKEEPER_FAILED"] as? String == "3")
        #expect(finished["CODE_FILE"] as? String == "JournalTests/JournalHandlerTests.swift")
        #expect(finished["_TRANSPORT"] as? String == "journal")
        #expect(finished["_PID"] as? String == String(getpid()))

        let failed = entries[1]
        #expect(failed["PRIORITY"] as? String == "3")
        #expect(failed["MESSAGE_ID"] as? String == MessageID.actionFailed.hex)
        #expect(failed["THREAD_ID"] as? String == "thread_abc123")
        // A newline in a value travels in the binary encoding and comes back intact.
        #expect(failed["MESSAGE"] as? String == "delete failed:\nHTTP 500")

        #expect(entries[2]["PRIORITY"] as? String == "7")
        #expect(entries[2]["MESSAGE_ID"] == nil)
    }

    /// `threadkeeper@ACCOUNT.service` sets THREADKEEPER_INSTANCE: every entry of the process carries
    /// it, events with their own metadata included; without the variable no entry has the field.
    @Test func everyEntryCarriesTheInstanceOfItsTemplatedUnit() async throws {
        #expect(JournalHandler.processFields(environment: [:]).isEmpty)
        #expect(JournalHandler.processFields(environment: ["THREADKEEPER_INSTANCE": ""]).isEmpty)
        let fields = JournalHandler.processFields(environment: ["THREADKEEPER_INSTANCE": "acme"])
        #expect(fields.map(\.name) == ["THREADKEEPER_INSTANCE"] && fields.map(\.value) == ["acme"])
        let journald = try await startJournald()
        let marker = UUID().uuidString
        try await journald.perform {
            let acme = Logger(handler: JournalHandler(processFields: fields), metadata: ["test": marker])
            let plain = Logger(handler: JournalHandler(), metadata: ["test": marker])
            acme.notice("run 3 of rule r finished", id: .runFinished, metadata: ["rule": "r", "run": "3"])
            acme.warning("a warning")
            plain.notice("no instance")
        }
        let entries = try await journald.waitForEntries(match: "THREADKEEPER_TEST=\(marker)", count: 3)
        await journald.stop()
        try #require(entries.count == 3)
        #expect(entries[0]["THREADKEEPER_INSTANCE"] as? String == "acme")
        #expect(entries[0]["THREADKEEPER_RULE"] as? String == "r")
        #expect(entries[1]["THREADKEEPER_INSTANCE"] as? String == "acme")
        #expect(entries[2]["THREADKEEPER_INSTANCE"] == nil)
    }

    @Test func priorityFiltersOfJournalctlSeeTheLevels() async throws {
        let journald = try await startJournald()
        let marker = UUID().uuidString
        try await journald.perform {
            let logger = Logger(handler: JournalHandler(), logLevel: .debug, metadata: ["test": marker])
            for level in Logger.Level.allCases { logger.log(level: level, "level \(level.name)") }
        }
        let all = try await journald.waitForEntries(match: "THREADKEEPER_TEST=\(marker)", count: 8)
        #expect(all.compactMap { $0["PRIORITY"] as? String } == ["0", "1", "2", "3", "4", "5", "6", "7"])
        let result = try ProcessRunner.run(
            "/usr/bin/journalctl",
            ["--directory=\(journald.directory.path)/log/journal", "-p", "err", "-o", "cat", "THREADKEEPER_TEST=\(marker)"])
        await journald.stop()
        #expect(result.standardOutput.split(separator: "\n") == ["level emerg", "level alert", "level crit", "level err"])
    }

    @Test func aSilentJournalFallsBackAndReportsTheErrno() async throws {
        let journald = try await startJournald()
        await journald.stopJournald()
        let fallback = InMemoryLogHandler()
        let (answering, thrown) = try await journald.perform {
            let logger = Logger(handler: JournalHandler(fallback: fallback))
            logger.warning("nobody listens", metadata: ["rule": "r"])
            return (JournalSocket.isAnswering(), #expect(throws: JournalError.self) { try JournalHandler.send([("MESSAGE", "x")]) })
        }
        await journald.stop()
        #expect(!answering)
        #expect(thrown?.code == ECONNREFUSED)
        #expect(thrown?.description.contains("use --log-target stderr") == true)
        #expect(fallback.entries.map(\.message) == ["nobody listens"])
    }
}
