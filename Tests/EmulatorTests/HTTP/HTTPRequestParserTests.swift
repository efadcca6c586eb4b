import Foundation
import Testing

@testable import Emulator

/// Feeds `input` in pieces of `chunk` bytes (1 = byte at a time) and collects every event but `.needMoreData`.
func drip(_ input: String, chunk: Int = 1, limits: HTTPLimits = HTTPLimits()) -> [HTTPParserEvent] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [HTTPParserEvent] = []
    let bytes = Array(input.utf8)
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        parser.append(bytes[offset..<end])
        offset = end
        loop: while true {
            let event = parser.next()
            switch event {
            case .needMoreData: break loop
            case .failure:
                events.append(event)
                return events
            case .request: events.append(event)
            }
        }
    }
    return events
}

func requests(_ events: [HTTPParserEvent]) -> [EmulatorRequest] {
    events.compactMap { if case .request(let request) = $0 { return request } else { return nil } }
}

struct HTTPRequestParserTests {
    @Test(arguments: [1, 2, 3, 7, 1000])
    func simpleGetInAnySplit(chunk: Int) {
        let events = drip("GET /v1/threads/thread_1?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer k\r\n\r\n", chunk: chunk)
        #expect(events.count == 1)
        let request = requests(events)[0]
        #expect(request.method == "GET")
        #expect(request.target == "/v1/threads/thread_1?x=1")
        #expect(request.path == "/v1/threads/thread_1")
        #expect(request.header("authorization") == "Bearer k")
        #expect(request.header("HOST") == "a")
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test func contentLengthBodyByteAtATime() {
        let events = drip("POST /threads HTTP/1.1\r\nContent-Length: 13\r\n\r\n{\"metadata\":1}")
        let request = requests(events)[0]
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"metadata\":1")
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let input =
            "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
            + "GET /b HTTP/1.1\r\n\r\n"
            + "DELETE /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        for chunk in [1, 5, 4096] {
            let all = requests(drip(input, chunk: chunk))
            #expect(all.map(\.method) == ["POST", "GET", "DELETE"])
            #expect(all.map { String(decoding: $0.body, as: UTF8.self) } == ["hi", "", "abc"])
        }
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() {
        let input =
            "POST /threads HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let request = requests(drip(input))[0]
        #expect(String(decoding: request.body, as: UTF8.self) == "hello, world!!!")
    }

    @Test func bareLineFeedsAndLeadingEmptyLineAreAccepted() {
        let request = requests(drip("\r\nGET /x HTTP/1.1\nHost: h\n\n"))[0]
        #expect(request.target == "/x")
        #expect(request.header("host") == "h")
    }

    @Test func absoluteFormTargetKeepsPathAndQuery() {
        #expect(requests(drip("GET http://127.0.0.1:8080/v1/threads/t?x=1 HTTP/1.1\r\n\r\n"))[0].target == "/v1/threads/t?x=1")
        #expect(requests(drip("GET http://host HTTP/1.1\r\n\r\n"))[0].target == "/")
    }

    @Test func http10ClosesUnlessKeepAlive() {
        #expect(requests(drip("GET / HTTP/1.0\r\n\r\n"))[0].keepAlive == false)
        #expect(requests(drip("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))[0].keepAlive == true)
        #expect(requests(drip("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))[0].keepAlive == false)
    }

