import Foundation

/// Why an archive could not be written or read.
public enum ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file system refused (permissions, full disk); the thread is not deleted.
    case io(path: String, doing: String, errno: Int32)
    /// No archive for this thread.
    case notFound(path: String)
    /// The file is not a valid archive.
    case damaged(String)
    /// What the API answered cannot be kept as received; the thread is not deleted.
    case unarchivable(String)
    /// The archive directory or file is open to other users (`checkOwnership`).
    case exposed(String)

    public var description: String {
        switch self {
        case .io(let path, let doing, let code):
            "cannot \(doing) '\(path)': \(String(cString: strerror(code))); check the archive directory's permissions and free space"
        case .notFound(let path): "no archive at '\(path)'; archives exist only for threads deleted by a rule with Archive=yes"
        case .damaged(let reason): "the archive is damaged: \(reason)"
        case .unarchivable(let reason): "cannot archive \(reason), so it would not be kept exactly; the thread is not deleted"
        case .exposed(let reason): "refusing the archive: \(reason)"
        }
    }
}

/// The archive directory: one gzip-compressed JSON document per thread, `THREAD_ID.json.gz`.
///
/// A file is written under a temporary name (created with `O_EXCL`, mode 0600), synced,
/// renamed into place and the directory synced, so an archive is either whole or absent.
public struct ArchiveStore: Sendable {
    public let directory: String
    /// The largest document written, and so the most `read` inflates: a thread whose document
    /// is larger is refused (not deleted) rather than kept in a file `archive show` would refuse.
    public let maximumDocumentSize: Int

    public init(directory: String, maximumDocumentSize: Int = Gzip.maximumInflatedSize) {
        self.directory = directory
        self.maximumDocumentSize = maximumDocumentSize
    }

    /// `$STATE_DIRECTORY/archive`, else an `archive` directory beside the ledger.
    public static func defaultDirectory(ledgerPath: String, environment: [String: String]) -> String {
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
            return String(state) + "/archive"
        }
        var directory = (ledgerPath as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        if !directory.hasPrefix("/") { directory = FileManager.default.currentDirectoryPath + "/" + directory }
        return (directory as NSString).standardizingPath + "/archive"
    }

    /// The file holding `threadID`'s archive.
    public func path(of threadID: String) -> String {
        directory + "/" + threadID + ".json.gz"
    }

    /// Compresses and writes `document` as the archive of `threadID`; returns the path and size.
    @discardableResult
    public func write(threadID: String, document: [UInt8]) throws -> (path: String, bytes: Int) {
        guard document.count <= maximumDocumentSize else {
            throw ArchiveError.unarchivable(
                "thread '\(threadID)': its document is \(document.count) bytes, more than the \(maximumDocumentSize) an archive may hold")
        }
        try ensureDirectory()
        let target = path(of: threadID)
        let temporary = directory + "/.\(threadID).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let compressed = Gzip.compress(document, modificationTime: UInt32(truncatingIfNeeded: time(nil)))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ArchiveError.io(path: temporary, doing: "create", errno: errno) }
        var failure: ArchiveError?
        compressed.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: temporary, doing: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
        // "fsync() transfers all modified in-core data of the file … so that all changed
        // information can be retrieved even if the system crashes": the archive exists on disk
        // before the DELETE that makes it the only copy.
        if failure == nil, fsync(descriptor) != 0 { failure = .io(path: temporary, doing: "sync", errno: errno) }
        if close(descriptor) != 0, failure == nil { failure = .io(path: temporary, doing: "close", errno: errno) }
        if failure == nil, rename(temporary, target) != 0 { failure = .io(path: target, doing: "rename into", errno: errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncDirectory()
        return (target, compressed.count)
    }

    /// The JSON document archived for `threadID`.
    public func read(threadID: String) throws -> [UInt8] {
        let target = path(of: threadID)
        try checkOwnership(threadID: threadID)
        guard let data = FileManager.default.contents(atPath: target) else {
            if access(target, F_OK) != 0 { throw ArchiveError.notFound(path: target) }
            throw ArchiveError.io(path: target, doing: "read", errno: EACCES)
        }
        return try Gzip.decompress(Array(data), limit: maximumDocumentSize)
    }

    /// Creates the directory if needed and proves it takes a file, as `write` will: a run with
    /// `Archive=yes` checks this before its first delete.
    public func checkWritable() throws {
        try ensureDirectory()
        let probe = directory + "/.probe.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            var info = stat()
            let owner = stat(directory, &info) == 0 ? " (owner uid \(info.st_uid), this process uid \(geteuid()))" : ""
            throw ArchiveError.io(path: directory + owner, doing: "create a file in", errno: code)
        }
        close(descriptor)
        unlink(probe)
    }

    private func ensureDirectory() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue {
            return try checkOwnership()
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ArchiveError.io(path: directory, doing: "create the directory", errno: errno == 0 ? EACCES : errno)
        }
    }

    private func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
