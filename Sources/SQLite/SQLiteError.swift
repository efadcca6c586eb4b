import CSQLite

/// A failure reported by SQLite, with what is needed to act on it and nothing more.
///
/// As in GRDB, it keeps the result codes and the SQL that failed, never the values bound to
/// it (they may be thread ids or metadata an operator did not mean to log). It gives no
/// advice: what to do depends on what the file is for, which its owner knows (the `Ledger`
/// wraps it into a `LedgerError`; the emulator reports it for its `--state` file).
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A primary result code, the low byte of an extended one ("The least significant 8 bits
    /// of the result code define a broad category").
    public struct Code: RawRepresentable, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// SQLITE_ERROR: a generic error, such as a missing table or a syntax error.
        public static let error = Code(rawValue: SQLITE_ERROR)
        /// SQLITE_PERM: the access mode for a newly created database could not be provided.
        public static let permission = Code(rawValue: SQLITE_PERM)
        /// SQLITE_BUSY: another connection holds a lock.
        public static let busy = Code(rawValue: SQLITE_BUSY)
        /// SQLITE_LOCKED: a conflict within the same connection or shared cache.
        public static let locked = Code(rawValue: SQLITE_LOCKED)
        /// SQLITE_NOMEM: memory is exhausted.
        public static let noMemory = Code(rawValue: SQLITE_NOMEM)
        /// SQLITE_READONLY: a write to a file or connection that cannot be written.
        public static let readOnly = Code(rawValue: SQLITE_READONLY)
        /// SQLITE_IOERR: the operating system reported an I/O error.
        public static let ioError = Code(rawValue: SQLITE_IOERR)
        /// SQLITE_CORRUPT: the file's content is damaged.
        public static let corrupt = Code(rawValue: SQLITE_CORRUPT)
        /// SQLITE_FULL: the disk or quota is full.
        public static let full = Code(rawValue: SQLITE_FULL)
        /// SQLITE_CANTOPEN: the file cannot be opened or created.
        public static let cannotOpen = Code(rawValue: SQLITE_CANTOPEN)
        /// SQLITE_CONSTRAINT: a constraint or trigger refused a change.
        public static let constraint = Code(rawValue: SQLITE_CONSTRAINT)
        /// SQLITE_MISUSE: the library was used against its documented rules.
        public static let misuse = Code(rawValue: SQLITE_MISUSE)
        /// SQLITE_AUTH: an authorizer refused the statement.
        public static let authorization = Code(rawValue: SQLITE_AUTH)
        /// SQLITE_RANGE: a parameter index is out of range, or the wrong number of values was bound.
        public static let range = Code(rawValue: SQLITE_RANGE)
        /// SQLITE_NOTADB: the file is not an SQLite database.
        public static let notADatabase = Code(rawValue: SQLITE_NOTADB)
    }

    /// SQLITE_READONLY_ROLLBACK, `(SQLITE_READONLY | (3<<8))` in sqlite3.h, a macro Swift does not import:
    /// "a database cannot be opened because it has a hot journal that needs to be rolled back but cannot
    /// because the database is readonly".
    public static let readOnlyRollback: Int32 = SQLITE_READONLY | (3 << 8)

    /// The extended result code, such as 1555 (SQLITE_CONSTRAINT_PRIMARYKEY).
    public var extendedCode: Int32
    /// SQLite's own words for the failure (`sqlite3_errmsg`), without the path or any advice.
    public var message: String
    /// The SQL statement that failed, if any (never its bound values).
    public var sql: String?
    /// The database file the connection was opened on.
    public var path: String

    /// The primary result code of `extendedCode`.
    public var code: Code { Code(rawValue: extendedCode & 0xff) }

    public init(extendedCode: Int32, message: String, sql: String?, path: String) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// The error SQLite reports for `code` on `handle` (its message names the cause), or its
    /// generic text for the code when there is no handle.
    init(code: Int32, _ handle: OpaquePointer?, sql: String?, path: String) {
        let detail = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
        self.init(extendedCode: code, message: detail, sql: sql, path: path)
    }

    public var description: String {
        var text = "'\(path)': \(message)"
        if let sql { text += " (sql: \(sql))" }
        return text
    }
}
