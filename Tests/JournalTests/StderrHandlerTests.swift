import Foundation
import Synchronization
import Testing

@testable import Journal

@Suite struct StderrHandlerTests {
    let utc = TimeZone(identifier: "UTC")!
    let date = Date(timeIntervalSince1970: 1_795_507_800.25)  // 2026-11-24 08:10:00.250 UTC

    final class Lines: Sendable {
        let stored = Mutex<[String]>([])
        var all: [String] { stored.withLock { $0 } }
    }

    @Test func textLinesAreReadableAndOneLineEach() {
        let lines = Lines()
        let handler = StderrHandler(format: .text, timeZone: utc) { line in lines.stored.withLock { $0.append(line) } }
        handler.log(LogEntry(level: .notice, message: "run finished", metadata: ["run": "12", "rule": "stale-support"], date: date))
        handler.log(
            LogEntry(level: .error, message: "delete failed:\nHTTP 500", metadata: ["error": "bad \"key\" = x", "empty": ""], date: date))
        #expect(
            lines.all == [
                "2026-11-24 08:10:00 notice: run finished rule=stale-support run=12\n",
                "2026-11-24 08:10:00 err: delete failed:\\nHTTP 500 empty=\"\" error=\"bad \\\"key\\\" = x\"\n",
            ])
    }

    @Test func timestampsInAZoneAndInTheHostsLocalTimeWithoutFoundationsCalendar() throws {
        #expect(StderrHandler.timestamp(date, timeZone: utc) == "2026-11-24 08:10:00")
        let kolkata = try #require(TimeZone(secondsFromGMT: 5 * 3600 + 1800))
        #expect(StderrHandler.timestamp(date, timeZone: kolkata) == "2026-11-24 13:40:00")
        // nil is the host's local time as libc reads it, the zone Foundation calls current.
        #expect(StderrHandler.timestamp(date, timeZone: nil) == StderrHandler.timestamp(date, timeZone: .current))
        #expect(StderrHandler(format: .text) { _ in }.timeZone == nil)
    }

    @Test func jsonLinesParseBackToTheEntry() throws {
        let lines = Lines()
        let handler = StderrHandler(format: .json, timeZone: utc) { line in lines.stored.withLock { $0.append(line) } }
        handler.log(
            LogEntry(level: .warning, message: "a \"quoted\"\nmessage", messageID: .breakerOpened, metadata: ["rule": "r"], date: date))
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "a \"quoted\"\nmessage")
        #expect(object["level"] as? String == "warning")
        #expect(object["priority"] as? Int == 4)
        #expect(object["message_id"] as? String == MessageID.breakerOpened.hex)
        #expect(object["metadata"] as? [String: String] == ["rule": "r"])
        #expect(object["time"] as? String == "2026-11-24T08:10:00.250Z")
        #expect(object["label"] as? String == "threadkeeper")
    }

    @Test func writesWholeLinesToAFileDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let handler = StderrHandler(format: .text, fileDescriptor: fds[1], timeZone: utc)
        handler.log(LogEntry(level: .info, message: "hello", date: date))
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        #expect(String(decoding: data, as: UTF8.self) == "2026-11-24 08:10:00 info: hello\n")
    }
}
