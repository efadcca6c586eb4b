import Foundation

/// Where events go, decided once per process from `--log-target` and `--log-format`.
///
/// `auto`: to journald whenever its socket answers (also for commands started by hand, so
/// one-off cleanups reach the same log shippers), plus readable lines on stderr when stderr is a
/// terminal or JSON lines were asked for; to stderr alone when journald does not answer.
public struct LogRouting: Sendable, Equatable {
    public enum Target: String, Sendable, CaseIterable {
        case journal
        case stderr
        case auto
    }

    /// Whether entries go to journald.
    public var journal: Bool
    /// The stderr format, or nil for no stderr copy.
    public var stderr: StderrHandler.Format?

    public init(journal: Bool, stderr: StderrHandler.Format?) {
        self.journal = journal
        self.stderr = stderr
    }

    /// The routing for the given options and facts about the process.
    public static func resolve(
        target: Target, format: StderrHandler.Format, journalAnswers: Bool, stderrIsTerminal: Bool
    ) -> LogRouting {
        switch target {
        case .journal: return LogRouting(journal: true, stderr: nil)
        case .stderr: return LogRouting(journal: false, stderr: format)
        case .auto:
            guard journalAnswers else { return LogRouting(journal: false, stderr: format) }
            return LogRouting(journal: true, stderr: stderrIsTerminal || format == .json ? format : nil)
        }
    }

    /// Resolves against this process: the journal socket and whether fd 2 is a terminal.
    public static func resolve(target: Target, format: StderrHandler.Format) -> LogRouting {
        resolve(
            target: target, format: format, journalAnswers: JournalSocket.isAnswering(),
            stderrIsTerminal: isatty(STDERR_FILENO) == 1)
    }

    /// The handler carrying out this routing; stderr lines go to `sink` (default: fd 2). With
    /// `--log-target journal` and no journald, entries fall back to stderr text rather than vanish.
    /// `journalFields` go with every journal entry (`JournalHandler.processFields(environment:)`).
    public func makeHandler(
        journalFields: [(name: String, value: String)] = [], sink: (@Sendable (String) -> Void)? = nil
    ) -> any LogHandler {
        func stderrHandler(_ format: StderrHandler.Format) -> StderrHandler {
            sink.map { StderrHandler(format: format, sink: $0) } ?? StderrHandler(format: format)
        }
        let terminal = stderr.map(stderrHandler)
        guard journal else { return terminal ?? NullLogHandler() }
        let journalHandler = JournalHandler(
            processFields: journalFields, fallback: terminal == nil ? stderrHandler(.text) : nil)
        guard let terminal else { return journalHandler }
        return MultiplexLogHandler([journalHandler, terminal])
    }
}