    @Test(arguments: [
        ("garbage\r\n\r\n", HTTPParseError.badRequestLine),
        ("GET /x\r\n\r\n", .badRequestLine),
        ("GET  /x HTTP/1.1\r\n\r\n", .badRequestLine),
        ("GET x HTTP/1.1\r\n\r\n", .badRequestLine),
        ("GET /x HTTP/2.0\r\n\r\n", .unsupportedVersion),
        ("GET /x HTTP/1.1\r\nNoColonHere\r\n\r\n", .badHeader),
        ("GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", .badHeader),
        ("GET /x HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", .badHeader),
        ("POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n", .badContentLength),
        ("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .badContentLength),
        ("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", .badContentLength),
        ("POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .badContentLength),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .badChunk),
        ("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n", .badChunk),
    ])
    func malformedInputFails(input: String, expected: HTTPParseError) {
        for chunk in [1, 4096] {
            let events = drip(input, chunk: chunk)
            #expect(events.last == .failure(expected), "input \(input.debugDescription) in chunks of \(chunk)")
        }
    }

    @Test func failureIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n".utf8))
        #expect(parser.next() == .failure(.badRequestLine))
        parser.append(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(parser.next() == .failure(.badRequestLine))
    }

    @Test func headerLimitGives431() {
        let limits = HTTPLimits(maxHeaderBytes: 64)
        let long = "GET /x HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 100) + "\r\n\r\n"
        #expect(drip(long, limits: limits).last == .failure(.headersTooLarge))
        // A header that never ends is refused as soon as it passes the limit, without waiting for a line feed.
        #expect(drip("GET /x HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), limits: limits).last == .failure(.headersTooLarge))
        let many = "GET /x HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 5) + "\r\n"
        #expect(drip(many, limits: HTTPLimits(maxHeaderCount: 4)).last == .failure(.headersTooLarge))
    }

    @Test func bodyLimitGives413() {
        let limits = HTTPLimits(maxBodyBytes: 10)
        #expect(drip("POST /x HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits: limits).last == .failure(.bodyTooLarge))
        let chunked = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"
        #expect(drip(chunked, limits: limits).last == .failure(.bodyTooLarge))
        #expect(requests(drip("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits)).count == 1)
    }

    @Test func partialRequestIsReportedForTheRequestTimeout() {
        var parser = HTTPRequestParser()
        #expect(parser.hasPartialRequest == false)
        parser.append(Array("GET / HT".utf8))
        #expect(parser.next() == .needMoreData)
        #expect(parser.hasPartialRequest)
        parser.append(Array("TP/1.1\r\n\r\n".utf8))
        #expect(requests([parser.next()]).count == 1)
        #expect(parser.next() == .needMoreData)
        #expect(parser.hasPartialRequest == false)
    }

    @Test func expectContinueIsSignalledOnce() {
        var parser = HTTPRequestParser()
        parser.append(Array("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(parser.next() == .needMoreData)
        let first = parser.takeContinueRequest()
        let second = parser.takeContinueRequest()
        #expect(first)
        #expect(second == false)
        parser.append(Array("ok".utf8))
        #expect(requests([parser.next()]).first?.body == Array("ok".utf8))
    }

    @Test func queryItemsArePercentDecoded() {
        let request = EmulatorRequest(method: "GET", target: "/t?limit=2&after=msg_a%2Bb&order=asc&flag")
        #expect(request.queryItems.map(\.name) == ["limit", "after", "order", "flag"])
        #expect(request.queryItems.map(\.value) == ["2", "msg_a+b", "asc", ""])
    }

    /// A bounded fuzz run: random bytes and mutations of valid requests never crash the parser or loop forever.
    ///
    /// 3,000 cases by default; CI sets `THREADKEEPER_FUZZ_SECONDS` to keep mutating for that long.
    @Test func fuzzedInputNeverCrashes() {
        let seconds = Double(ProcessInfo.processInfo.environment["THREADKEEPER_FUZZ_SECONDS"] ?? "") ?? 0
        let deadline = Date().addingTimeInterval(seconds)
        var random = SplitMix64(seed: UInt64(seconds > 0 ? Int(Date().timeIntervalSince1970) : 42))
        var iteration = 0
        let seeds = [
            "POST /threads HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /v1/threads/thread_x HTTP/1.1\r\nHost: h\r\n\r\n",
        ].map { Array($0.utf8) }
        while iteration < 3000 || Date() < deadline {
            iteration += 1
            var bytes = seeds[random.below(seeds.count)]
            for _ in 0..<(1 + random.below(4)) {
                let position = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                default: bytes.remove(at: position)
                }
            }
            var parser = HTTPRequestParser(limits: HTTPLimits(maxHeaderBytes: 256, maxBodyBytes: 256))
            var steps = 0
            for byte in bytes {
                parser.append([byte])
                while case .request = parser.next() { steps += 1 }
            }
            #expect(steps <= bytes.count)
        }
    }
}
