import Emulator
import Foundation
import Synchronization
import Testing

@testable import ThreadsAPI

/// The client over real HTTP against the emulator on loopback (port chosen by the kernel).
@Suite struct EmulatorClientTests {
    static let secret = "sk-emulator-test-7d41c0ffee9a2b3c4d5e6f70"

    static func start(
        seed: Int = 0, faults: EmulatorFaults = .none, apiKey: String? = secret
    ) async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorOptions(seedCount: seed, seedRandom: 11, faults: faults, apiKey: apiKey))
    }

    static func client(
        _ server: EmulatorServer, path: String = "", key: String = secret, rate: Double = 500, burst: Int? = nil,
        concurrency: Int = 8, attempts: Int = 6, maxResponseBytes: Int = 16 << 20, transport: (any HTTPTransport)? = nil,
        breaker: Breaker.Settings = Breaker.Settings()
    ) throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(
                provider: .custom, baseURL: server.baseURL + path, timeout: 10, requestsPerSecond: rate, burst: burst,
                concurrency: concurrency, maxAttempts: attempts, maxResponseBytes: maxResponseBytes),
            key: APIKey(key), transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: attempts, baseDelay: 0.02, maxDelay: 0.5, deadline: 60), breaker: breaker)
    }

    @Test(arguments: ["", "/v1"])
    func everyCallWorksOnBothPathLayouts(path: String) async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let client = try Self.client(server, path: path)

        let created = try await client.createThread(
            messages: [NewMessage(content: "first"), NewMessage(role: "assistant", content: "second")],
            metadata: ["tag": "support", "tenant": "acme"])
        let id = created.value.id
        #expect(created.status == 200)
        #expect(created.attempts == 1)
        #expect(created.requestID?.isEmpty == false)
        #expect(created.value.metadata == ["tag": "support", "tenant": "acme"])
        #expect(await server.threadIsLive(id))

        let fetched = try await client.retrieveThread(id)
        #expect(fetched.value == created.value)

        let modified = try await client.modifyThread(id, metadata: ["tag": "sales"])
        #expect(modified.value.metadata["tag"] == "sales")

        let posted = try await client.createMessage(threadID: id, NewMessage(content: "third", metadata: ["m": "1"]))
        #expect(posted.value.text == "third")
        #expect(posted.value.threadID == id)

        let newest = try await client.listMessages(threadID: id, limit: 1, order: .descending)
        #expect(newest.value.data.map(\.text) == ["third"])
        #expect(newest.value.hasMore)
        let all = try await client.listMessages(threadID: id, limit: 100, order: .ascending)
        #expect(all.value.data.map(\.text) == ["first", "second", "third"])
        let page = try await client.listMessages(threadID: id, limit: 2, order: .ascending, after: all.value.data[0].id)
        #expect(page.value.data.map(\.text) == ["second", "third"])
        let activity = try await client.newestMessageTime(threadID: id)
        #expect(activity.value == posted.value.createdAt)

        let message = try await client.retrieveMessage(threadID: id, messageID: posted.value.id)
        #expect(message.value.metadata == ["m": "1"])
        let remarked = try await client.modifyMessage(threadID: id, messageID: posted.value.id, metadata: ["m": "2"])
        #expect(remarked.value.metadata == ["m": "2"])
        #expect(try await client.deleteMessage(threadID: id, messageID: posted.value.id).value == .deleted)
        #expect(try await client.deleteMessage(threadID: id, messageID: posted.value.id).value == .gone)

        let deleted = try await client.deleteThread(id)
        #expect(deleted.value == .deleted)
        #expect(await !server.threadIsLive(id))
        let again = try await client.deleteThread(id)
        #expect(again.value == .gone)
        #expect(again.status == 404)
        await #expect {
            _ = try await client.retrieveThread(id)
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.isNotFound && error.errorType == "invalid_request_error"
                && error.message == "No thread found with id '\(id)'." && error.requestID != nil
        }
    }

    @Test func everyErrorStatusIsMapped() async throws {
        let server = try await Self.start(seed: 3)
        defer { Task { await server.stop() } }
        let id = try #require(await server.liveThreadIDs().first)
        let client = try Self.client(server, attempts: 2)

        // 400: the server's own validation (a role it does not know).
        do {
            _ = try await client.createMessage(threadID: id, NewMessage(role: "system", content: "x"))
            Issue.record("expected a 400")
        } catch let error as APIError {
            #expect(error.kind == .http)
            #expect(error.status == 400)
            #expect(error.errorType == "invalid_request_error")
            #expect(error.attempts == 1)
        }
        // 404 for an unknown thread.
        await #expect {
            _ = try await client.retrieveThread("thread_doesnotexist")
        } throws: { ($0 as? APIError)?.status == 404 }

        // 401 for a wrong key, not retried, the key not echoed.
        let wrong = try Self.client(server, key: "sk-wrong-key-123456")
        do {
            _ = try await wrong.retrieveThread(id)
            Issue.record("expected a 401")
        } catch let error as APIError {
            #expect(error.status == 401)
            #expect(error.code == "invalid_api_key")
            #expect(error.attempts == 1)
            #expect(error.isUnavailable)
            #expect(!error.description.contains("sk-wrong-key-123456"))
        }

        // 5xx retried until the attempts run out.
        await server.setFaults(EmulatorFaults(failRate: 1))
        do {
            _ = try await client.retrieveThread(id)
            Issue.record("expected a 5xx")
        } catch let error as APIError {
            #expect([500, 502, 503].contains(error.status ?? 0))
            #expect(error.attempts == 2)
        }

        // A connection closed without an answer: retried, then a transport error.
        await server.setFaults(EmulatorFaults(resetRate: 1))
        do {
            _ = try await client.retrieveThread(id)
            Issue.record("expected a reset")
        } catch let error as APIError {
            #expect(error.kind == .transport(.connectionReset))
            #expect(error.attempts == 2)
            #expect(error.status == nil)
        }

        // 429 when the server's budget is spent and retries cannot wait long enough.
        await server.setFaults(EmulatorFaults(requestsPerSecond: 0.001, burst: 1))
        func impatient() throws -> ThreadsClient {
            try ThreadsClient(
                configuration: APIConfiguration(provider: .custom, baseURL: server.baseURL, requestsPerSecond: 100),
                key: APIKey(Self.secret), retryPolicy: RetryPolicy(maxAttempts: 3, deadline: 5))
        }
        let first = try impatient()
        _ = try await first.retrieveThread(id)
        do {
            _ = try await impatient().retrieveThread(id)
            Issue.record("expected a 429")
        } catch let error as APIError {
            #expect(error.status == 429)
            #expect(error.code == "rate_limit_exceeded")
            #expect(error.attempts == 1)
        }
        // The first client heard the server is out for 1000 s: it does not send at all.
        do {
            _ = try await first.retrieveThread(id)
            Issue.record("expected the limiter to refuse")
        } catch let error as APIError {
            #expect(error.kind == .deadlineExceeded)
            #expect(error.attempts == 0)
            #expect(error.isUnavailable)
        }
        #expect(await server.stats().requestsByStatus[429] == 1)
    }

    @Test func anAnswerLargerThanTheCapIsNotRead() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let big = try Self.client(server)
        let thread = try await big.createThread(messages: [NewMessage(content: String(repeating: "x", count: 20_000))])
        let small = try Self.client(server, maxResponseBytes: 4096)
        do {
            _ = try await small.listMessages(threadID: thread.value.id)
            Issue.record("expected the answer to be refused")
        } catch let error as APIError {
            #expect(error.kind == .transport(.responseTooLarge))
            #expect(error.attempts == 1)
        }
        #expect(try await small.retrieveThread(thread.value.id).value.id == thread.value.id)
    }

    @Test func underFaultsAllWorkCompletesWithinTheRate() async throws {
        let server = try await Self.start(
            seed: 240, faults: EmulatorFaults(requestsPerSecond: 150, burst: 50, latencyMilliseconds: 5, failRate: 0.2, resetRate: 0.1))
        defer { Task { await server.stop() } }
        let ids = await server.liveThreadIDs()
        #expect(ids.count == 240)
        let client = try Self.client(server, rate: 100, burst: 10, concurrency: 8, attempts: 10)
        let responses = try await withThrowingTaskGroup(of: APIResponse<DeleteOutcome>.self) { group in
            for id in ids { group.addTask { try await client.deleteThread(id) } }
            var responses: [APIResponse<DeleteOutcome>] = []
            for try await response in group { responses.append(response) }
            return responses
        }
        #expect(responses.count == 240)
        let stats = await server.stats()
        #expect(stats.liveThreads == 0)
        #expect(await server.liveThreadIDs().isEmpty)
        // The client grants at most 10 + 100t requests in any window of t seconds, however late
        // its sleeps end (RateLimiterTests makes them late on purpose), and every try went
        // through the limiter: one more request per fault, none hidden. Arrivals at the server are
        // those grants shifted by the time from grant to socket, which a loaded machine
        // stretches: for the server to refuse, arrivals over any window t must exceed 50 + 150t,
        // which needs a request held over 0.4 s between its grant and the socket, and so does a
        // calendar second of more than 150. A burst equal to the client's would turn ordinary
        // scheduling jitter into 429s.
        #expect(stats.requestsByStatus[429, default: 0] == 0)
        #expect(stats.peakRequestsPerSecond <= 150)
        #expect(
            stats.requestsByStatus[500, default: 0] + stats.requestsByStatus[502, default: 0] + stats.requestsByStatus[503, default: 0] > 0)
        #expect(stats.resets > 0)
        #expect(responses.map(\.attempts).reduce(0, +) == stats.totalRequests)
    }

    @Test func retryAfterPausesTheWholeLimiter() async throws {
        // The client learns the server's budget from the first answer's x-ratelimit headers and
        // would then never meet a 429: the server answers after 400 ms, so all three requests are
        // on the wire before any answer, however late a loaded machine starts the second and third.
        let server = try await Self.start(
            seed: 4, faults: EmulatorFaults(requestsPerSecond: 1, burst: 1, latencyMilliseconds: 400))
        defer { Task { await server.stop() } }
        let ids = Array(await server.liveThreadIDs())
        let recorder = RecordingTransport(HelperTransport())
        // Configured far above the server's 1/s: the first request spends the server's only token.
        let client = try Self.client(server, rate: 50, burst: 5, concurrency: 4, transport: recorder)
        async let first = client.retrieveThread(ids[0])
        async let second = client.retrieveThread(ids[1])
        async let third = client.retrieveThread(ids[2])
        let responses = try await [first, second, third]
        #expect(responses.map(\.status) == [200, 200, 200])
        let log = recorder.log
        let refusals = log.filter { $0.status == 429 }
        #expect(!refusals.isEmpty)
        // Nothing at all is sent in the second after a 429 arrives: Retry-After holds everyone.
        for refusal in refusals {
            // (5 ms of slack: the limiter hears of the 429 just after the transport returns it.)
            let heldBack = log.filter { $0.sentAt > refusal.answeredAt + 0.005 && $0.sentAt < refusal.answeredAt + 0.99 }
            #expect(heldBack.isEmpty, "sent during the pause: \(heldBack)")
        }
        #expect(responses.map(\.attempts).reduce(0, +) == log.count)
    }

    @Test func theBreakerOpensOnAWrongBaseURLAndOnAWrongKey() async throws {
        let server = try await Self.start(seed: 30)
        defer { Task { await server.stop() } }
        let ids = Array(await server.liveThreadIDs())
        // Every path under a wrong prefix is an unknown route: 404 for threads the ledger knows as live.
        let lost = try Self.client(server, path: "/wrong", breaker: .init(notFoundWindow: 20, notFoundMinimum: 10))
        var cause: BreakerCause?
        for id in ids {
            do {
                _ = try await lost.retrieveThread(id, expectingLive: true)
            } catch let error as APIError {
                if case .breakerOpen(let why) = error.kind {
                    cause = why
                    #expect(error.exitCodeMeaning == "unavailable")
                    break
                }
                #expect(error.status == 404)
            }
        }
        #expect(cause == .notFound(count: 10, window: 10))
        #expect(await server.stats().requestsByStatus[404] == 10)

        let locked = try Self.client(server, key: "sk-not-the-key-0000", breaker: .init(authenticationFailures: 3))
        for id in ids.prefix(3) {
            await #expect { _ = try await locked.deleteThread(id) } throws: { ($0 as? APIError)?.status == 401 }
        }
        await #expect {
            _ = try await locked.deleteThread(ids[3])
        } throws: { error in
            if case .breakerOpen(.authentication(401, 3)) = (error as? APIError)?.kind { return true }
            return false
        }
        #expect(await server.threadIsLive(ids[3]))
    }

    @Test func theKeyNeverAppearsInAnythingTheClientProduces() async throws {
        let server = try await Self.start(seed: 5, faults: EmulatorFaults(failRate: 0.5), apiKey: "sk-the-right-one-000000")
        defer { Task { await server.stop() } }
        let ids = Array(await server.liveThreadIDs())
        let client = try Self.client(server, key: Self.secret, attempts: 2)
        var outputs: [String] = [String(describing: client.configuration), "\(try APIKey(Self.secret))"]
        for id in ids + ["bad/id", "thread_missing"] {
            do {
                _ = try await client.deleteThread(id)
            } catch {
                outputs.append(String(describing: error))
                outputs.append(String(reflecting: error))
                var dumped = ""
                dump(error, to: &dumped)
                outputs.append(dumped)
            }
        }
        #expect(outputs.count > 10)
        for output in outputs { #expect(!output.contains(Self.secret), "\(output)") }
    }
}

extension APIError {
    fileprivate var exitCodeMeaning: String { isUnavailable ? "unavailable" : "other" }
}

/// Wraps a transport and logs when each request went out and its answer came back.
final class RecordingTransport: HTTPTransport {
    struct Entry: Sendable, CustomStringConvertible {
        var path: String
        var sentAt: Double
        var answeredAt: Double
        var status: Int?
        var description: String { "\(path) \(sentAt)→\(answeredAt) \(status.map(String.init) ?? "-")" }
    }

    private let inner: any HTTPTransport
    private let entries = Mutex<[Entry]>([])
    private let clock = SystemAPIClock()

    init(_ inner: any HTTPTransport) { self.inner = inner }

    var log: [Entry] { entries.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let sentAt = clock.now()
        do {
            let response = try await inner.send(request)
            let entry = Entry(path: request.url.path, sentAt: sentAt, answeredAt: clock.now(), status: response.status)
            entries.withLock { $0.append(entry) }
            return response
        } catch {
            let entry = Entry(path: request.url.path, sentAt: sentAt, answeredAt: clock.now(), status: nil)
            entries.withLock { $0.append(entry) }
            throw error
        }
    }
}
