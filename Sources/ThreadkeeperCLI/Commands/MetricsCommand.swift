import CommandLineKit
import Executor
import Foundation
import Ledger

/// `threadkeeper metrics`: the metrics file's content on stdout.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the metrics node_exporter's textfile collector reads (threadkeeper.prom) to stdout.",
        discussion: """
            Prints the Prometheus text format the daemon, 'run' and 'import' write to \
            [Metrics] TextfileDirectory=/threadkeeper.prom: threads by state and kind, runs by \
            rule and status, actions by action and outcome, each rule's last finished run (start, \
            duration, exit code), each rule's backlog (the threads it matches now, as 'plan' counts \
            them) and the age of the newest audit chain head. Request counters (by HTTP status, \
            429s, retries, breaker openings) belong to a process that sends requests: the daemon's \
            file has them, summed over its life; this command sends none and prints none. Reads \
            only; safe beside a running daemon.

            Examples:
              threadkeeper metrics
              threadkeeper metrics | promtool check metrics
              threadkeeper metrics --write     (also replace the file in TextfileDirectory=)
            """,
        options: [
            OptionSpec.flag("--write", help: "Also write the file to [Metrics] TextfileDirectory= (atomically)."),
            OptionSpec.flag("--quiet", help: "With --write, print nothing."),
        ],
        exitCodes: [
            (.success, "success"),
            (.usage, "bad usage, or --write without [Metrics] TextfileDirectory="),
            (.dataError, "the config file has errors"),
            (.noInput, "there is no ledger at the path"),
            (.ioError, "the ledger is unreadable, or the metrics file cannot be written"),
        ])

    var write: Bool
    var quiet: Bool

    init(arguments: ParsedArguments) throws {
        write = arguments.flag("--write")
        quiet = arguments.flag("--quiet")
        if quiet && !write { throw UsageError("--quiet goes with --write", command: "threadkeeper metrics") }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let configuration = try context.loadConfiguration()
        var directory: String?
        if write {
            guard let configured = configuration.metricsDirectory.value else {
                throw UsageError(
                    "--write needs [Metrics] TextfileDirectory= in the config file \(context.configurationPath)",
                    command: "threadkeeper metrics")
            }
            directory = configured
        }
        let ledger = try context.openLedger(configuration, readOnly: true)
        let (text, failures) = try MetricsPublisher.render(
            configuration: configuration, rulesDirectory: context.rulesDirectory(for: configuration), ledger: ledger,
            requests: nil)
        for failure in failures { context.warn("the backlog of \(failure) is left out") }
        if let directory {
            do {
                try MetricsTextfile(directory: directory).replace(with: text)
            } catch {
                throw CommandFailure("\(error)", exitCode: .ioError)
            }
        }
        if !quiet { context.standardOutput.write(text) }
        return .success
    }
}
