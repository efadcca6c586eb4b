import CommandLineKit
import Executor
import Foundation
import JSON
import Ledger

/// `threadkeeper archive show THREAD_ID`: print what was archived before a thread was deleted.
struct ArchiveShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive show",
        abstract: "Print the archive of a deleted thread: the thread and its messages as they were.",
        discussion: """
            Rules with Archive=yes save each thread and all its messages before deleting it: one \
            gzip-compressed JSON document per thread under $STATE_DIRECTORY/archive/ (else an \
            'archive' directory beside the ledger), named THREAD_ID.json.gz and readable with \
            'zcat' too. The document holds the API's answers byte for byte: the thread under \
            "thread", every page of its messages under "message_pages". This command prints the \
            document exactly as stored, or a readable transcript with --text. Archives written \
            before format 2 (the thread and messages as threadkeeper re-encoded them) print as \
            indented JSON.
            """,
        options: [
            OptionSpec.flag("--text", help: "Print a readable transcript instead of JSON."),
            OptionSpec("--archive-dir", value: "DIR", help: "Read archives from DIR instead of the default."),
        ],
        positionals: [PositionalSpec("THREAD_ID", help: "The id of the archived thread.")],
        examples: [
            ("threadkeeper archive show thread_abc123", "what was saved before a thread was deleted")
        ],
        exitCodes: [
            (.success, "success"),
            (.usage, "bad usage"),
            (.dataError, "a bad thread id or config file"),
            (.noInput, "no archive for this thread"),
            (.ioError, "the archive is unreadable or damaged"),
        ])

    var threadID: String
    var text: Bool
    var directory: String?

    init(arguments: ParsedArguments) throws {
        threadID = arguments.positionals[0]
        text = arguments.flag("--text")
        directory = arguments.value("--archive-dir")
    }

    func validate() throws {
        let allowed = threadID.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
        }
        guard allowed, !threadID.isEmpty, threadID.count <= 128 else {
            throw UsageError(
                "thread id '\(threadID)' may hold only letters, digits, '_' and '-'", command: "threadkeeper archive show")
        }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let archiveDirectory: String
        if let directory {
            archiveDirectory = directory
        } else {
            let configuration = try context.loadConfiguration()
            archiveDirectory = ArchiveStore.defaultDirectory(
                ledgerPath: context.ledgerPath(for: configuration), environment: context.environment)
        }
        let bytes = try ArchiveStore(directory: archiveDirectory).read(threadID: threadID)
        let archive = try ThreadArchive.decode(bytes)
        if text, archive.object == "conversation" {
            printConversation(archive, context)
            return .success
        }
        if text {
            context.print("thread \(archive.thread.id), created \(TimeFormatting.utc(archive.thread.createdAt))")
            let metadata = archive.thread.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            context.print("metadata: \(metadata.isEmpty ? "none" : metadata.joined(separator: ", "))")
            context.print("archived \(TimeFormatting.utc(archive.archivedAt)) by rule '\(archive.rule)', run \(archive.run)")
            context.print("\(archive.messages.count) message\(archive.messages.count == 1 ? "" : "s"):")
            for message in archive.messages {
                context.print("")
                context.print("[\(TimeFormatting.utc(message.createdAt))] \(message.role):")
                for part in message.content {
                    if let text = part.text {
                        context.print(text)
                    } else if part.type == "refusal", let words = part.reference {
                        context.print("[refusal] " + words)
                    } else {
                        context.print("[\(part.type)\(part.reference.map { " " + $0 } ?? "")]")
                    }
                }
            }
            return .success
        }
        guard archive.format == 1 else {
            // The answers as received: any re-encoding would reorder keys and rewrite numbers.
            context.print(String(decoding: bytes.last == UInt8(ascii: "\n") ? bytes.dropLast() : bytes[...], as: UTF8.self))
            return .success
        }
        let document: JSONValue
        do { document = try JSONParser.parse(bytes, limits: JSONLimits(depth: 512)) } catch {
            throw CommandFailure("the archive of '\(threadID)' is not JSON: \(error.locatedDescription)", exitCode: .dataError)
        }
        context.print(JSONWriter.text(document, [.prettyPrinted, .sortedKeys]))
        return .success
    }

    /// A conversation's archive as text: its items in order, each with its role and text parts.
    private func printConversation(_ archive: ThreadArchive, _ context: CommandContext) {
        context.print("conversation \(archive.thread.id), created \(TimeFormatting.utc(archive.thread.createdAt))")
        let metadata = archive.thread.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        context.print("metadata: \(metadata.isEmpty ? "none" : metadata.joined(separator: ", "))")
        context.print("archived \(TimeFormatting.utc(archive.archivedAt)) by rule '\(archive.rule)', run \(archive.run)")
        context.print("\(archive.items.count) item\(archive.items.count == 1 ? "" : "s"):")
        for item in archive.items {
            guard case .object = item else { continue }
            let type = item["type"]?.stringValue ?? "item"
            context.print("")
            context.print(type == "message" ? "\(item["role"]?.stringValue ?? "?"):" : "[\(type)]")
            guard case .array(let parts)? = item["content"] else { continue }
            for part in parts {
                guard case .object = part else { continue }
                if let words = part["text"]?.stringValue ?? part["refusal"]?.stringValue {
                    context.print(words)
                } else {
                    context.print("[\(part["type"]?.stringValue ?? "part")]")
                }
            }
        }
    }
}
