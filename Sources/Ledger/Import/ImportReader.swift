/// Reads an import file line by line and hands over each thread or each bad line.
public final class ImportReader {
    public let path: String
    private let lines: LineReader
    /// The format given, or the one detected from the first non-blank line.
    public private(set) var format: ImportFormat?

    /// Reads from `descriptor`; `format` nil means detect it.
    public init(descriptor: Int32, path: String, format: ImportFormat? = nil) {
        self.path = path
        self.lines = LineReader(descriptor: descriptor, path: path)
        self.format = format
    }

    /// Bytes read from the input so far, for a progress display.
    public var bytesRead: Int { lines.bytesRead }

    /// Calls `onThread` for each thread and `onBad` with the line number and reason of each bad line.
    public func read(onThread: (ThreadImport) throws -> Void, onBad: (Int, String) throws -> Void) throws {
        var parser = format.map(ImportLineParser.init(format:))
        try lines.forEachLine { line, number, cutShort in
            if cutShort {
                try onBad(number, "line longer than \(lines.maximumLineLength) bytes")
                return true
            }
            if parser == nil {
                guard !ImportLineParser.trimmed(line).isEmpty else { return true }
                let detected = ImportLineParser.detect(line)
                format = detected
                parser = ImportLineParser(format: detected)
            }
            switch parser!.parse(line) {
            case .thread(let record): try onThread(record)
            case .blank: break
            case .bad(let reason):
                // Without its header no line of a CSV file can be read: one error, not one a line.
                guard parser!.hasHeader else { throw LedgerError(.badInput, "\(path):\(number): \(reason)", path: path) }
                try onBad(number, reason)
            }
            return true
        }
    }
}

/// What an import did.
public struct ImportCounts: Sendable, Hashable {
    /// Threads new to the ledger.
    public var imported = 0
    /// Known threads whose created_at or metadata changed.
    public var updated = 0
    /// Known threads the file says nothing new about.
    public var unchanged = 0

    public init(imported: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.imported = imported
        self.updated = updated
        self.unchanged = unchanged
    }

    public var total: Int { imported + updated + unchanged }
}
