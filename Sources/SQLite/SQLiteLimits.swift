import CSQLite

/// The run-time limits of SQLite that a rule's query can reach, the same on every host.
///
/// Distributions build SQLite with different compile-time maxima (Debian 12 allows 250,000
/// bound values a statement, SQLite's own default is 32,766), so every connection lowers the
/// limits a rule can reach to SQLite's documented defaults: "For each limit category
/// SQLITE_LIMIT_NAME there is a separate hard upper bound set at compile-time ... Attempts
/// to increase a limit above its hard upper bound are silently truncated to the hard upper
/// bound." A rule `check` accepts on one host then runs on every host, and the limits `check`
/// enforces are read back from a connection opened the same way.
public struct SQLiteLimits: Sendable, Hashable {
    /// `SQLITE_LIMIT_EXPR_DEPTH`: the deepest expression tree (default 1000).
    public var expressionDepth: Int
    /// `SQLITE_LIMIT_VARIABLE_NUMBER`: the highest `?` number a statement may bind (default 32766).
    public var variables: Int
    /// `SQLITE_LIMIT_LIKE_PATTERN_LENGTH`: the longest LIKE or GLOB pattern, in bytes (default 50000).
    public var patternBytes: Int
    /// `SQLITE_LIMIT_SQL_LENGTH`: the longest SQL text, in bytes (default 1,000,000,000).
    public var sqlBytes: Int

    public init(expressionDepth: Int, variables: Int, patternBytes: Int, sqlBytes: Int) {
        self.expressionDepth = expressionDepth
        self.variables = variables
        self.patternBytes = patternBytes
        self.sqlBytes = sqlBytes
    }

    /// SQLite's documented defaults (`SQLITE_MAX_…` in sqliteLimit.h), set on every connection.
    static let portable = SQLiteLimits(expressionDepth: 1000, variables: 32766, patternBytes: 50000, sqlBytes: 1_000_000_000)

    /// Lowers a new connection's limits to these (a limit the library holds lower stays lower).
    func apply(to handle: OpaquePointer) {
        for (category, value) in [
            (SQLITE_LIMIT_EXPR_DEPTH, expressionDepth), (SQLITE_LIMIT_VARIABLE_NUMBER, variables),
            (SQLITE_LIMIT_LIKE_PATTERN_LENGTH, patternBytes), (SQLITE_LIMIT_SQL_LENGTH, sqlBytes),
        ] where Int(sqlite3_limit(handle, category, -1)) > value {
            sqlite3_limit(handle, category, Int32(value))
        }
    }

    /// The limits every connection has: the portable ones, or the library's where lower.
    public static let library: SQLiteLimits = {
        var pointer: OpaquePointer?
        defer { sqlite3_close_v2(pointer) }
        guard sqlite3_open_v2(":memory:", &pointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nil) == SQLITE_OK,
            let handle = pointer
        else {
            // An in-memory open fails only when memory is exhausted; nothing would run then anyway.
            preconditionFailure("cannot open an in-memory SQLite database to read its limits")
        }
        portable.apply(to: handle)
        // A negative value only reads: "If the new limit is a negative number, the limit is unchanged."
        return SQLiteLimits(
            expressionDepth: Int(sqlite3_limit(handle, SQLITE_LIMIT_EXPR_DEPTH, -1)),
            variables: Int(sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1)),
            patternBytes: Int(sqlite3_limit(handle, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1)),
            sqlBytes: Int(sqlite3_limit(handle, SQLITE_LIMIT_SQL_LENGTH, -1)))
    }()
}
