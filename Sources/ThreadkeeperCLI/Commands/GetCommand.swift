import CommandLineKit
import Foundation
import Ledger
import ThreadsAPI

/// `threadkeeper get ID`: a thread or a conversation as the API has it now.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a thread or a conversation as the API has it now.",
        discussion: "Reads from the API only; the ledger is not touched (use 'sync' to refresh it).",
        options: [
            OptionSpec.flag("--json", help: "Print the thread object as the API returned it."),
            ObjectChoice.option,
            APIOptions.baseURL,
        ],
        positionals: [PositionalSpec("ID", help: "The thread id, e.g. thread_abc123, or a conversation's, conv_abc123.")],
        exitCodes: [
            (.success, "success"),
            (.failure, "the API has no such thread (404) or refused the call"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad thread id or config file"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down)"),
        ])

    var id: String
    var json: Bool
    var baseURL: String?
    var object: ObjectKind?

    init(arguments: ParsedArguments) throws {
        id = arguments.positionals[0]
        object = try ObjectChoice.stated(arguments)
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        try ThreadID.validate(id)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let kind = ObjectChoice.kind(of: id, stated: object, known: nil)
        try ObjectChoice.checkServed(kind, by: client)
        let thread = try await client.retrieve(APIObjectKind(kind), id).value
        if json {
            context.print(try APICommandSupport.json(thread))
        } else {
            context.print("id:        \(thread.id)")
            context.print("created:   \(TimeFormatting.utc(thread.createdAt))")
            context.print("metadata:  \(APICommandSupport.describe(thread.metadata))")
        }
        return .success
    }
}
