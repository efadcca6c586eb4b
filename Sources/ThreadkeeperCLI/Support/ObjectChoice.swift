import CommandLineKit
import Executor
import Ledger
import ThreadsAPI

/// Which kind of object a command works on: `--object`, else what the ledger knows of the
/// id, else the id's prefix (`conv_…` is a conversation, any other id a thread).
enum ObjectChoice {
    static let option = OptionSpec(
        "--object", value: "KIND",
        help: "thread or conversation; without it, the ledger's row decides, else a conv_… id is a conversation.")

    /// The `--object` value, nil when not given; a usage error for any other word.
    static func stated(_ arguments: ParsedArguments) throws -> ObjectKind? {
        guard let text = arguments.value("--object") else { return nil }
        guard let kind = ObjectKind(rawValue: text) else {
            throw UsageError("option '--object' expects thread or conversation, got '\(text)'", command: arguments.commandPath)
        }
        return kind
    }

    /// The kind of `id`.
    static func kind(of id: String, stated: ObjectKind?, known: ThreadRecord?) -> ObjectKind {
        stated ?? known?.object ?? .inferred(from: id)
    }

    /// Stops before any call when the provider does not serve `kind` (threads on `Provider=openai`): exit 69.
    static func checkServed(_ kind: ObjectKind, by client: ThreadsClient) throws {
        if kind == .thread, let refusal = client.configuration.provider.threadsRefusal {
            throw CommandFailure(refusal, exitCode: .unavailable)
        }
    }

    /// Runs the read-only probe of `kind`'s collection; a failure stops the command before any change.
    static func probe(_ kind: ObjectKind, by client: ThreadsClient) async throws {
        do {
            try await client.probe(APIObjectKind(kind))
        } catch let error as APIError {
            throw ExecutorError.probeFailed(error)
        }
    }
}
