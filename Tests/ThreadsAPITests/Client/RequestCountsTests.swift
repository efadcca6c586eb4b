import Emulator
import Foundation
import TestSupport
import Testing

@testable import ThreadsAPI

/// The client's counters, which the metrics file shows, against what the emulator saw.
@Suite struct RequestCountsTests {
    @Test func attemptsAnswersAndTheBreakerOpeningAreCountedOnce() async throws {
        let server = try await EmulatorClientTests.start(seed: 5)
        defer { Task { await server.stop() } }
        let ids = Array(await server.liveThreadIDs())
        let good = try EmulatorClientTests.client(server)
        _ = try await good.retrieveThread(ids[0])
        await #expect(throws: APIError.self) { _ = try await good.retrieveThread("thread_absent") }
        #expect(good.requestCounts.byStatus == [200: 1, 404: 1])
        #expect(good.requestCounts.breakerOpenings == 0)

        // A wrong key: three 401s open the breaker, the fourth call is not sent.
        let locked = try EmulatorClientTests.client(server, key: "sk-not-the-key-0000", breaker: .init(authenticationFailures: 3))
        for id in ids.prefix(4) {
            await #expect(throws: APIError.self) { _ = try await locked.deleteThread(id) }
        }
        let counts = locked.requestCounts
        #expect(counts.byStatus == [401: 3])
        #expect(counts.attempts == 3)
        #expect(counts.retries == 0)
        #expect(counts.rateLimited == 0)
        #expect(counts.breakerOpenings == 1)
        let stats = await server.stats()
        #expect(stats.requestsByStatus[401] == 3)
        #expect(stats.requestsByStatus[200] == 1 && stats.requestsByStatus[404] == 1)

        let sum = counts + good.requestCounts
        #expect(sum.byStatus == [200: 1, 401: 3, 404: 1])
        #expect(sum.breakerOpenings == 1)
    }

    @Test func anUnansweredAttemptIsCountedAndRetried() async throws {
        // Nothing listens on port 9 of loopback: every attempt is refused.
        let client = try ThreadsClient(
            configuration: APIConfiguration(
                provider: .custom, baseURL: "http://127.0.0.1:9", timeout: 2, requestsPerSecond: 500, maxAttempts: 3),
            key: APIKey("sk-test-counts-000"),
            // The deadline is not what is counted here: it only has to outlast a test process whose
            // cooperative threads are held for a while by the blocking tests running beside this one.
            retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.01, deadline: 600))
        await #expect(throws: APIError.self) { _ = try await client.retrieveThread("thread_x") }
        #expect(client.requestCounts.unanswered == 3)
        #expect(client.requestCounts.retries == 2)
        #expect(client.requestCounts.byStatus.isEmpty)
    }
}

/// 429s counted as such, from a server that answers nothing else.
@Suite struct RateLimitedCountsTests {
    @Test func every429IsCountedAndRetriedUpToTheAttempts() async throws {
        let body = #"{"error":{"message":"Rate limit reached for requests.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        let server = try CannedServer(
            head: "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let client = try ThreadsClient(
            configuration: APIConfiguration(
                provider: .custom, baseURL: "http://127.0.0.1:\(server.port)", timeout: 5, requestsPerSecond: 500, maxAttempts: 3),
            key: APIKey("sk-test-counts-000"),
            // A deadline far past any stall of the test process: the attempts are what is counted.
            retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.01, deadline: 600))
        await #expect(throws: APIError.self) { _ = try await client.retrieveThread("thread_x") }
        let counts = client.requestCounts
        #expect(server.requests.count == 3)
        #expect(counts.byStatus == [429: 3])
        #expect(counts.rateLimited == 3)
        #expect(counts.retries == 2)
        #expect(counts.breakerOpenings == 0)
        server.stop()
    }
}
