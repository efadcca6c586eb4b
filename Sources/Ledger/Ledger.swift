import Foundation
import SQLite

/// The ledger: one SQLite file holding the thread inventory, the runs and the action log.
///
/// One connection behind one lock, so a `Ledger` can be shared by the tasks of a process.
/// Calls are synchronous and short; long reads (`forEachThread`, `export`) stream rows to
/// a callback while holding the lock. Other processes (a CLI beside the daemon, the
/// `sqlite3` shell) share the file through SQLite's WAL locking.
public final class Ledger: @unchecked Sendable {
    // @unchecked Sendable: `database` and the statement cache inside it are used only while
    // `lock` is held. The lock is recursive so a streaming callback may call back in.
    private let lock = NSRecursiveLock()
    private let database: SQLiteDatabase
    /// The ledger file.
    public let path: String
    /// Whether this connection was opened read-only.
    public let isReadOnly: Bool
    /// The clock every timestamp the ledger writes comes from (Unix seconds).
    public let now: @Sendable () -> Int64

    /// The schema version this build reads and writes.
    public static var schemaVersion: Int { Migrations.latest }

    /// How long a statement waits for another process's write lock.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Opens the ledger at `path`, creating it (mode 0600) and migrating it when writable.
    ///
    /// Before anything is written the file is checked: a file that is not SQLite, a corrupt
    /// one, or one written by a newer threadkeeper is refused and left byte-for-byte as it was.
    /// A read-only ledger must exist and be at the current schema version.
    public init(
        path: String, readOnly: Bool = false,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws {
        self.path = path
        self.isReadOnly = readOnly
        self.now = now
        let existed = try LedgerFile.prepare(path: path, create: !readOnly)
        if readOnly { LedgerFile.rollBackInterruptedWrite(path: path) }
        database = try LedgerFile.translate(path: path, opening: true) {
            try SQLiteDatabase(
                path: path, mode: readOnly ? .readOnly : .readWrite,
                immutable: readOnly && LedgerFile.isOnReadOnlyFileSystem(path) && !LedgerFile.hasWriteAheadLog(path))
        }
        database.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds)
        try LedgerFile.translate(path: path, opening: true) {
            try database.execute("PRAGMA foreign_keys = ON")
            let version = try Migrations.userVersion(database)
            if version > Migrations.latest {
                throw LedgerError(
                    .newerSchema(found: version, supported: Migrations.latest),
                    "'\(path)' was written by a newer threadkeeper (schema version \(version), this one knows up to "
                        + "\(Migrations.latest)); upgrade threadkeeper, the file was left untouched",
                    path: path)
            }
            if readOnly {
                guard version == Migrations.latest else {
                    throw LedgerError(
                        .invalidArgument,
                        "'\(path)' has schema version \(version), this threadkeeper needs \(Migrations.latest); "
                            + "run 'threadkeeper import' (or any writing command) once to migrate it",
                        path: path)
                }
                return
            }
            let journal = try database.scalar("PRAGMA journal_mode")?.textValue ?? ""
            if existed, version < Migrations.latest || journal != "wal" {
                // Migrating or switching to WAL writes; be sure the file is sound first so a
                // damaged one stays as it was.
                try LedgerFile.quickCheck(database)
            }
            // "The WAL journaling mode uses a write-ahead log instead of a rollback journal."
            // Readers never block the writer, so `status` and `backup` run beside the daemon.
            try Self.switchToWAL(database)
            // In WAL mode FULL syncs the log at every commit: an intent is on disk before the call.
            try database.execute("PRAGMA synchronous = FULL")
            try Migrations.migrate(database)
        }
    }

    /// Runs `body` with the connection, holding the lock; SQLite errors name the ledger path.
    func withDatabase<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try LedgerFile.translate(path: path) { try body(database) }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction.
    @discardableResult
    func write<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try withDatabase { database in
            guard !isReadOnly else {
                throw LedgerError(.readOnly, "'\(path)' was opened read-only", path: path)
            }
            return try database.transaction { try body(database) }
        }
    }

    /// The schema version of the file (`PRAGMA user_version`).
    public func schemaVersionOfFile() throws -> Int {
        try withDatabase { try Migrations.userVersion($0) }
    }

    /// `PRAGMA integrity_check`: "ok", or the problems SQLite found, one a line.
    public func integrityCheck() throws -> String {
        try withDatabase { database in
            try database.rows("PRAGMA integrity_check").compactMap { $0.first?.textValue }.joined(separator: "\n")
        }
    }

    /// Runs SQL with no result (for tests and maintenance); the caller knows the schema.
    public func execute(_ sql: String) throws {
        try withDatabase { try $0.execute(sql) }
    }

    /// Rows of an arbitrary read query (for tests and tools that read the public schema).
    public func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        try withDatabase { try $0.rows(sql, arguments) }
    }

    /// Puts the file in WAL mode, waiting for another connection that is doing the same.
    ///
    /// Changing the journal mode needs the file to itself, and a connection that finds another
    /// one switching it gets SQLITE_BUSY at once, without the busy handler (two commands opening
    /// a new ledger together). It retries until the file is in WAL mode or the busy timeout has
    /// passed.
    static func switchToWAL(_ database: SQLiteDatabase) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMilliseconds))
        while true {
            do {
                _ = try database.scalar("PRAGMA journal_mode = WAL")
                return
            } catch let error as SQLiteError where error.code == .busy && ContinuousClock.now < deadline {
                usleep(5_000)
            }
        }
    }

    /// Copies the ledger to `destination` with SQLite's online backup API.
    ///
    /// The copy is written to a temporary file beside `destination` (mode 0600) and renamed
    /// over it when complete, so `destination` is either the old file or a whole new copy.
    public func backup(to destination: String) throws {
        try withDatabase { database in
            let temporary = destination + ".tmp-\(getpid())"
            guard try LedgerFile.createEmpty(path: temporary) else {
                throw LedgerFile.posixError(EEXIST, path: temporary, doing: "create")
            }
            do {
                do {
                    try Self.copy(database, to: temporary, naming: destination)
                } catch var error as LedgerError {
                    // Name the file the user asked for, not the temporary one.
                    error.message = error.message.replacingOccurrences(of: temporary, with: destination)
                    error.path = destination
                    throw error
                }
                guard rename(temporary, destination) == 0 else {
                    throw LedgerFile.posixError(errno, path: destination, doing: "rename the backup into place")
                }
            } catch {
                unlink(temporary)
                unlink(temporary + "-journal")
                throw error
            }
        }
    }

    private static func copy(_ database: SQLiteDatabase, to temporary: String, naming destination: String) throws {
        // The copy's connection is closed when this returns, before the file is renamed.
        try LedgerFile.translate(path: destination) {
            let copy = try SQLiteDatabase(path: temporary, mode: .readWrite)
            try database.backup(into: copy)
            // A backup is a single self-contained file: no -wal beside it.
            _ = try copy.scalar("PRAGMA journal_mode = DELETE")
        }
    }
}
