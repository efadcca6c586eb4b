import Foundation
import TestSupport
import Testing

@testable import Ledger

struct LineReaderTests {
    func lines(_ text: String, chunkSize: Int, maximum: Int = 1 << 20) throws -> [String] {
        let directory = TemporaryDirectory()
        let path = try directory.write("f", text)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var out: [String] = []
        try LineReader(descriptor: descriptor, path: path, chunkSize: chunkSize, maximumLineLength: maximum).forEachLine {
            out.append("\($1)\($2 ? "!" : ""):" + String(decoding: $0, as: UTF8.self))
            return true
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func linesSurviveAnyChunking(chunkSize: Int) throws {
        #expect(try lines("ab\r\ncde\n\nf", chunkSize: chunkSize) == ["1:ab", "2:cde", "3:", "4:f"])
        #expect(try lines("", chunkSize: chunkSize) == [])
        #expect(try lines("x\n", chunkSize: chunkSize) == ["1:x"])
    }

    @Test func overlongLineIsCutAndTheRestSkipped() throws {
        #expect(try lines("ok\n0123456789abc\nnext\n", chunkSize: 4, maximum: 8) == ["1:ok", "2!:01234567", "3:next"])
    }

    @Test func aLineManyTimesTheLimitIsOneLine() throws {
        // Each further buffer-full of the same line used to come out as a line of its own.
        let long = String(repeating: "x", count: 100)
        #expect(try lines("a\n\(long)\nb\n", chunkSize: 4, maximum: 8) == ["1:a", "2!:xxxxxxxx", "3:b"])
        #expect(try lines(long, chunkSize: 4, maximum: 8) == ["1!:xxxxxxxx"])
    }
}
