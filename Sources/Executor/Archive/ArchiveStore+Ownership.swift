import Foundation
import Ledger

extension ArchiveStore {
    /// Refuses an archive directory others may write (no sticky exception: archives hold
    /// whole conversations) or that belongs to another user (root excepted), and, when
    /// `threadID` is given, an archive file that is not this user's or that group or others
    /// may read.
    func checkOwnership(threadID: String? = nil) throws {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        let user = geteuid()
        if info.st_uid != user && user != 0 {
            throw ArchiveError.exposed(
                "the archive directory '\(directory)' belongs to user \(info.st_uid), not to this user (\(user)); "
                    + "use a directory of your own")
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o022 != 0 {
            throw ArchiveError.exposed(
                "others may write the archive directory '\(directory)' (mode \(String(mode, radix: 8))); "
                    + "run 'chmod 700 \(directory)'")
        }
        if let threadID, let problem = FileOwnership.fileProblem(path(of: threadID), owner: info.st_uid) {
            throw ArchiveError.exposed(problem)
        }
    }
}
