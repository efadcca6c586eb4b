/// Everything that can go wrong with the ledger file, with enough context to act on it.
///
/// As in GRDB, an error from SQLite keeps the result code and the SQL that failed, never
/// the values bound to it (they may be thread ids or metadata an operator did not mean to
/// log). `message` is one lower-case line that names the path and says what to do.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; the CLI maps each kind to an exit code.
    public enum Kind: Sendable, Hashable {
        /// The file exists but is not an SQLite database.
        case notADatabase
        /// The file is an SQLite database but its content is damaged.
        case corrupt
        /// The file was written by a newer threadkeeper (its schema version is higher).
        case newerSchema(found: Int, supported: Int)
        /// The file or its directory cannot be written.
        case readOnly
        /// The disk or the file system quota is full.
        case full
        /// The file cannot be opened or created (missing directory, permissions).
        case cannotOpen
        /// Another connection holds a lock longer than the busy timeout.
        case busy
        /// An I/O error from the operating system.
        case io
        /// A constraint or trigger refused a change (append-only log, CHECK, foreign key).
        case constraint
        /// A value handed to the ledger is not acceptable (a bad record, an unknown id).
        case invalidArgument
        /// An input file to import is missing or unreadable.
        case inputUnavailable
        /// An input file to import has bad content.
        case badInput
        /// Any other SQLite failure.
        case sqlite
    }

    public var kind: Kind
    /// The extended SQLite result code, or 0 when the error did not come from SQLite.
    public var code: Int32
    /// One lower-case line: what failed, where, and what to do.
    public var message: String
    /// The SQL statement that failed, if any (never its bound values).
    public var sql: String?
    /// The ledger or input file concerned, if known.
    public var path: String?

    public init(_ kind: Kind, _ message: String, code: Int32 = 0, sql: String? = nil, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.sql = sql
        self.path = path
    }

    public var description: String {
        var text = message
        if let sql { text += " (sql: \(sql))" }
        return text
    }
}
