import CommandLineKit
import Ledger

/// `threadkeeper export`: the inventory as JSONL or CSV on stdout.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the ledger's inventory to stdout as JSONL or CSV, oldest first.",
        discussion: """
            jsonl writes thread objects as the API returns them ({"id","object","created_at","metadata"}), \
            which 'threadkeeper import' reads back. csv writes a header and the columns \
            id,created_at,metadata,state,source,first_seen,last_synced,last_activity. Rows are \
            streamed: memory stays flat for any inventory.
            """,
        options: [
            OptionSpec("--format", value: "FORMAT", allowed: ExportFormat.allCases.map(\.rawValue), help: "jsonl (default) or csv."),
            OptionSpec(
                "--state", value: "STATE", allowed: ThreadState.allCases.map(\.rawValue) + ["all"],
                help: "Which threads: live, deleted, gone or all (default)."),
        ],
        exitCodes: [
            (.success, "success"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.noInput, "there is no ledger at the path"),
            (.ioError, "the ledger is unreadable or corrupt"),
        ])

    var format: ExportFormat
    var states: [ThreadState]?

    init(arguments: ParsedArguments) throws {
        format = arguments.value("--format").flatMap(ExportFormat.init(rawValue:)) ?? .jsonl
        states = arguments.value("--state").flatMap(ThreadState.init(rawValue:)).map { [$0] }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ledger = try context.openLedger(readOnly: true)
        try ledger.export(states: states, format: format) { context.standardOutput.line($0) }
        return .success
    }
}
