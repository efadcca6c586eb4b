import Foundation
import TestSupport
import Testing

@testable import Ledger

/// A ledger where others may write, or whose `-wal`/`-shm` someone else made, is refused
/// before SQLite opens it (issue 15).
struct LedgerOwnershipTests {
    func refusal(_ path: String) -> LedgerError? {
        do {
            _ = try Ledger(path: path)
            return nil
        } catch let error as LedgerError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [0o777, 0o770, 0o722])
    func aDirectoryOthersMayWriteIsRefused(mode: Int) throws {
        let directory = TemporaryDirectory()
        let shared = directory.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, mode_t(mode))
        let path = shared + "/ledger.sqlite3"
        let named = (path as NSString).deletingLastPathComponent
        let error = try #require(refusal(path))
        #expect(error.kind == .cannotOpen)
        #expect(
            error.message.contains("others may write the ledger's directory '\(named)' (mode \(String(mode, radix: 8)))"),
            "\(error.message)")
        #expect(error.message.contains("chmod go-w \(named)"))
        // Nothing was created there.
        #expect(!FileManager.default.fileExists(atPath: path))
        chmod(shared, 0o700)
        #expect(refusal(path) == nil)
    }

    @Test func aStickySharedDirectoryIsAcceptedWhileEveryFileIsOurs() throws {
        let directory = TemporaryDirectory()
        let shared = directory.file("tmp")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        let path = shared + "/ledger.sqlite3"
        try Ledger(path: path).save(ThreadRecord(id: "thread_a", createdAt: 10, firstSeen: 20))
        #expect(try Ledger(path: path).count() == 1)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to make a file another user's"), arguments: ["-wal", "-shm"])
    func aCompanionPlantedByAnotherUserInAStickyDirectoryIsRefused(suffix: String) throws {
        let directory = TemporaryDirectory()
        let shared = directory.file("tmp")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        let path = shared + "/ledger.sqlite3"
        // Planted before the ledger exists, mode 0666, as another user could.
        let planted = path + suffix
        #expect(FileManager.default.createFile(atPath: planted, contents: Data()))
        chmod(planted, 0o666)
        chown(planted, 65534, 65534)
        let error = try #require(refusal(path))
        let named = (path as NSString).deletingLastPathComponent
        #expect(error.message.contains("'\(planted)' in the shared directory '\(named)' belongs to user 65534"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to make a file another user's"))
    func aCompanionOfAnotherUserIsRefusedInAPrivateDirectoryToo() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        try Ledger(path: path).save(ThreadRecord(id: "thread_a", createdAt: 10, firstSeen: 20))
        let planted = path + "-shm"
        #expect(FileManager.default.createFile(atPath: planted, contents: Data()))
        chown(planted, 65534, 65534)
        let error = try #require(refusal(path))
        #expect(error.message.contains("'\(planted)' belongs to user 65534"), "\(error.message)")
    }

    @Test(.enabled(if: geteuid() == 0, "root opening a service user's ledger"))
    func rootMayOpenALedgerWhoseFilesAllBelongToItsOwner() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        // The service's connection stays open, so its -wal and -shm exist.
        let service = try Ledger(path: path)
        try service.save(ThreadRecord(id: "thread_a", createdAt: 10, firstSeen: 20))
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(chown(file, 65534, 65534) == 0, "\(file)")
        }
        #expect(try Ledger(path: path, readOnly: true).count() == 1)
        withExtendedLifetime(service) {}
    }

    @Test func aWalMoreReadableThanTheLedgerIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("ledger.sqlite3")
        try Ledger(path: path).save(ThreadRecord(id: "thread_a", createdAt: 10, firstSeen: 20))
        let wal = path + "-wal"
        if !FileManager.default.fileExists(atPath: wal) { #expect(FileManager.default.createFile(atPath: wal, contents: Data())) }
        chmod(wal, 0o644)
        let error = try #require(refusal(path))
        #expect(error.message.contains("'\(wal)' is readable by group or others (mode 644); run 'chmod 600 \(wal)'"), "\(error.message)")
        // A ledger its owner made group-readable may have a -wal as readable.
        chmod(path, 0o640)
        chmod(wal, 0o640)
        #expect(refusal(path) == nil)
    }
}
