import Foundation
import TestSupport
import Testing

@testable import Executor

struct GzipTests {
    static let samples: [[UInt8]] = [
        [],
        Array("a".utf8),
        Array(String(repeating: "{\"role\":\"user\",\"content\":\"hello there\"},", count: 500).utf8),
        (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) },
        Array(repeating: 0, count: 100_000),
    ]

    @Test(arguments: 0..<5) func roundTrips(index: Int) throws {
        let data = Self.samples[index]
        let file = Gzip.compress(data)
        #expect(try Gzip.decompress(file) == data)
    }

    @Test func compressesRepetitiveJSON() {
        let data = Self.samples[2]
        #expect(Gzip.compress(data).count < data.count / 10)
    }

    @Test func theTrailerHoldsTheKnownCRC32CheckValueAndTheSize() {
        let file = Gzip.compress(Array("123456789".utf8))
        #expect(Array(file.suffix(8)) == [0x26, 0x39, 0xF4, 0xCB, 9, 0, 0, 0])
    }

    @Test func theHeaderIsGzipsWithTheTimeUnixAndBestCompression() {
        let file = Gzip.compress(Array("x".utf8), modificationTime: 0x6933_9C30)
        // ID1 ID2 CM=8 FLG=0, MTIME little-endian, XFL=2 (slowest, best compression), OS=3 (Unix).
        #expect(Array(file.prefix(10)) == [0x1F, 0x8B, 8, 0, 0x30, 0x9C, 0x33, 0x69, 2, 3])
    }

    /// Tests/ExecutorTests/Archive/Fixtures/old-encoder.json.gz was written by the DEFLATE encoder
    /// threadkeeper had before zlib (fixed Huffman codes only); archives made then must still read.
    @Test func archivesWrittenBeforeZlibStillRead() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let file = try #require(FileManager.default.contents(atPath: fixtures.appendingPathComponent("old-encoder.json.gz").path))
        let json = try #require(FileManager.default.contents(atPath: fixtures.appendingPathComponent("old-encoder.json").path))
        #expect(Array(file.prefix(4)) == [0x1F, 0x8B, 8, 0])
        #expect(file.count == 1000)
        #expect(try Gzip.decompress(Array(file)) == Array(json))
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"))
        try FileManager.default.createDirectory(
            atPath: store.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: store.path(of: "thread_old"), contents: file, attributes: [.posixPermissions: 0o600])
        #expect(try store.read(threadID: "thread_old") == Array(json))
    }

    @Test func ourFilesAreNoLargerThanGzip9Makes() throws {
        let directory = TemporaryDirectory()
        let data = Self.samples[2] + Self.samples[3]
        let plain = directory.file("z")
        _ = FileManager.default.createFile(atPath: plain, contents: Data(data))
        let result = try ProcessRunner.run("/bin/gzip", ["-9", "-n", plain])
        #expect(result.status == 0)
        let theirs = try #require(FileManager.default.contents(atPath: plain + ".gz"))
        #expect(Gzip.compress(data).count <= theirs.count)
    }

    @Test func concatenatedMembersReadAsOne() throws {
        let file = Gzip.compress(Self.samples[1]) + Gzip.compress(Self.samples[2])
        #expect(try Gzip.decompress(file) == Self.samples[1] + Self.samples[2])
    }

    @Test func inflatingStopsAtTheLimit() throws {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.count < 8 << 10)
        #expect(try Gzip.decompress(bomb, limit: 4 << 20).count == 4 << 20)
        #expect(throws: ArchiveError.damaged("it inflates to more than 1048576 bytes, more than any archive threadkeeper writes")) {
            try Gzip.decompress(bomb, limit: 1 << 20)
        }
    }

    @Test func damageIsNamed() {
        let file = Gzip.compress(Self.samples[2])
        #expect(throws: ArchiveError.damaged("the file ends early (cut short while written or copied)")) {
            try Gzip.decompress(Array(file.prefix(file.count - 20)))
        }
        var flipped = file
        flipped[file.count - 6] ^= 0xFF
        #expect(throws: ArchiveError.damaged("incorrect data check (zlib had read \(file.count - 4) of \(file.count) bytes)")) {
            try Gzip.decompress(flipped)
        }
        var lengthWrong = file
        lengthWrong[file.count - 4] ^= 0x01
        #expect(throws: ArchiveError.damaged("incorrect length check (zlib had read \(file.count) of \(file.count) bytes)")) {
            try Gzip.decompress(lengthWrong)
        }
        #expect(throws: ArchiveError.damaged("not a gzip file")) { try Gzip.decompress(Array("{\"format\":2}   plain json".utf8)) }
    }

    @Test func systemGunzipReadsOurFilesAndWeReadGzips() throws {
        let directory = TemporaryDirectory()
        let data = Self.samples[2] + Self.samples[3]
        let path = directory.file("x.gz")
        _ = FileManager.default.createFile(atPath: path, contents: Data(Gzip.compress(data)))
        let result = try ProcessRunner.run("/bin/sh", ["-c", "gzip -dc \"$0\" > \"$0.out\"", path])
        #expect(result.status == 0)
        #expect(FileManager.default.contents(atPath: path + ".out").map(Array.init) == data)
        // And a file made by gzip -9 (dynamic Huffman blocks) reads back.
        let plain = directory.file("y")
        _ = FileManager.default.createFile(atPath: plain, contents: Data(data))
        _ = try ProcessRunner.run("/bin/gzip", ["-9", plain])
        let made = try #require(FileManager.default.contents(atPath: plain + ".gz"))
        #expect(try Gzip.decompress(Array(made)) == data)
    }

    @Test func aDamagedFileIsRefused() {
        var file = Gzip.compress(Self.samples[2])
        file[file.count - 6] ^= 0xFF
        #expect(throws: ArchiveError.self) { try Gzip.decompress(file) }
        #expect(throws: ArchiveError.self) { try Gzip.decompress([1, 2, 3]) }
    }

    @Test func theStoreWritesPrivateFilesAtomically() throws {
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"))
        let document = Array("{\"thread\":{}}".utf8)
        let (path, _) = try store.write(threadID: "thread_a", document: document)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try store.read(threadID: "thread_a") == document)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory) == ["thread_a.json.gz"])
        #expect(throws: ArchiveError.self) { try store.read(threadID: "thread_b") }
    }

    @Test func aDocumentPastTheLimitIsRefusedAndNothingIsWritten() throws {
        let directory = TemporaryDirectory()
        let store = ArchiveStore(directory: directory.file("archive"), maximumDocumentSize: 100)
        #expect(throws: ArchiveError.unarchivable("thread 'thread_big': its document is 101 bytes, more than the 100 an archive may hold"))
        {
            try store.write(threadID: "thread_big", document: [UInt8](repeating: 0x20, count: 101))
        }
        #expect(!FileManager.default.fileExists(atPath: store.path(of: "thread_big")))
        try store.write(threadID: "thread_ok", document: [UInt8](repeating: 0x20, count: 100))
        #expect(try store.read(threadID: "thread_ok").count == 100)
    }
}

struct ArchiveLocationTests {
    @Test func theArchiveGoesUnderTheStateDirectoryElseBesideTheLedger() {
        #expect(
            ArchiveStore.defaultDirectory(ledgerPath: "/x/l.db", environment: ["STATE_DIRECTORY": "/var/lib/tk"]) == "/var/lib/tk/archive")
        #expect(ArchiveStore.defaultDirectory(ledgerPath: "/srv/tk/ledger.sqlite3", environment: [:]) == "/srv/tk/archive")
        let relative = ArchiveStore.defaultDirectory(ledgerPath: "ledger.sqlite3", environment: [:])
        #expect(relative == (FileManager.default.currentDirectoryPath as NSString).standardizingPath + "/archive")
    }
}
