import Emulator
import Foundation
import Testing

@testable import ThreadsAPI

/// Answers in each provider's own shape, and retries as openai-python makes them, over a
/// scripted transport and a virtual clock.
@Suite struct ProviderAnswerTests {
    static let secret = "sk-provider-0123456789abcdef"
    static let thread = #"{"id":"thread_a","object":"thread","created_at":10,"metadata":{},"tool_resources":{}}"#

    func client(_ transport: ScriptedTransport, provider: APIProvider = .aimlapi, attempts: Int = 4) throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(provider: provider, requestsPerSecond: 1000, maxAttempts: attempts),
            key: APIKey(Self.secret), transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: attempts, baseDelay: 0.5, maxDelay: 8, deadline: 60),
            clock: transport.clock, random: SplitMix64(seed: 5))
    }

    func failure(_ transport: ScriptedTransport, provider: APIProvider = .aimlapi) async throws -> APIError {
        do {
            _ = try await client(transport, provider: provider).modifyThread("thread_a", metadata: [:])
        } catch let error as APIError {
            return error
        }
        throw APIError(kind: .unconfirmed, message: "expected an error")
    }

    @Test func aimlAPIsErrorBodyGivesTheMessageAndTheRequestID() async throws {
        let body =
            #"{"message":"Bad thing for 'x'.","path":"/threads/thread_a","requestId":"9f3c-aa","statusCode":400,"timestamp":"2026-12-06T00:00:00.000Z"}"#
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(400, body))])
        let error = try await failure(transport)
        #expect(error.kind == .http)
        #expect(error.status == 400)
        #expect(error.message == "Bad thing for 'x'.")
        #expect(error.requestID == "9f3c-aa")
        #expect(error.description == "POST /threads/thread_a: 400: Bad thing for 'x'. (request 9f3c-aa, 1 attempt)")
    }

    @Test func aListOfMessagesIsJoined() async throws {
        let body = #"{"message":["metadata must be an object","messages must be an array"],"statusCode":400}"#
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(400, body, headers: ["x-request-id": "req_h"]))])
        let error = try await failure(transport)
        #expect(error.message == "metadata must be an object; messages must be an array")
        // The header wins over the body's id.
        #expect(error.requestID == "req_h")
    }

    @Test func problemJSONGivesTheTitleAndTheDetail() async throws {
        let body =
            #"{"type":"https://api.aimlapi.com/errors/validation","title":"Bad Request","status":400,"detail":"metadata has 17 keys"}"#
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [.success(HTTPResponse(status: 400, headers: ["Content-Type": "application/problem+json"], body: Data(body.utf8)))])
        let error = try await failure(transport)
        #expect(error.status == 400)
        #expect(error.errorType == "Bad Request")
        #expect(error.message == "metadata has 17 keys")
        #expect(error.description == "POST /threads/thread_a: 400 Bad Request: metadata has 17 keys (1 attempt)")
    }

    @Test func theKeyInAnAIMLAPIBodyIsRedacted() async throws {
        let body = #"{"message":"key \#(Self.secret) is not valid","requestId":"\#(Self.secret)","statusCode":401}"#
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(401, body))])
        let error = try await failure(transport)
        #expect(error.status == 401)
        #expect(!error.description.contains(Self.secret))
        #expect(!error.message.contains(Self.secret))
        #expect(error.requestID?.contains(Self.secret) != true)
    }

    /// AI/ML API's 403 is a spent balance or a forbidden endpoint, not a wrong key.
    @Test func aimlAPIs403SaysCreditsNotKey() async throws {
        let body = #"{"message":"Forbidden","path":"/threads/thread_a","requestId":"r1","statusCode":403,"timestamp":"x"}"#
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(403, body))])
        let error = try await failure(transport)
        #expect(error.status == 403)
        #expect(error.isAuthentication)
        #expect(error.message.hasPrefix("Forbidden (AI/ML API answers 403 when the account is out of credits"))
        #expect(error.message.contains("not for a wrong key"))
        #expect(transport.sent.count == 1)
        let cause = BreakerCause.authentication(status: 403, count: 3)
        #expect(cause.description.contains("out of credits"))
        #expect(cause.description.contains("a wrong key answers 401"))
        #expect(!BreakerCause.authentication(status: 401, count: 3).description.contains("credits"))
    }

    @Test func anEmptyCreateSendsAnEmptyMessageList() async throws {
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(200, Self.thread))])
        _ = try await client(transport).createThread()
        #expect(transport.sent.map(\.body) == [#"{"messages":[],"metadata":{}}"#])
        #expect(transport.sent.map(\.url) == ["https://api.aimlapi.com/threads"])
    }

    @Test(arguments: [408, 409, 429, 500, 501, 529])
    func transientStatusesAreRetried(status: Int) async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), script: [.success(.json(status, "{}")), .success(.json(200, Self.thread))])
        let answer = try await client(transport).retrieveThread("thread_a")
        #expect(answer.attempts == 2)
        #expect(transport.sent.count == 2)
    }

    @Test func xShouldRetryDecidesOverTheStatus() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [
                .success(.json(400, "{}", headers: ["x-should-retry": "true"])), .success(.json(200, Self.thread)),
                .success(.json(503, "{}", headers: ["x-should-retry": "false"])),
            ])
        let client = try client(transport)
        #expect(try await client.retrieveThread("thread_a").attempts == 2)
        do {
            _ = try await client.retrieveThread("thread_a")
            Issue.record("expected the 503 to stand")
        } catch let error as APIError {
            #expect(error.status == 503)
            #expect(error.attempts == 1)
        }
        #expect(transport.sent.count == 3)
    }

    /// A create that may have arrived is not sent again: a second thread would be made and
    /// the first never recorded.
    @Test(arguments: [TransportFailure.timedOut, .connectionReset])
    func aCreateWhoseAnswerWasLostIsNotSentAgain(failure: TransportFailure) async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), script: [.failure(TransportError(failure)), .success(.json(200, Self.thread))])
        do {
            _ = try await client(transport).createThread(metadata: ["tenant": "acme"])
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.kind == .transport(failure))
            #expect(error.attempts == 1)
            #expect(error.message.contains("it was not sent again, so as not to create a second"))
            #expect(error.isUnavailable)
        }
        #expect(transport.sent.count == 1)
    }

    /// Other calls with a lost answer are safe to repeat, and a create that never connected too.
    @Test func lostAnswersToOtherCallsAndRefusedCreatesAreRetried() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [
                .failure(TransportError(.timedOut)), .success(.json(200, Self.thread)),
                .failure(TransportError(.cannotConnect)), .success(.json(200, Self.thread)),
            ])
        let client = try client(transport)
        #expect(try await client.modifyThread("thread_a", metadata: [:]).attempts == 2)
        #expect(try await client.createThread().attempts == 2)
    }
}
