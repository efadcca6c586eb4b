import Emulator
import Foundation
import Testing

@testable import ThreadsAPI

/// The frames between `HelperTransport` and `threadkeeper-http`: every message survives the
/// trip byte for byte, however the bytes are cut, and a stream that is not frames is refused.
@Suite struct HelperFrameTests {
    static let messages: [HelperMessage] = [
        .request(
            id: 1,
            HTTPRequest(
                method: "POST", url: URL(string: "https://api.example.com/v1/threads/thread_a?x=1")!,
                headers: [("Authorization", "Bearer sk-frame"), ("Content-Type", "application/json"), ("X-Twice", "a"), ("X-Twice", "b")],
                body: Data(#"{"metadata":{"tag":"ü\n"}}"#.utf8), timeout: 2.5, maxResponseBytes: 1 << 20)),
        .request(id: 2, HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/threads/t")!)),
        .request(id: 3, HTTPRequest(method: "DELETE", url: URL(string: "http://localhost:1/x")!, body: Data())),
        .cancel(id: 1),
        .response(
            id: 1, HTTPResponse(status: 200, headers: ["x-request-id": "req_1", "content-type": "application/json"], body: Data("{}".utf8))),
        .response(id: UInt64.max, HTTPResponse(status: 404, body: Data((0..<300).map { UInt8($0 % 256) }))),
        .failure(id: 7, TransportError(.timedOut, "no answer within the timeout")),
        .failure(id: 8, TransportError(.responseTooLarge)),
    ]

    @Test func everyMessageSurvivesTheTrip() throws {
        for message in Self.messages {
            var reader = HelperFrameReader(maxFrameBytes: 1 << 20)
            reader.append(HelperFrame.encode(message))
            #expect(try reader.next() == message)
            #expect(try reader.next() == nil)
            #expect(reader.pendingBytes == 0)
        }
    }

    @Test func aRequestWithoutABodyStaysWithoutOne() throws {
        var reader = HelperFrameReader(maxFrameBytes: 1 << 20)
        reader.append(HelperFrame.encode(Self.messages[1]))
        guard case .request(_, let request)? = try reader.next() else { Issue.record("not a request"); return }
        #expect(request.body == nil)
        reader.append(HelperFrame.encode(Self.messages[2]))
        guard case .request(_, let empty)? = try reader.next() else { Issue.record("not a request"); return }
        #expect(empty.body == Data())
    }

    /// All messages in one stream, fed one byte at a time, then in random cuts.
    @Test func anyCutOfTheStreamGivesTheSameMessages() throws {
        let stream = Self.messages.flatMap(HelperFrame.encode)
        var reader = HelperFrameReader(maxFrameBytes: 1 << 20)
        var read: [HelperMessage] = []
        for byte in stream {
            reader.append([byte])
            while let message = try reader.next() { read.append(message) }
        }
        #expect(read == Self.messages)
        var random = SplitMix64(seed: 42)
        for _ in 0..<200 {
            var reader = HelperFrameReader(maxFrameBytes: 1 << 20)
            var read: [HelperMessage] = []
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + Int(random.next() % 97) + 1)
                reader.append(stream[offset..<end])
                while let message = try reader.next() { read.append(message) }
                offset = end
            }
            #expect(read == Self.messages)
        }
    }

    @Test func aFrameLongerThanTheLimitIsRefusedBeforeItIsBuffered() {
        var reader = HelperFrameReader(maxFrameBytes: 1000)
        reader.append([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: HelperFrameError("a frame of 2147483647 bytes (the most is 1000)")) { try reader.next() }
    }

    @Test(arguments: [
        ("not json", "a frame header that is not JSON"),
        ("[1]", "a frame header that is not an object"),
        (#"{"status":200}"#, "a frame without a request id"),
        (#"{"id":"1","failure":"on fire"}"#, "an unknown transport failure 'on fire'"),
        (#"{"id":"1","status":42,"headers":[]}"#, "an http status 42"),
        (#"{"id":"1","status":200,"headers":[["a"]]}"#, "a header that is not a [name, value] pair"),
        (#"{"id":"1"}"#, "a frame that is neither a request, a cancel, an answer nor a failure"),
    ])
    func aHeaderThatIsNotAMessageIsRefusedWithItsReason(header: String, reason: String) {
        let bytes = Array(header.utf8)
        var frame: [UInt8] = []
        for length in [4 + bytes.count, bytes.count] {
            frame += [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        }
        var reader = HelperFrameReader(maxFrameBytes: 1 << 20)
        reader.append(frame + bytes)
        do {
            _ = try reader.next()
            Issue.record("expected '\(reason)'")
        } catch {
            #expect(error.reason.hasPrefix(reason), "\(error.reason)")
        }
    }

    /// Random damage to a valid stream: the reader refuses it or reads messages; it never traps.
    @Test func damagedStreamsAreRefusedOrRead() {
        let stream = Self.messages.flatMap(HelperFrame.encode)
        var random = SplitMix64(seed: 7)
        var refused = 0
        for _ in 0..<2000 {
            var damaged = stream
            for _ in 0..<Int(random.next() % 4 + 1) {
                damaged[Int(random.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            var reader = HelperFrameReader(maxFrameBytes: 1 << 16)
            reader.append(damaged)
            do {
                while try reader.next() != nil {}
            } catch {
                refused += 1
            }
        }
        // Most damage lands in a header, a length or a JSON string and is seen; damage inside a body is not.
        #expect(refused > 500)
    }
}
