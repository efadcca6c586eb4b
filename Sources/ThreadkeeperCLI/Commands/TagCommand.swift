import CommandLineKit
import Foundation
import Ledger
import ThreadsAPI

/// `threadkeeper tag ID KEY=VALUE…`: set metadata keys of a thread.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Set metadata keys of a thread (recorded in the ledger's actions).",
        discussion: """
            Reads the thread, merges the pairs into its metadata, checks the API's limits (16 keys, \
            keys up to 64 characters, values up to 512), then sends the whole metadata. The change \
            is recorded as a manual action: the intent before the call, the outcome after.
            """,
        options: [OptionSpec.flag("--json", help: "Print the thread object after the change."), ObjectChoice.option, APIOptions.baseURL],
        positionals: [
            PositionalSpec("ID", help: "The thread id."),
            PositionalSpec("KEY=VALUE", variadic: true, help: "Metadata pairs to set."),
        ],
        exitCodes: [
            (.success, "the metadata was set (or already so)"),
            (.failure, "the API refused the change, or the thread is gone"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad thread id or config file, or metadata over the API's limits"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down)"),
            (.ioError, "the ledger cannot be written"),
        ])

    var id: String
    var pairs: [String: String]
    var json: Bool
    var baseURL: String?
    var arguments: [String]
    var object: ObjectKind?

    init(arguments: ParsedArguments) throws {
        id = arguments.positionals[0]
        pairs = try APICommandSupport.metadataPairs(Array(arguments.positionals.dropFirst()), command: arguments.commandPath)
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
        object = try ObjectChoice.stated(arguments)
        self.arguments = arguments.positionals
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let pairs = self.pairs
        return try await MetadataChange(
            action: "tag", threadID: id, commandLine: (["threadkeeper", "tag"] + arguments).joined(separator: " "),
            object: object, change: { $0.merging(pairs) { _, new in new } }
        ).run(context, baseURL: baseURL, json: json)
    }
}
