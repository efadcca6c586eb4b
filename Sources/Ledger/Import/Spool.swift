import CProcess
import Foundation

/// A drop box of import files: applications write a file elsewhere in the directory (a
/// dot-file or a `*.tmp`), rename it into the spool when it is complete, and each
/// `import --spool` pass takes the files in.
///
/// A pass claims a file before it reads it by renaming it into a claim directory of its own,
/// `.claimed-PID-RANDOM`, on which it holds an exclusive `flock` for as long as it runs:
/// rename(2) is atomic, so of two concurrent passes exactly one gets each file. The lock goes
/// with the process, however it ends, so a claim directory that can be locked belongs to a
/// pass that died (a PID alone could have been reused); the next pass moves its files back
/// into the spool and imports them again, which the ledger, keyed by thread id, makes harmless.
/// A finished file goes to `done/`, a bad one to `failed/` with `NAME.err` beside it.
public final class Spool {
    public let directory: String
    /// This pass's claim directory, locked while the pass lives.
    private let claimDirectory: String
    private let lockDescriptor: Int32

    public static let doneDirectory = "done"
    public static let failedDirectory = "failed"
    static let claimPrefix = ".claimed-"
    static let claimingPrefix = ".claiming-"

    /// A file waiting in the spool.
    public struct Entry {
        public var name: String
        public var modified: timespec
        public var size: Int
    }

