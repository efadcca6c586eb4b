import Foundation
import TestSupport
import Testing

@testable import Executor

/// Archives hold whole conversations: a directory others may write, or a file another user
/// made or others may read, is refused (issue 15).
struct ArchiveOwnershipTests {
    @Test(arguments: [0o777, 0o1777, 0o770])
    func aDirectoryOthersMayWriteIsRefused(mode: Int) throws {
        let directory = TemporaryDirectory()
        let archive = directory.file("archive")
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: false)
        chmod(archive, mode_t(mode))
        let store = ArchiveStore(directory: archive)
        #expect {
            try store.write(threadID: "thread_a", document: Array("{}".utf8))
        } throws: { error in
            guard case .exposed(let reason) = error as? ArchiveError else { return false }
            return reason.contains("others may write the archive directory '\(archive)'") && reason.contains("chmod 700 \(archive)")
        }
        #expect(!FileManager.default.fileExists(atPath: store.path(of: "thread_a")))
        chmod(archive, 0o700)
        try store.write(threadID: "thread_a", document: Array("{}".utf8))
        #expect(try store.read(threadID: "thread_a") == Array("{}".utf8))
    }

    @Test func anArchiveOthersMayReadIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"))
        let written = try store.write(threadID: "thread_a", document: Array("{}".utf8))
        chmod(written.path, 0o644)
        #expect {
            _ = try store.read(threadID: "thread_a")
        } throws: { error in
            guard case .exposed(let reason) = error as? ArchiveError else { return false }
            return reason.contains("'\(written.path)' is readable by group or others")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to make a file another user's"))
    func anArchiveOfAnotherUserIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"))
        let written = try store.write(threadID: "thread_a", document: Array("{}".utf8))
        chown(written.path, 65534, 65534)
        #expect {
            _ = try store.read(threadID: "thread_a")
        } throws: { error in
            guard case .exposed(let reason) = error as? ArchiveError else { return false }
            return reason.contains("belongs to user 65534")
        }
    }
}
