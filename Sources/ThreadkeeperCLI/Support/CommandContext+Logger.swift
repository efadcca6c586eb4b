import CommandLineKit
import Journal

extension CommandContext {
    /// The event logger of a command that acts, routed by `--log-target` and `--log-format`.
    ///
    /// `auto` (the default) sends entries to journald whenever its socket answers, also when
    /// the command was started by hand, and copies them to stderr as readable lines when stderr
    /// is a terminal (as JSON lines with `--log-format json`); without journald they go to
    /// stderr. Commands pass this logger down to the modules that emit events.
    public func makeLogger(label: String = "threadkeeper", level: Logger.Level = .info) -> Logger {
        let routing = LogRouting.resolve(
            target: LogRouting.Target(rawValue: shared.logTarget) ?? .auto,
            format: StderrHandler.Format(rawValue: shared.logFormat) ?? .text,
            journalAnswers: JournalSocket.isAnswering(), stderrIsTerminal: standardError.isTerminal)
        let output = standardError
        let handler = routing.makeHandler { line in
            // Log lines are not held back behind buffered output: each is written at once.
            output.write(line)
            output.flush()
        }
        return Logger(label: label, handler: handler, logLevel: level)
    }
}
