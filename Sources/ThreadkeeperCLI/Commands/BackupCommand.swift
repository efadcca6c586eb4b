import CommandLineKit
import Foundation
import JSON
import Ledger

/// `threadkeeper backup DEST`: an online, consistent copy of the ledger.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the ledger to DEST with SQLite's online backup API, safe while the daemon writes.",
        discussion: """
            The copy is one consistent snapshot, written to a temporary file beside DEST (mode 0600), \
            checked with PRAGMA quick_check, and renamed over DEST: DEST is always either the old \
            file or a whole new copy. A DEST that is a directory receives a file named like the ledger. \
            The copy is a plain SQLite file (no -wal) that any SQLite client, or --ledger, can open.
            """,
        options: [OptionSpec.flag("--json", help: "Print the result as a JSON object.")],
        positionals: [PositionalSpec("DEST", help: "The backup file (or a directory for it).")],
        exitCodes: [
            (.success, "the backup was written and checks ok"),
            (.usage, "bad usage: missing DEST, unknown option"),
            (.noInput, "there is no ledger at the path"),
            (.ioError, "the ledger is unreadable, DEST cannot be written, or its disk is full"),
        ])

    var destination: String
    var json: Bool

    init(arguments: ParsedArguments) throws {
        destination = arguments.positional(0) ?? ""
        json = arguments.flag("--json")
    }

    func validate() throws {
        if destination.isEmpty { throw UsageError("DEST must not be empty", command: "threadkeeper backup") }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ledger = try context.openLedger(readOnly: true)
        var target = destination
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            target = (target as NSString).appendingPathComponent((ledger.path as NSString).lastPathComponent)
        }
        var ledgerInfo = stat()
        var targetInfo = stat()
        if stat(ledger.path, &ledgerInfo) == 0, stat(target, &targetInfo) == 0, ledgerInfo.st_dev == targetInfo.st_dev,
            ledgerInfo.st_ino == targetInfo.st_ino
        {
            throw CommandFailure("'\(target)' is the ledger itself; name another file", exitCode: .usage)
        }
        try ledger.backup(to: target)
        let copy = try Ledger(path: target, readOnly: true)
        let check = try copy.integrityCheck()
        guard check == "ok" else {
            throw LedgerError(.corrupt, "the backup '\(target)' fails its integrity check: \(check)", path: target)
        }
        let size = copy.fileSize()
        if json {
            let object: JSONValue = [
                "ledger": .init(ledger.path), "backup": .init(target), "bytes": .init(size), "integrity": .init(check),
            ]
            context.print(JSONText.encode(object))
        } else {
            context.print("backed up \(ledger.path) to \(target) (\(TimeFormatting.bytes(size)), integrity ok)")
        }
        return .success
    }
}
