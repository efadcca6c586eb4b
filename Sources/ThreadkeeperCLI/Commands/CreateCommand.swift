import Executor
import Foundation
import Ledger
import ThreadsAPI

/// `threadkeeper create`: a new thread (or, with `--object conversation`, a conversation) at
/// the API, recorded in the ledger.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a thread or a conversation at the API and record it in the ledger (source=create).",
        discussion: """
            Metadata is checked against the API's limits (16 keys, keys up to 64 characters, \
            values up to 512) before anything is sent. Prints the new thread's id, or the thread \
            object with --json.
            """,
        options: [
            OptionSpec("--metadata", value: "KEY=VALUE", repeatable: true, help: "A metadata pair of the new thread."),
            OptionSpec("--message", value: "TEXT", repeatable: true, help: "A first user message (a conversation's first items)."),
            OptionSpec(
                "--object", value: "KIND", help: "thread (the default) or conversation: which kind of object to create."),
            OptionSpec.flag("--json", help: "Print the thread object as the API returned it."),
            APIOptions.baseURL,
        ],
        exitCodes: [
            (.success, "the thread was created and recorded"),
            (.failure, "the API refused the thread"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad config file or metadata over the API's limits"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down)"),
            (.ioError, "the ledger cannot be written"),
        ])

    var metadata: [String: String]
    var messages: [String]
    var json: Bool
    var baseURL: String?
    var object: ObjectKind

    init(arguments: ParsedArguments) throws {
        object = try ObjectChoice.stated(arguments) ?? .thread
        metadata = try APICommandSupport.metadataPairs(arguments.values("--metadata"), command: arguments.commandPath)
        messages = arguments.values("--message")
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        try MetadataLimits.validate(metadata)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        try ObjectChoice.checkServed(object, by: client)
        try await ObjectChoice.probe(object, by: client)
        let created =
            object == .conversation
            ? try await client.createConversation(
                items: messages.map {
                    .object(["type": .string("message"), "role": .string("user"), "content": .string($0)])
                }, metadata: metadata)
            : try await client.createThread(messages: messages.map { NewMessage(content: $0) }, metadata: metadata)
        let thread = created.value
        let now = ledger.now()
        try ledger.save(
            ThreadRecord(
                id: thread.id, createdAt: thread.createdAt, metadata: thread.metadata, state: .live, source: .create,
                firstSeen: now, lastSynced: now, lastActivity: messages.isEmpty ? nil : thread.createdAt, object: object))
        context.print(json ? try APICommandSupport.json(thread) : thread.id)
        return .success
    }
}
