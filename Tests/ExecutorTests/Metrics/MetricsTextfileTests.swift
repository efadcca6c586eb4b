import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Executor

/// The file node_exporter reads is replaced whole: a reader sees the old text or the new one.
struct MetricsTextfileTests {
    /// Two texts of 256 KiB, far more than one write(2) of a pipe buffer, each ending in a marker.
    static let texts = ["a", "b"].map { letter in
        String(repeating: "# HELP x_\(letter) \(String(repeating: letter, count: 100))\n", count: 2_400) + "# end \(letter)\n"
    }

    @Test func aReaderNeverSeesAPartialFile() throws {
        let directory = TemporaryDirectory()
        let file = MetricsTextfile(directory: directory.path)
        try file.replace(with: Self.texts[0])
        let path = file.path
        // The writer alternates the two texts until the reader has seen both often enough. It is
        // a thread of its own, not a task: a loop of fsync and rename on the cooperative pool
        // would hold one of its few threads and starve the tests running beside this one.
        let readerDone = Flag()
        let writerDone = Flag()
        let writerError = Mutex<String?>(nil)
        let writer = Thread {
            defer { writerDone.set() }
            do {
                var round = 0
                while !readerDone.isSet && round < 100_000 {
                    round += 1
                    try file.replace(with: Self.texts[round % 2])
                }
                try file.replace(with: Self.texts[0])
            } catch {
                writerError.withLock { $0 = String(describing: error) }
            }
        }
        writer.start()
        var reads = 0
        var partial = 0
        var seen: Set<Int> = []
        while reads < 200 || seen.count < 2, !writerDone.isSet {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let text = String(decoding: data, as: UTF8.self)
            if let index = Self.texts.firstIndex(of: text) { seen.insert(index) } else { partial += 1 }
            reads += 1
        }
        readerDone.set()
        while !writerDone.isSet { usleep(1_000) }
        #expect(writerError.withLock { $0 } == nil)
        #expect(partial == 0)
        #expect(reads >= 200)
        #expect(seen == [0, 1])
        // Only the file itself is left, readable by node_exporter's user.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["threadkeeper.prom"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.texts[0])
    }

    @Test func aMissingDirectoryNamesThePathAndTheSetting() throws {
        let directory = TemporaryDirectory()
        let file = MetricsTextfile(directory: directory.file("absent"))
        #expect {
            try file.replace(with: "x 1\n")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("'\(directory.file("absent"))/threadkeeper.prom'") && text.contains("no such file or directory")
                && text.contains("TextfileDirectory=")
        }
    }
}

/// Set once, read from another thread.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }

    var isSet: Bool { value.withLock { $0 } }
}
