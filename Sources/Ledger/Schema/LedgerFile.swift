import Foundation
import SQLite

/// Checks on the ledger file made before SQLite is allowed to write to it.
enum LedgerFile {
    /// The 16 bytes every SQLite 3 database file starts with.
    static let header = Array("SQLite format 3\0".utf8)

    /// Rolls back a write that was killed in rollback-journal mode (a first import), so a
    /// read-only open finds the file as it was before that write.
    ///
    /// Only a writable connection can roll back a hot journal (a read-only one fails with
    /// SQLITE_READONLY_ROLLBACK); when a journal is there and the file is writable, a short
    /// read-write connection reads the schema, which makes SQLite check the journal and roll
    /// it back if it is hot. The journal of a write still under way is not hot (its writer
    /// holds a lock) and is left alone. When this cannot be done, the read-only open that
    /// follows reports the journal with what to do.
    static func rollBackInterruptedWrite(path: String) {
        var info = stat()
        guard stat(path + "-journal", &info) == 0, info.st_size > 0, access(path, W_OK) == 0,
            let connection = try? SQLiteDatabase(path: path, mode: .readWrite)
        else { return }
        connection.setBusyTimeout(milliseconds: Ledger.busyTimeoutMilliseconds)
        do {
            _ = try connection.scalar("SELECT count(*) FROM sqlite_master")
        } catch {
            // Left to the read-only open, which names the problem.
        }
    }

