import CSQLite

// This module is the only importer of CSQLite: no raw SQLite pointer leaves it.

/// SQLite's "make your own copy" destructor, which the C macro spells as `(sqlite3_destructor_type)-1`.
///
/// "If the fifth argument has the value SQLITE_TRANSIENT, then SQLite makes its own private
/// copy of the data immediately, before the sqlite3_bind_*() routine returns."
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// The `sqlite3 *` handle, closed when the database and every statement compiled on it are gone.
///
/// Statements hold this rather than the `SQLiteDatabase`, so the database's statement cache
/// is not a reference cycle.
private final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        // Every statement holding this connection has been finalized by now.
        sqlite3_close_v2(handle)
    }

    func error(code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, handle, sql: sql, path: path)
    }
}

/// One connection to an SQLite database file.
///
/// Every failure is an `SQLiteError` carrying SQLite's result codes, the SQL and the path;
/// what to do about it is the owner's to say (the `Ledger` wraps it into a `LedgerError`).
/// Not thread-safe by itself: its owner (the `Ledger`, the emulator's state store) holds
/// it behind one lock or actor. Statements keep the connection alive; the connection is
/// closed when the last reference goes.
public final class SQLiteDatabase {
    /// How to open the file.
    public enum OpenMode: Sendable {
        /// Read only; the file must exist.
        case readOnly
        /// Read and write; the file must exist.
        case readWrite
        /// Read and write; an absent file is created.
        case readWriteCreate
    }

    public let path: String
    private let connection: SQLiteConnection
    private var handle: OpaquePointer { connection.handle }
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens `path`; throws an `SQLiteError` naming the path when SQLite cannot.
    public convenience init(path: String, mode: OpenMode = .readWriteCreate) throws {
        try self.init(path: path, mode: mode, immutable: false)
    }

    /// Opens `path` read-only or read-write.
    ///
    /// `immutable` (read-only mode only) tells SQLite the file cannot change while open, so
    /// it takes no locks and needs no `-shm`: "the immutable query parameter ... is a
    /// boolean that signals to SQLite that the underlying database file is held on read-only
    /// media". Only for files on a read-only file system.
    public init(path: String, mode: OpenMode, immutable: Bool) throws {
        self.path = path
        var flags: Int32 = SQLITE_OPEN_URI
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var pointer: OpaquePointer?
        let name = immutable && mode == .readOnly ? Self.immutableURI(path) : path
        let code = sqlite3_open_v2(name, &pointer, flags, nil)
        guard let pointer else {
            throw SQLiteError(code: code, nil, sql: nil, path: path)
        }
        // "Whether or not an error occurs when it is opened, resources associated with the
        // database connection handle should be released by passing it to sqlite3_close()."
        guard code == SQLITE_OK else {
            let error = SQLiteError(code: sqlite3_extended_errcode(pointer), pointer, sql: nil, path: path)
            sqlite3_close_v2(pointer)
            throw error
        }
        connection = SQLiteConnection(handle: pointer, path: path)
        sqlite3_extended_result_codes(pointer, 1)
        SQLiteLimits.portable.apply(to: pointer)
    }

    deinit {
        // Finalize the cached statements now; the connection closes when the last statement
        // anyone else still holds is released.
        cache.removeAll()
    }

    /// `file:PATH?immutable=1`, with `%`, `?`, `#` and non-ASCII bytes percent-encoded.
    private static func immutableURI(_ path: String) -> String {
        var uri = "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...0xFF:
                uri += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            default: uri.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return uri + "?immutable=1"
    }

    /// Runs one or more statements that take no arguments and return no rows.
    public func execute(_ sql: String) throws {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code: code, sql: sql) }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, 0, &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code: code, sql: sql) }
        return SQLiteStatement(connection: connection, handle: pointer, sql: sql)
    }

    /// A compiled statement kept for reuse, reset and cleared of its bindings.
    ///
    /// For statements run many times (the import's upsert): compiling costs more than running.
    public func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        cache[sql] = statement
        return statement
    }

    /// Runs a statement with arguments to completion; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        while try statement.step() {}
        statement.reset()
        return changes
    }

    /// Every row of a query, for results known to be small.
    public func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var rows: [[SQLiteValue]] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> SQLiteValue? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? statement.column(0) : nil
    }

    /// Runs `body` in a transaction, committing when it returns and rolling back when it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so two writers never both read and
    /// then fail to upgrade ("SQLITE_BUSY ... deadlock" in WAL mode).
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT or an I/O error may already have rolled back: then ROLLBACK
            // itself fails with "no transaction is active", which adds nothing.
            if !isAutocommit { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    /// Whether no transaction is open.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The rowid of the most recent successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How long a statement waits for another connection's lock before failing with busy.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Whether the connection was opened (or degraded to) read-only.
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Copies this database into `destination` with SQLite's online backup API.
    ///
    /// "The backup API ... copies the content of one database into another ... while the
    /// source database is in use." In WAL mode the copy reads one consistent snapshot and
    /// does not block writers; a busy or locked step is retried.
    public func backup(into destination: SQLiteDatabase) throws {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.error(code: sqlite3_extended_errcode(destination.handle), sql: "backup")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(25) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        if code != SQLITE_DONE { throw destination.error(code: code, sql: "backup") }
        if finish != SQLITE_OK { throw destination.error(code: finish, sql: "backup") }
    }

    /// The SQLite library version, such as `3.40.1`.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    fileprivate func error(code: Int32, sql: String?) -> SQLiteError {
        connection.error(code: code, sql: sql)
    }
}

/// One compiled SQL statement, finalized when released.
public final class SQLiteStatement {
    public let sql: String
    private let database: SQLiteConnection
    private let handle: OpaquePointer

    fileprivate init(connection: SQLiteConnection, handle: OpaquePointer, sql: String) {
        self.database = connection
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its `?` parameters in order.
    public func bind(_ values: [SQLiteValue]) throws {
        reset()
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE, message: "statement expects \(expected) arguments, got \(values.count)", sql: sql,
                path: database.path)
        }
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Binds one value to the parameter at `index` (1-based).
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
        case .real(let number): code = sqlite3_bind_double(handle, index, number)
        case .text(let text):
            code = sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), SQLITE_TRANSIENT)
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(
                    handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(raw.count),
                    SQLITE_TRANSIENT)
            }
        }
        guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
    }

    /// Advances to the next row: true when a row is ready, false when the statement is done.
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            // The statement's error is reported on the connection, extended code included.
            let extended = sqlite3_extended_errcode(sqlite3_db_handle(handle))
            sqlite3_reset(handle)
            throw database.error(code: extended != SQLITE_OK ? extended : code, sql: sql)
        }
    }

    /// Binds `arguments` and steps the statement to completion.
    public func execute(_ arguments: [SQLiteValue] = []) throws {
        try bind(arguments)
        while try step() {}
        reset()
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Number of columns in a result row.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of result column `index` (0-based).
    public func columnName(_ index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
    }

    /// The value of column `index` (0-based) in the current row.
    public func column(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default:
            return .text(text(index) ?? "")
        }
    }

    /// Column `index` as text, or nil when it is NULL.
    public func text(_ index: Int32) -> String? {
        // "sqlite3_column_text() ... returns a NULL pointer" for a NULL value.
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` as an integer, or nil when it is NULL.
    public func integer(_ index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, index)
    }

    /// Every column of the current row.
    public func row() -> [SQLiteValue] {
        (0..<columnCount).map(column)
    }
}
