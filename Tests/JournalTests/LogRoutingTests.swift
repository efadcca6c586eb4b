import Testing

@testable import Journal

@Suite struct LogRoutingTests {
    @Test(arguments: [
        // target, format, journal answers, stderr is a terminal → journal, stderr format
        (LogRouting.Target.auto, StderrHandler.Format.text, true, true, true, StderrHandler.Format?.some(.text)),
        (.auto, .text, true, false, true, nil),
        (.auto, .json, true, false, true, .json),
        (.auto, .text, false, false, false, .text),
        (.auto, .json, false, true, false, .json),
        (.journal, .text, false, true, true, nil),
        (.stderr, .json, true, false, false, .json),
        (.stderr, .text, true, true, false, .text),
    ])
    func routing(
        target: LogRouting.Target, format: StderrHandler.Format, journalAnswers: Bool, terminal: Bool,
        journal: Bool, stderr: StderrHandler.Format?
    ) {
        let routing = LogRouting.resolve(target: target, format: format, journalAnswers: journalAnswers, stderrIsTerminal: terminal)
        #expect(routing == LogRouting(journal: journal, stderr: stderr))
    }

    @Test func handlersMatchTheRouting() {
        #expect(LogRouting(journal: false, stderr: nil).makeHandler() is NullLogHandler)
        #expect(LogRouting(journal: false, stderr: .json).makeHandler() is StderrHandler)
        let journalOnly = LogRouting(journal: true, stderr: nil).makeHandler() as? JournalHandler
        #expect(journalOnly?.fallback is StderrHandler)
        let both = LogRouting(journal: true, stderr: .text).makeHandler() as? MultiplexLogHandler
        #expect(both?.handlers.count == 2)
        #expect(both?.handlers.first is JournalHandler)
        #expect((both?.handlers.first as? JournalHandler)?.fallback == nil)
    }
}