    /// Makes sure `path` is a file SQLite may open; returns whether it already held a database.
    ///
    /// A missing file is created empty with mode 0600 (when `create`), so the database, its
    /// `-wal` and its `-shm` (which SQLite gives the same mode) are never readable by others.
    /// An existing file must start with SQLite's header; it is only read here.
    static func prepare(path: String, create: Bool) throws -> Bool {
        try checkOwnership(path: path)
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            guard code == ENOENT else { throw posixError(code, path: path, doing: "read") }
            guard create else {
                throw LedgerError(
                    .inputUnavailable, "no ledger at '\(path)'; import threads first (threadkeeper import) or pass --ledger",
                    path: path)
            }
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw LedgerError(
                        .cannotOpen, "cannot create the directory of the ledger '\(path)': \(error.localizedDescription)",
                        path: path)
                }
            }
            if try createEmpty(path: path) { return false }
            // Another process created it between the stat and the open (two commands opening
            // a new ledger at once): it is checked as the existing file it now is.
            guard stat(path, &info) == 0 else { throw posixError(EEXIST, path: path, doing: "create") }
        }
        if create { try checkWritable(path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw LedgerError(.notADatabase, "'\(path)' is not a regular file; pass the ledger file with --ledger", path: path)
        }
        if info.st_size == 0 { return false }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw posixError(errno, path: path, doing: "read") }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: header.count)
        let count = read(descriptor, &bytes, bytes.count)
        guard count == header.count, bytes == header else {
            throw LedgerError(
                .notADatabase,
                "'\(path)' is not an SQLite database (it does not start with \"SQLite format 3\"); "
                    + "it was left untouched; is --ledger pointing at the right file?", path: path)
        }
        return true
    }

    /// Refuses a ledger whose directory others may write, and a `-wal` or `-shm` that is
    /// not this user's or is more readable than the ledger (`FileOwnership`).
    static func checkOwnership(path: String) throws {
        var directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        let companions = ["-wal", "-shm", "-journal"].map { path + $0 }
        if let problem = FileOwnership.directoryProblem(directory, files: [path] + companions, what: "the ledger") {
            throw LedgerError(.cannotOpen, "refusing the ledger '\(path)': \(problem)", path: path)
        }
        var info = stat()
        let exists = stat(path, &info) == 0
        for companion in companions.dropLast() {
            if let problem = FileOwnership.fileProblem(
                companion, owner: exists ? info.st_uid : nil, readable: exists ? info.st_mode & 0o044 : 0)
            {
                throw LedgerError(.cannotOpen, "refusing the ledger '\(path)': \(problem)", path: path)
            }
        }
    }

    /// Whether `path` lives on a file system mounted read-only.
    static func isOnReadOnlyFileSystem(_ path: String) -> Bool {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return false }
        return info.f_flag & UInt(ST_RDONLY) != 0
    }

    /// Whether `path` has a write-ahead log with frames in it: a writer that did not close
    /// (a crash, a kill) leaves its newest transactions there, not in the file itself. An
    /// immutable open would ignore it and show an older ledger (or none: schema version 0), so
    /// a read-only file system is then read through the log like any other.
    static func hasWriteAheadLog(_ path: String) -> Bool {
        var info = stat()
        return stat(path + "-wal", &info) == 0 && info.st_size > 0
    }

    /// Refuses, before SQLite tries, a ledger that cannot be written: SQLite would otherwise
    /// fall back to read-only or fail with a vague "unable to open database file".
    static func checkWritable(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        for target in [path, directory.isEmpty ? "." : directory] where access(target, W_OK) != 0 {
            let code = errno
            if code == EROFS || isOnReadOnlyFileSystem(target) {
                throw LedgerError(
                    .readOnly, "cannot write the ledger '\(path)': its file system is read-only; use a writable --ledger path",
                    path: path)
            }
            if code == EACCES || code == EPERM {
                throw LedgerError(
                    .readOnly,
                    "cannot write the ledger '\(path)': \(target == path ? "the file" : "its directory '\(target)'") is not writable; "
                        + "fix its permissions or run as the ledger's owner", path: path)
            }
        }
    }

    /// Creates `path` empty with mode 0600; false when it exists already (`O_EXCL`).
    static func createEmpty(path: String) throws -> Bool {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw posixError(code, path: path, doing: "create")
        }
        // open(2) applies the umask; make the mode exact whatever the umask is.
        fchmod(descriptor, 0o600)
        close(descriptor)
        return true
    }

    /// `PRAGMA quick_check`, which reads every page; throws `.corrupt` unless it says "ok".
    static func quickCheck(_ database: SQLiteDatabase) throws {
        let findings = try database.rows("PRAGMA quick_check(5)").compactMap { $0.first?.textValue }
        guard findings == ["ok"] else {
            throw LedgerError(
                .corrupt,
                "'\(database.path)' is corrupt (\(findings.first ?? "no answer from quick_check")); "
                    + "it was left untouched; restore it from a backup", path: database.path)
        }
    }

    /// Runs `body`, turning an `SQLiteError` into a `LedgerError` and naming a damaged file
    /// plainly; while `opening`, nothing has been written yet, and the message says the file
    /// was left untouched.
    static func translate<T>(path: String, opening: Bool = false, _ body: () throws -> T) throws -> T {
        do {
            do {
                return try body()
            } catch let error as SQLiteError {
                throw LedgerError(error)
            }
        } catch var error as LedgerError {
            let untouched = opening ? "; it was left untouched" : ""
            switch error.kind {
            case .notADatabase where !error.message.contains("untouched"):
                error.message = "'\(path)' is not an SQLite database (\(sqliteDetail(error)))\(untouched)"
            case .corrupt where !error.message.contains("untouched") && !error.message.hasPrefix("'\(path)' is corrupt"):
                error.message = "'\(path)' is corrupt (\(sqliteDetail(error)))\(untouched); restore it from a backup"
            default: break
            }
            throw error
        }
    }

    private static func sqliteDetail(_ error: LedgerError) -> String {
        // "'PATH': detail; advice" → "detail"
        var text = error.message
        if let range = text.range(of: "': ") { text = String(text[range.upperBound...]) }
        if let semicolon = text.firstIndex(of: ";") { text = String(text[..<semicolon]) }
        return text
    }

    /// A `LedgerError` for a failed system call on `path`.
    static func posixError(_ code: Int32, path: String, doing: String) -> LedgerError {
        let reason = String(cString: strerror(code)).lowercased()
        let kind: LedgerError.Kind
        let advice: String
        switch code {
        case EACCES, EPERM:
            kind = .cannotOpen
            advice = "check the permissions of the file and its directory"
        case EROFS:
            kind = .readOnly
            advice = "the file system is read-only"
        case ENOSPC, EDQUOT:
            kind = .full
            advice = "free space on its file system"
        case ENOENT, ENOTDIR:
            kind = .cannotOpen
            advice = "check that the directory exists"
        default:
            kind = .io
            advice = "check the disk and the file system"
        }
        return LedgerError(kind, "cannot \(doing) '\(path)': \(reason); \(advice)", path: path)
    }
}
