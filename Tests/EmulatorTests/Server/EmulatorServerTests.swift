import Foundation
import JSON
import TestSupport
import Testing

@testable import Emulator

/// The socket server: keep-alive, pipelining, malformed and slow clients, faults, many connections.
struct EmulatorServerTests {
    static func start(_ configure: (inout EmulatorOptions) -> Void = { _ in }) async throws -> EmulatorServer {
        var options = EmulatorOptions(seedRandom: 3)
        options.eventLoops = 2
        configure(&options)
        return try await EmulatorServer.start(options)
    }

    @Test func baseURLNamesTheChosenPort() async throws {
        let server = try await Self.start()
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        await server.stop()
    }

    @Test func keepAliveAndPipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        // Three requests in one write, the last one chunked and split mid-way.
        try client.send(
            RawHTTPClient.encode("POST", "/threads", body: #"{"metadata":{"n":"1"}}"#)
                + RawHTTPClient.encode("GET", "/threads/thread_missing")
                + "POST /threads HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"met")
        try client.send("\r\n11\r\nadata\":{\"n\":\"2\"}}\r\n0\r\n\r\n")
        let first = try client.response()
        let second = try client.response()
        let third = try client.response()
        #expect(first.status == 200)
        #expect(try JSONParser.parse(first.body)["metadata"]?.string("n") == "1")
        #expect(second.status == 404)
        #expect(third.status == 200)
        #expect(try JSONParser.parse(third.body)["metadata"]?.string("n") == "2")
        #expect(first.header("connection") == "keep-alive")
        // And the connection still serves.
        #expect(try client.request("GET", "/_emulator/stats").status == 200)
        await server.stop()
    }

    @Test(arguments: [
        ("garbage line\r\n\r\n", 400),
        ("GET /threads/x HTTP/1.1\r\nNoColon\r\n\r\n", 400),
        ("GET /x HTTP/3.0\r\n\r\n", 505),
        ("POST /threads HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
        ("POST /threads HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnothex\r\n", 400),
    ])
    func malformedRequestsGetAnErrorAndAClose(input: String, status: Int) async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        try client.send(input)
        let response = try client.response()
        #expect(response.status == status)
        #expect(response.header("connection") == "close")
        #expect(try JSONParser.parse(response.body)["error"] != nil)
        #expect(try client.receive() == .closed)
        // The server is unharmed.
        #expect(try RawHTTPClient(port: server.port).request("POST", "/threads", body: "{}").status == 200)
        await server.stop()
    }

    @Test func oversizedHeaderGets431() async throws {
        let server = try await Self.start { $0.limits.maxHeaderBytes = 1024 }
        let client = try RawHTTPClient(port: server.port)
        try client.send("GET /threads/x HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 4096) + "\r\n\r\n")
        #expect(try client.response().status == 431)
        await server.stop()
    }

    @Test func bodyShorterThanItsLengthTimesOutWith408() async throws {
        let server = try await Self.start { $0.timeouts = ServerTimeouts(idle: 30, request: 0.3) }
        let client = try RawHTTPClient(port: server.port)
        try client.send("POST /threads HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"meta")
        let response = try client.response()
        #expect(response.status == 408)
        #expect(try client.receive() == .closed)
        await server.stop()
    }

    @Test func slowButSteadyClientIsServed() async throws {
        let server = try await Self.start { $0.timeouts = ServerTimeouts(idle: 30, request: 5) }
        let client = try RawHTTPClient(port: server.port)
        for byte in Array(RawHTTPClient.encode("POST", "/threads", body: "{}").utf8) {
            try client.send([byte])
            usleep(200)
        }
        #expect(try client.response().status == 200)
        await server.stop()
    }

    @Test func silentIdleConnectionIsClosed() async throws {
        let server = try await Self.start { $0.timeouts = ServerTimeouts(idle: 0.3, request: 5) }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("POST", "/threads", body: "{}").status == 200)
        #expect(try client.receive() == .closed)
        await server.stop()
    }

    @Test func halfClosedClientStillGetsItsAnswer() async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        try client.send(RawHTTPClient.encode("POST", "/threads", body: "{}"))
        client.shutdownWrite()
        #expect(try client.response().status == 200)
        #expect(try client.receive() == .closed)
        await server.stop()
    }

    @Test func halfClosedClientWithAPartialRequestIsClosedAtOnce() async throws {
        let server = try await Self.start { $0.timeouts = ServerTimeouts(idle: 60, request: 60) }
        let client = try RawHTTPClient(port: server.port, receiveTimeout: 20)
        try client.send("POST /threads HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}")
        client.shutdownWrite()
        #expect(try client.receive() == .closed)
        await server.stop()
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("POST", "/threads", body: "{}", headers: [("Connection", "close")])
        #expect(response.status == 200)
        #expect(response.header("connection") == "close")
        #expect(try client.receive() == .closed)
        await server.stop()
    }

    @Test func expectContinueGetsAnInterimAnswer() async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        try client.send("POST /threads HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(try client.response().status == 100)
        try client.send("{}")
        #expect(try client.response().status == 200)
        await server.stop()
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let server = try await Self.start { $0.faults = EmulatorFaults(requestsPerSecond: 0.5, burst: 2) }
        let client = try RawHTTPClient(port: server.port)
        let first = try client.request("POST", "/threads", body: "{}")
        #expect(first.status == 200)
        #expect(first.header("x-ratelimit-limit-requests") == "2")
        #expect(first.header("x-ratelimit-remaining-requests") == "1")
        #expect(first.header("x-ratelimit-reset-requests") != nil)
        #expect(try client.request("POST", "/threads", body: "{}").status == 200)
        let limited = try client.request("POST", "/threads", body: "{}")
        #expect(limited.status == 429)
        #expect(Int(limited.header("retry-after") ?? "") ?? 0 >= 1)
        #expect(try JSONParser.parse(limited.body)["error"]?.string("code") == "rate_limit_exceeded")
        // Faults change at runtime.
        await server.setFaults(.none)
        #expect(try client.request("POST", "/threads", body: "{}").status == 200)
        let stats = await server.stats()
        #expect(stats.requestsByStatus[429] == 1)
        #expect(stats.requestsByStatus[200] == 3)
        await server.stop()
    }

    @Test func failAndResetRatesInjectFaults() async throws {
        let server = try await Self.start { $0.faults = EmulatorFaults(failRate: 1) }
        let client = try RawHTTPClient(port: server.port)
        let failed = try client.request("POST", "/threads", body: "{}")
        #expect([500, 502, 503].contains(failed.status))
        #expect(try JSONParser.parse(failed.body)["error"]?.string("type") == "server_error")
        await server.setFaults(EmulatorFaults(resetRate: 1))
        let resetClient = try RawHTTPClient(port: server.port)
        try resetClient.send(RawHTTPClient.encode("POST", "/threads", body: "{}"))
        #expect(try resetClient.receive() == .reset)
        let stats = await server.stats()
        #expect(stats.resets == 1)
        #expect(stats.liveThreads == 0)
        await server.stop()
    }

    @Test func latencyHoldsAnswersButKeepsOrder() async throws {
        let server = try await Self.start { $0.faults = EmulatorFaults(latencyMilliseconds: 20) }
        let client = try RawHTTPClient(port: server.port)
        try client.send(
            RawHTTPClient.encode("POST", "/threads", body: #"{"metadata":{"n":"a"}}"#)
                + RawHTTPClient.encode("POST", "/threads", body: #"{"metadata":{"n":"b"}}"#))
        let first = try client.response()
        let second = try client.response()
        #expect(try JSONParser.parse(first.body)["metadata"]?.string("n") == "a")
        #expect(try JSONParser.parse(second.body)["metadata"]?.string("n") == "b")
        await server.stop()
    }

    @Test func servesSixHundredConcurrentConnections() async throws {
        let server = try await Self.start()
        let port = server.port
        let clients = try (0..<600).map { _ in try RawHTTPClient(port: port) }
        // Every connection is open at once; each sends a request before any answer is read.
        for (index, client) in clients.enumerated() {
            try client.send(RawHTTPClient.encode("POST", "/threads", body: #"{"metadata":{"i":"\#(index)"}}"#))
        }
        var ids = Set<String>()
        for (index, client) in clients.enumerated() {
            let response = try client.response()
            #expect(response.status == 200)
            let body = try JSONParser.parse(response.body)
            #expect(body["metadata"]?.string("i") == String(index))
            if let id = body.string("id") { ids.insert(id) }
        }
        #expect(ids.count == 600)
        #expect(await server.liveThreadIDs() == ids)
        await server.stop()
    }

    @Test func concurrentClientsOnManyTasksKeepTheStoreConsistent() async throws {
        let server = try await Self.start()
        let port = server.port
        let created = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let client = try RawHTTPClient(port: port)
                    var ids: [String] = []
                    for _ in 0..<50 {
                        let body = try JSONParser.parse(try client.request("POST", "/threads", body: "{}").body)
                        if let id = body.string("id") { ids.append(id) }
                    }
                    for id in ids.prefix(25) {
                        _ = try client.request("DELETE", "/threads/\(id)")
                    }
                    return ids
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(created.count == 400)
        let stats = await server.stats()
        #expect(stats.liveThreads == 200)
        #expect(stats.deletedThreads == 200)
        #expect(stats.totalRequests == 600)
        #expect(stats.requestsByMethod["DELETE"] == 200)
        #expect(stats.peakRequestsPerSecond >= 1)
        await server.stop()
    }

    @Test func stopClosesOpenConnections() async throws {
        let server = try await Self.start()
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("POST", "/threads", body: "{}").status == 200)
        await server.stop()
        #expect(try client.receive() == .closed)
    }

    @Test func exportWritesTheSeededThreadsAsJSONL() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("threads.jsonl")
        let server = try await Self.start {
            $0.seedCount = 100
            $0.exportFile = path
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 100)
        let client = try RawHTTPClient(port: server.port)
        let first = try JSONParser.parse(String(lines[0]))
        let id = try #require(first.string("id"))
        let served = try client.request("GET", "/threads/\(id)")
        #expect(served.text == String(lines[0]))
        // Reloading the export with --seed-file gives the same threads.
        let reloaded = try await EmulatorServer.start(EmulatorOptions(seedFile: path))
        #expect(await reloaded.liveThreadIDs() == server.liveThreadIDs())
        await reloaded.stop()
        await server.stop()
    }

    @Test func seedingIsReproducible() {
        var a = ThreadStore(seed: 0)
        var b = ThreadStore(seed: 0)
        var c = ThreadStore(seed: 0)
        Seeder.seed(into: &a, count: 500, age: 86_400 * 30, randomSeed: 11, now: 1_700_000_000)
        Seeder.seed(into: &b, count: 500, age: 86_400 * 30, randomSeed: 11, now: 1_700_000_000)
        Seeder.seed(into: &c, count: 500, age: 86_400 * 30, randomSeed: 12, now: 1_700_000_000)
        #expect(a.liveThreads.map(\.json) == b.liveThreads.map(\.json))
        #expect(a.liveThreads.map(\.id) != c.liveThreads.map(\.id))
        let times = a.liveThreads.map(\.createdAt)
        #expect(times == times.sorted())
        #expect(times.first! >= 1_700_000_000 - 86_400 * 30)
        #expect(times.last! <= 1_700_000_000)
        #expect(a.liveThreads.contains { $0.metadata.contains { $0.0 == "legal_hold" } })
    }

    @Test func badSeedFileNamesTheLine() async throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("seed.jsonl", #"{"id":"thread_a","object":"thread","created_at":1}"# + "\n{oops\n")
        await #expect(throws: EmulatorError.self) { try await EmulatorServer.start(EmulatorOptions(seedFile: path)) }
        do {
            _ = try await EmulatorServer.start(EmulatorOptions(seedFile: path))
        } catch {
            #expect(error.description.hasPrefix("\(path):2: invalid JSON"))
        }
    }
}
