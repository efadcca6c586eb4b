import Foundation

/// Who else could read or plant the files threadkeeper keeps: the ledger, its `-wal` and
/// `-shm`, and the archives.
///
/// SQLite opens `-wal` and `-shm` with `O_CREAT`, not `O_EXCL`: in a directory others may
/// write, another user can create them first (mode 0666) and read every page written
/// through them, or feed pages into the ledger. So a directory others may write is refused,
/// unless it is sticky (like `/tmp`: others can add files but not replace ours) and every
/// file already there is ours; and a `-wal`, `-shm` or archive must belong to this user
/// (root may also open the files of the ledger's owner, such as a service's ledger) and be
/// no more readable than the data it holds.
public enum FileOwnership {
    /// Why `directory` lets others replace or plant files, given the `files` in it that
    /// must be this user's when it is sticky; nil when it does not.
    public static func directoryProblem(_ directory: String, files: [String], what: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o7777
        guard mode & 0o022 != 0 else { return nil }
        if mode & S_ISVTX != 0 {
            for file in files {
                var fileInfo = stat()
                guard lstat(file, &fileInfo) == 0, fileInfo.st_uid != geteuid() else { continue }
                return "'\(file)' in the shared directory '\(directory)' belongs to user \(fileInfo.st_uid), not to this user "
                    + "(\(geteuid())): someone else may have planted it; remove it, or keep \(what) in a directory only you can write"
            }
            return nil
        }
        return "others may write \(what)'s directory '\(directory)' (mode \(String(mode, radix: 8))), so they could replace "
            + "or plant its files; run 'chmod go-w \(directory)' or use a directory only you can write (mode 0700)"
    }

    /// Why the file at `path` (when it exists) may have been planted or read by someone else:
    /// it belongs to another user than this one (or than `owner`, for root), or group or
    /// others may read it beyond what `readable` allows; nil when neither.
    ///
    /// - Parameters:
    ///   - owner: another owner root accepts, such as the ledger file's.
    ///   - readable: the read bits (0o044 at most) already granted on the same data.
    public static func fileProblem(_ path: String, owner: uid_t? = nil, readable: mode_t = 0) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let user = geteuid()
        if info.st_uid != user && !(user == 0 && owner == info.st_uid) {
            return "'\(path)' belongs to user \(info.st_uid), not to this user (\(user)): someone else may have planted it; "
                + "check it, remove it and run again"
        }
        let mode = info.st_mode & 0o777
        if mode & 0o044 & ~readable != 0 {
            return "'\(path)' is readable by group or others (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        }
        return nil
    }
}
