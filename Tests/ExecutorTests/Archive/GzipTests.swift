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

    @Test func crc32MatchesTheKnownCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
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