    /// Opens the spool at `directory`: makes `done/` and `failed/`, takes back the files of
    /// passes that died, and makes this pass's locked claim directory.
    public init(directory: String) throws {
        self.directory = directory
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw LedgerError(
                .inputUnavailable, "cannot open spool '\(directory)': \(Self.reason(errno)); create it or name another",
                path: directory)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(.inputUnavailable, "spool '\(directory)' is not a directory", path: directory)
        }
        for name in [Self.doneDirectory, Self.failedDirectory] {
            let path = directory + "/" + name
            // No setgid bit asked for: a subdirectory inherits it from a setgid spool, and
            // RestrictSUIDSGID= in the unit refuses any mkdir asking for one (EPERM).
            if stat(path, &info) != 0, mkdir(path, 0o770) != 0, errno != EEXIST {
                throw LedgerError(.io, "cannot create '\(path)': \(Self.reason(errno))", path: path)
            }
        }
        // Made under a name recovery ignores, locked, then renamed: no other pass ever sees
        // this claim directory unlocked.
        let suffix = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let claiming = directory + "/" + Self.claimingPrefix + suffix
        guard mkdir(claiming, 0o700) == 0 else {
            throw LedgerError(.io, "cannot create '\(claiming)': \(Self.reason(errno))", path: claiming)
        }
        let descriptor = open(claiming, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            if descriptor >= 0 { close(descriptor) }
            rmdir(claiming)
            throw LedgerError(.io, "cannot lock '\(claiming)': \(Self.reason(error))", path: claiming)
        }
        claimDirectory = directory + "/" + Self.claimPrefix + suffix
        guard rename(claiming, claimDirectory) == 0 else {
            let error = errno
            close(descriptor)
            rmdir(claiming)
            throw LedgerError(.io, "cannot rename '\(claiming)': \(Self.reason(error))", path: claiming)
        }
        lockDescriptor = descriptor
        try recoverAbandonedClaims()
    }

    deinit {
        // Empty unless a file was left claimed by an error; then the next pass takes it back.
        rmdir(claimDirectory)
        close(lockDescriptor)
    }

    /// Files that can be claimed now, oldest first (modification time, then name): regular
    /// files whose name does not start with '.' or end in '.tmp', ending in a newline.
    /// `incomplete` gets the names of those left for a later pass (empty, or no final newline).
    public func waitingFiles(incomplete: inout [String]) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw LedgerError(.inputUnavailable, "cannot list spool '\(directory)': \(error.localizedDescription)", path: directory)
        }
        var entries: [Entry] = []
        for name in names where !name.hasPrefix(".") && !name.hasSuffix(".tmp") {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            guard Self.endsInNewline(path, size: Int(info.st_size)) else {
                incomplete.append(name)
                continue
            }
            entries.append(Entry(name: name, modified: info.st_mtim, size: Int(info.st_size)))
        }
        return entries.sorted {
            if $0.modified.tv_sec != $1.modified.tv_sec { return $0.modified.tv_sec < $1.modified.tv_sec }
            if $0.modified.tv_nsec != $1.modified.tv_nsec { return $0.modified.tv_nsec < $1.modified.tv_nsec }
            return $0.name < $1.name
        }
    }

    /// Moves `name` into this pass's claim directory; returns its new path, or nil when
    /// another pass took it first.
    public func claim(_ name: String) throws -> String? {
        let claimed = claimDirectory + "/" + name
        if rename(directory + "/" + name, claimed) == 0 { return claimed }
        if errno == ENOENT { return nil }
        throw LedgerError(.io, "cannot claim '\(directory)/\(name)': \(Self.reason(errno))", path: directory)
    }

    /// Moves a claimed file back into the spool, for a later pass (after a ledger error).
    public func release(_ name: String) throws {
        guard rename(claimDirectory + "/" + name, directory + "/" + name) == 0 else {
            throw LedgerError(.io, "cannot return '\(name)' to spool '\(directory)': \(Self.reason(errno))", path: directory)
        }
    }

    /// Moves a claimed, imported file to `done/`; returns its path there.
    @discardableResult
    public func finish(_ name: String) throws -> String {
        try move(name, into: Self.doneDirectory)
    }

    /// Moves the claimed file to `failed/` and writes `report` beside it, to `NAME.err`;
    /// returns the file's path there.
    @discardableResult
    public func fail(_ name: String, report: String) throws -> String {
        let failed = directory + "/" + Self.failedDirectory
        let target = try move(name, into: Self.failedDirectory)
        let errorFile = target + ".err"
        let temporary = failed + "/." + name + ".err.tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(report.utf8)),
            rename(temporary, errorFile) == 0
        else {
            throw LedgerError(.io, "cannot write '\(errorFile)': \(Self.reason(errno))", path: errorFile)
        }
        return target
    }

    /// Renames a claimed file into `subdirectory` without replacing a file of the same name
    /// there (an earlier file so named): the second is `NAME.1`, and so on.
    private func move(_ name: String, into subdirectory: String) throws -> String {
        let source = claimDirectory + "/" + name
        let base = directory + "/" + subdirectory + "/" + name
        for attempt in 0..<1_000 {
            let target = attempt == 0 ? base : base + ".\(attempt)"
            if Self.renameNoReplace(source, target) == 0 { return target }
            guard errno == EEXIST else { break }
        }
        throw LedgerError(.io, "cannot move '\(name)' to '\(base)': \(Self.reason(errno))", path: base)
    }

    /// Takes back the files of every claim directory whose pass has died (its lock is free).
    private func recoverAbandonedClaims() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        // A pass that died between making its claim directory and renaming it leaves it
        // empty under the other name; its PID tells whether it is still on the way (the
        // name's PID is alive) — a recycled PID only keeps an empty directory a while longer.
        for name in names where name.hasPrefix(Self.claimingPrefix) {
            let pid = name.dropFirst(Self.claimingPrefix.count).prefix { $0 != "-" }
            if let pid = pid_t(pid), kill(pid, 0) != 0, errno == ESRCH { rmdir(directory + "/" + name) }
        }
        for name in names where name.hasPrefix(Self.claimPrefix) {
            let path = directory + "/" + name
            guard path != claimDirectory else { continue }
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            // Busy: its pass is alive.
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                // Never over a file of the same name that arrived since: that one is newer.
                if Self.renameNoReplace(path + "/" + file, directory + "/" + file) != 0 {
                    _ = try move(file, from: path)
                }
            }
            rmdir(path)
        }
    }

    /// Returns a recovered file whose name is taken in the spool under `NAME.1`, `NAME.2`, ...
    private func move(_ file: String, from claims: String) throws -> String {
        for attempt in 1..<1_000 {
            let target = directory + "/" + file + ".\(attempt)"
            if Self.renameNoReplace(claims + "/" + file, target) == 0 { return target }
            guard errno == EEXIST else { break }
        }
        throw LedgerError(.io, "cannot return '\(claims)/\(file)' to spool '\(directory)': \(Self.reason(errno))", path: directory)
    }

    /// rename(2) that fails with EEXIST instead of replacing `target` (renameat2's
    /// RENAME_NOREPLACE). Not link(2) then unlink(2): with `fs.protected_hardlinks` a link
    /// to a file another user owns (an application's) is refused.
    private static func renameNoReplace(_ source: String, _ target: String) -> Int32 {
        threadkeeper_rename_noreplace(source, target)
    }

    /// Whether the file's last byte is a newline: a writer appending in place is not done yet.
    private static func endsInNewline(_ path: String, size: Int) -> Bool {
        guard size > 0 else { return false }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        return pread(descriptor, &byte, 1, off_t(size - 1)) == 1 && byte == UInt8(ascii: "\n")
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
