import CommandLineKit
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
            values up to 512) before anything is sent. The intent is in the ledger (a run of rule \
            'manual') before the POST and its outcome, naming the new thread, after it; a create \
            whose answer was lost is recorded as failed, saying a thread may exist. Prints the new \
            thread's id, or the thread object with --json.
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
        // The intent is on disk before the POST: a crash or a lost answer leaves an open or
        // failed `create` in the ledger saying an object may exist that the ledger does not know.
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command =
            ["threadkeeper", "create"] + (object == .thread ? [] : ["--object", object.rawValue])
            + pairs.flatMap { ["--metadata", $0] }
            + Array(repeating: ["--message", "…"], count: messages.count).flatMap { $0 }
        let run = try ManualRun.begin(ledger, commandLine: command.joined(separator: " "), matched: 1, logger: context.makeLogger())
        let reason =
            "manual: threadkeeper create (metadata: \(pairs.isEmpty ? "none" : pairs.joined(separator: ", ")); \(messages.count) message\(messages.count == 1 ? "" : "s"))"
        let actionID = try run.intend([ActionIntent(threadID: "", action: "create", reason: reason, object: object)])[0]
        let created: APIResponse<ThreadObject>
        do {
            created =
                object == .conversation
                ? try await client.createConversation(
                    items: messages.map {
                        ["type": "message", "role": "user", "content": .string($0)]
                    }, metadata: metadata)
                : try await client.createThread(messages: messages.map { NewMessage(content: $0) }, metadata: metadata)
        } catch let error as APIError {
            try run.settle([
                ActionSettlement(
                    actionID: actionID, outcome: .failed, httpStatus: error.status, requestID: error.requestID,
                    attempts: error.attempts, error: error.message)
            ])
            try run.finish(error.kind == .notTheAPI ? .aborted : .completed)
            throw error
        }
        let thread = created.value
        let now = ledger.now()
        try run.settle([
            ActionSettlement(
                actionID: actionID, outcome: .ok, httpStatus: created.status, requestID: created.requestID,
                attempts: created.attempts, error: "created \(thread.id)",
                created: ThreadRecord(
                    id: thread.id, createdAt: thread.createdAt, metadata: thread.metadata, state: .live, source: .create,
                    firstSeen: now, lastSynced: now, lastActivity: messages.isEmpty ? nil : thread.createdAt, object: object))
        ])
        try run.finish(.completed)
        context.print(json ? try APICommandSupport.json(thread) : thread.id)
        return .success
    }
}
