import Foundation
import Testing

@testable import Journal

@Suite struct LoggerTests {
    @Test func levelsAreSyslogPrioritiesOrderedBySeverity() {
        #expect(Logger.Level.allCases.map(\.rawValue) == Array(0...7))
        #expect(Logger.Level.allCases.map(\.name) == ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"])
        #expect(Logger.Level.debug < .info && Logger.Level.error < .critical && Logger.Level.alert < .emergency)
        #expect(Logger.Level(name: "err") == .error && Logger.Level(name: "ERROR") == .error && Logger.Level(name: "4") == .warning)
        #expect(Logger.Level(name: "loud") == nil)
    }

    @Test func entriesBelowTheLevelAreDroppedWithoutEvaluatingTheMessage() {
        let memory = InMemoryLogHandler()
        let logger = Logger(handler: memory, logLevel: .notice)
        var evaluated = false
        logger.info(
            {
                evaluated = true; return "hidden"
            }())
        logger.notice("shown")
        logger.error("also shown")
        #expect(!evaluated)
        #expect(memory.entries.map(\.message) == ["shown", "also shown"])
        #expect(memory.entries.map(\.level) == [.notice, .error])
    }

    @Test func callMetadataWinsOverLoggerMetadata() {
        let memory = InMemoryLogHandler()
        var logger = Logger(handler: memory, metadata: ["rule": "a", "run": "1"])
        logger[metadataKey: "trigger"] = "schedule"
        let scoped = logger.with(["run": "2"])
        scoped.warning("x", id: .runAborted, metadata: ["rule": "b"])
        let entry = try! #require(memory.entries.first)
        #expect(entry.metadata == ["rule": "b", "run": "2", "trigger": "schedule"])
        #expect(entry.messageID == .runAborted)
        #expect(entry.label == "threadkeeper")
        #expect(entry.source?.file == "JournalTests/LoggerTests.swift")
        #expect(memory.entries(withID: .runAborted).count == 1)
        #expect(memory.entries(withID: .runStarted).isEmpty)
    }

    @Test func multiplexerSendsToEveryHandlerInOrder() {
        let first = InMemoryLogHandler()
        let second = InMemoryLogHandler()
        let logger = Logger(handler: MultiplexLogHandler([first, second]))
        logger.error("boom")
        #expect(first.entries.map(\.message) == ["boom"])
        #expect(second.entries.map(\.message) == ["boom"])
    }
}
