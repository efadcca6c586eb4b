import CommandLineKit
import Foundation
import JSON
import Ledger

/// `threadkeeper import [FILE|-]`: add threads to the ledger's inventory.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import threads into the ledger from JSONL, CSV or a list of ids.",
        discussion: """
            The Threads API cannot list threads, so the ledger learns them from files. FILE (or \
            '-' for stdin, the default) holds one of:
              jsonl  thread or conversation objects as the API returns them, one a line
              csv    a header naming the columns (id,created_at,metadata, optionally object), \
            then one thread a line
              ids    one thread id a line ('#' starts a comment)
            A row is a conversation when its "object" (or CSV object or kind column) says \
            conversation, or when nothing says and its id starts with conv_; else a thread.
            The format is detected from the first line unless --format says (a first line with a \
            comma is a CSV header, which must name an 'id' column). created_at is Unix seconds or \
            a timestamp as rules write them: 2025-12-06 01:51:17 (UTC), 2025-12-06T01:51:17Z, \
            2025-12-06T03:51:17+02:00. Importing again updates created_at and metadata and never \
            duplicates a thread; a deleted thread stays deleted. A thread without created_at has \
            an unknown age, and no age rule matches it until 'threadkeeper sync' reads created_at \
            from the API: run it after importing bare ids. Each bad line is reported as FILE:LINE: reason and skipped; with --strict nothing \
            is written if any line is bad. Threads are staged in a temporary table, then merged into \
            the ledger in one transaction: the ledger gets every good line or, on an error such as a \
            full disk, none. Memory stays flat for any input size.

            With --spool DIR, every complete file in DIR is imported, oldest first (modification \
            time, then name), each in its own transaction and as with --strict, then moved to \
            DIR/done/, or to DIR/failed/ with FILE.err beside it naming each bad line and why. A \
            writer writes a dot-file or NAME.tmp and renames it into DIR when it is complete; a \
            file that does not end in a newline (or is empty) is left for the next pass. Each pass \
            claims a file by renaming it into a locked DIR/.claimed-PID-N/ first, so concurrent \
            passes never import a file twice; the files of a pass that died are put back and \
            imported again (without duplicates: the ledger is keyed by id).
            """,
        options: [
            OptionSpec(
                "--format", value: "FORMAT", allowed: ImportFormat.allCases.map(\.rawValue),
                help: "Input format: jsonl, csv or ids (default: detect)."),
            OptionSpec.flag("--strict", help: "Write nothing if any line is bad."),
            OptionSpec("--batch-size", value: "N", help: "Threads per transaction while staging (default 10000)."),
            OptionSpec.flag("--json", help: "Print the summary as a JSON object."),
            OptionSpec(
                "--spool", value: "DIR",
                help: "Import every complete file in DIR, oldest first, then move it to DIR/done/ or DIR/failed/."),
        ],
        positionals: [PositionalSpec("FILE", optional: true, help: "The file to import, or '-' for stdin (default).")],
        examples: [
            ("threadkeeper import threads.jsonl", "thread objects as the API returns them"),
            (
                "sqlite3 -csv -header app.db \"SELECT thread_id AS id, created_at FROM conversations\" | threadkeeper import -",
                "ids and dates straight from an application's database"
            ),
            ("threadkeeper import ids.txt && threadkeeper sync", "bare ids, then their created_at and metadata from the API"),
            ("threadkeeper import --spool /var/lib/threadkeeper/spool", "every complete file applications dropped there"),
        ],
        exitCodes: [
            (.success, "every line was imported"),
            (.failure, "some lines were bad and skipped (the rest was imported); --spool: some files went to failed/"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "--strict and a bad line: nothing was written"),
            (.noInput, "FILE (or the spool DIR) is missing or unreadable"),
            (.ioError, "the ledger is unreadable, corrupt, read-only or its disk is full"),
            (.temporaryFailure, "another process held the ledger locked too long"),
        ])

    /// How many bad lines are printed before the rest are only counted.
    static let reportedBadLines = 100

    var file: String
    var format: ImportFormat?
    var strict: Bool
    var batchSize: Int
    var json: Bool
    var spool: String?

    init(arguments: ParsedArguments) throws {
        file = arguments.positional(0) ?? "-"
        spool = arguments.value("--spool")
        if spool != nil, arguments.positional(0) != nil {
            throw CommandFailure("--spool DIR imports the files in DIR; name no FILE with it", exitCode: .usage)
        }
        format = arguments.value("--format").flatMap(ImportFormat.init(rawValue:))
        strict = arguments.flag("--strict")
        batchSize = try arguments.integer("--batch-size", minimum: 1) ?? 10_000
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        if let spool { return try runSpool(spool, context) }
        let name = file == "-" ? "stdin" : file
        let descriptor = try openInput()
        defer { if file != "-" { close(descriptor) } }
        let configuration = try context.loadConfiguration()
        let ledger = try context.openLedger(configuration)
        let reader = ImportReader(descriptor: descriptor, path: name, format: format)
        // In a terminal, a bar of the file read so far, then a line while the ledger is written.
        let progress = ProgressBar(label: "import", total: Self.size(of: descriptor), unit: .bytes, output: context.standardError)
        var skipped = 0
        var read = 0
        struct BadLinesInStrictMode: Error {}
        let counts: ImportCounts
        do {
            defer { progress.finish() }
            counts = try ledger.importThreads(batchSize: batchSize) { emit in
                try reader.read(
                    onThread: { record in
                        try emit(record)
                        read += 1
                        if read % 4_096 == 0 { progress.update(done: reader.bytesRead) }
                    },
                    onBad: { line, reason in
                        skipped += 1
                        guard skipped <= Self.reportedBadLines else { return }
                        progress.show("")
                        context.standardError.line("\(name):\(line): \(reason)")
                    })
                if strict, skipped > 0 { throw BadLinesInStrictMode() }
                progress.show("import: read \(read) threads; writing them to the ledger")
            }
        } catch is BadLinesInStrictMode {
            reportHiddenBadLines(skipped, context)
            throw CommandFailure(
                "\(skipped) bad line\(skipped == 1 ? "" : "s") in '\(name)'; --strict: nothing was imported",
                exitCode: .dataError)
        }
        reportHiddenBadLines(skipped, context)
        MetricsPublisher.publish(
            configuration: configuration, rulesDirectory: context.rulesDirectory(for: configuration), ledger: ledger,
            requests: nil, warn: context.warn)
        if json {
            let object: JSONValue = [
                "imported": .init(counts.imported), "updated": .init(counts.updated), "unchanged": .init(counts.unchanged),
                "skipped": .init(skipped), "format": .init(reader.format?.rawValue), "ledger": .init(ledger.path),
            ]
            context.print(JSONText.encode(object))
        } else {
            context.print(
                "imported \(counts.imported), updated \(counts.updated), unchanged \(counts.unchanged), skipped \(skipped)"
                    + " (\(reader.format?.rawValue ?? "empty input") into \(ledger.path))")
        }
        return skipped > 0 ? .failure : .success
    }

    /// The size of a regular file behind `descriptor`, 0 for a pipe or a terminal.
    private static func size(of descriptor: Int32) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return 0 }
        return Int(info.st_size)
    }

    private func reportHiddenBadLines(_ skipped: Int, _ context: CommandContext) {
        if skipped > Self.reportedBadLines {
            context.standardError.line("… and \(skipped - Self.reportedBadLines) more bad lines")
        }
    }

    /// Opens FILE for reading (stdin for '-'); a missing or unreadable file is exit 66.
    private func openInput() throws -> Int32 {
        if file == "-" { return STDIN_FILENO }
        var info = stat()
        if stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw LedgerError(.inputUnavailable, "cannot import '\(file)': it is a directory; name a file", path: file)
        }
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            throw LedgerError(.inputUnavailable, "cannot open '\(file)': \(reason)", path: file)
        }
        return descriptor
    }
}
