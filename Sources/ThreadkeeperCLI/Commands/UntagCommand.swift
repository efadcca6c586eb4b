import CommandLineKit
import Foundation
import Ledger
import ThreadsAPI

/// `threadkeeper untag ID KEY…`: remove metadata keys of a thread.
struct UntagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "untag",
        abstract: "Remove metadata keys of a thread (recorded in the ledger's actions).",
        discussion: """
            Reads the thread, drops the keys from its metadata and sends the rest. Keys the thread \
            does not have are ignored; when none of them is there nothing is sent or recorded.
            """,
        options: [OptionSpec.flag("--json", help: "Print the thread object after the change."), ObjectChoice.option, APIOptions.baseURL],
        positionals: [
            PositionalSpec("ID", help: "The thread id."),
            PositionalSpec("KEY", variadic: true, help: "Metadata keys to remove."),
        ],
        exitCodes: [
            (.success, "the keys are gone (or were never there)"),
            (.failure, "the API refused the change, or the thread is gone"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad thread id or config file"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down)"),
            (.ioError, "the ledger cannot be written"),
        ])

    var id: String
    var keys: [String]
    var json: Bool
    var baseURL: String?
    var object: ObjectKind?

    init(arguments: ParsedArguments) throws {
        id = arguments.positionals[0]
        keys = Array(arguments.positionals.dropFirst())
        if let bad = keys.first(where: { $0.isEmpty || $0.contains("=") }) {
            throw UsageError("'\(bad)' is not a metadata key; give keys without values", command: arguments.commandPath)
        }
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
        object = try ObjectChoice.stated(arguments)
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let keys = Set(self.keys)
        return try await MetadataChange(
            action: "untag", threadID: id, commandLine: (["threadkeeper", "untag", id] + self.keys).joined(separator: " "),
            object: object, change: { $0.filter { !keys.contains($0.key) } }
        ).run(context, baseURL: baseURL, json: json)
    }
}
