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
