import Emulator
import Foundation
import Testing

@testable import ThreadsAPI

/// The client over a scripted transport and a virtual clock: what it sends, how it maps
/// answers, when it retries. The same calls run against the emulator in `EmulatorClientTests`.
@Suite struct ScriptedClientTests {
    static let secret = "sk-scripted-0123456789abcdef"
    static let thread = #"{"id":"thread_a","object":"thread","created_at":10,"metadata":{"k":"v"},"tool_resources":{}}"#

    func client(
        _ transport: ScriptedTransport, provider: APIProvider = .custom, attempts: Int = 4,
        breaker: Breaker.Settings = Breaker.Settings()
    ) throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(
                provider: provider, baseURL: provider == .custom ? "http://127.0.0.1:1/v1" : nil, requestsPerSecond: 1000,
                maxAttempts: attempts),
            key: APIKey(Self.secret), transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: attempts, baseDelay: 0.5, maxDelay: 8, deadline: 60), breaker: breaker,
            clock: transport.clock, random: SplitMix64(seed: 5))
    }

    @Test func everyCallSendsItsMethodPathAndBody() async throws {
        let clock = VirtualClock()
        let message = #"{"id":"msg_1","created_at":11,"thread_id":"thread_a","role":"user","content":[]}"#
        let list = #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#
        let deleted = #"{"id":"thread_a","object":"thread.deleted","deleted":true}"#
        let messageDeleted = #"{"id":"msg_1","object":"thread.message.deleted","deleted":true}"#
        let transport = ScriptedTransport(
            clock: clock,
            script: [
                .success(.json(200, Self.thread)), .success(.json(200, Self.thread)), .success(.json(200, Self.thread)),
                .success(.json(200, deleted)), .success(.json(200, message)), .success(.json(200, list)),
                .success(.json(200, message)), .success(.json(200, message)), .success(.json(200, messageDeleted)),
            ])
        let client = try client(transport)
        _ = try await client.createThread(messages: [NewMessage(content: "hello")], metadata: ["tag": "support"])
        _ = try await client.retrieveThread("thread_a")
        _ = try await client.modifyThread("thread_a", metadata: ["k": "v"])
        #expect(try await client.deleteThread("thread_a").value == .deleted)
        _ = try await client.createMessage(threadID: "thread_a", NewMessage(content: "again"))
        _ = try await client.listMessages(threadID: "thread_a", limit: 1, order: .descending, after: "msg_0")
        _ = try await client.retrieveMessage(threadID: "thread_a", messageID: "msg_1")
        _ = try await client.modifyMessage(threadID: "thread_a", messageID: "msg_1", metadata: ["a": "b"])
        #expect(try await client.deleteMessage(threadID: "thread_a", messageID: "msg_1").value == .deleted)
        let sent = transport.sent.map { "\($0.method) \($0.url) \($0.body ?? "-")" }
        #expect(
            sent == [
                #"POST http://127.0.0.1:1/v1/threads {"messages":[{"content":"hello","role":"user"}],"metadata":{"tag":"support"}}"#,
                "GET http://127.0.0.1:1/v1/threads/thread_a -",
                #"POST http://127.0.0.1:1/v1/threads/thread_a {"metadata":{"k":"v"}}"#,
                "DELETE http://127.0.0.1:1/v1/threads/thread_a -",
                #"POST http://127.0.0.1:1/v1/threads/thread_a/messages {"content":"again","role":"user"}"#,
                "GET http://127.0.0.1:1/v1/threads/thread_a/messages?limit=1&order=desc&after=msg_0 -",
                "GET http://127.0.0.1:1/v1/threads/thread_a/messages/msg_1 -",
                #"POST http://127.0.0.1:1/v1/threads/thread_a/messages/msg_1 {"metadata":{"a":"b"}}"#,
                "DELETE http://127.0.0.1:1/v1/threads/thread_a/messages/msg_1 -",
            ])
        let first = transport.sent[0]
        #expect(first.headers["authorization"] == "Bearer \(Self.secret)")
        #expect(first.headers["content-type"] == "application/json")
        #expect(first.headers["user-agent"] == APIConfiguration.defaultUserAgent)
        #expect(first.headers["openai-beta"] == nil)
        #expect(transport.sent[1].headers["content-type"] == nil)
    }

    @Test func theOpenAIProfileSendsItsBetaHeaderToItsPrefix() async throws {
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(200, Self.thread))])
        _ = try await client(transport, provider: .openai).retrieveThread("thread_a")
        #expect(transport.sent[0].url == "https://api.openai.com/v1/threads/thread_a")
        #expect(transport.sent[0].headers["openai-beta"] == "assistants=v2")
    }

    @Test(arguments: [
        (400, "invalid_request_error", "object_above_max_properties"), (401, "invalid_request_error", "invalid_api_key"),
        (403, "permission_error", "forbidden"), (404, "invalid_request_error", "not_found"),
        (422, "invalid_request_error", "unprocessable"),
    ])
    func answersThatAreNotFaultsFailAtOnceWithTheServersWords(status: Int, type: String, code: String) async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [
                .success(.openAIError(status, message: "No luck with 'x'.", type: type, code: code, headers: ["x-request-id": "req_9"]))
            ])
        do {
            _ = try await client(transport).modifyThread("thread_a", metadata: [:])
            Issue.record("expected an error")
        } catch let error as APIError {
            if status == 404 {
                // Not the provider's not-found sentence for this thread: the endpoint is suspect.
                #expect(error.kind == .notTheAPI)
                #expect(error.status == 404)
                #expect(error.message.contains("(No luck with 'x'.)"))
                #expect(error.message.contains("BaseURL= 'http://127.0.0.1:1/v1'"))
                #expect(error.isUnavailable)
                return
            }
            #expect(error.kind == .http)
            #expect(error.status == status)
            #expect(error.errorType == type)
            #expect(error.code == code)
            #expect(error.message == "No luck with 'x'.")
            #expect(error.requestID == "req_9")
            #expect(error.attempts == 1)
            #expect(error.operation == "POST /threads/thread_a")
            #expect(
                error.description
                    == "POST /threads/thread_a: \(status) \(type): No luck with 'x'. (code \(code), request req_9, 1 attempt)")
        }
        #expect(transport.sent.count == 1)
    }

    @Test(arguments: [429, 500, 502, 503, 504])
    func faultsAreRetriedUntilTheAttemptsRunOut(status: Int) async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), fallback: .openAIError(status, message: "busy", type: "server_error"))
        do {
            _ = try await client(transport, attempts: 4).retrieveThread("thread_a")
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.status == status)
            #expect(error.attempts == 4)
        }
        #expect(transport.sent.count == 4)
        // Backoff: each wait is within its jittered cap (0.5, 1, 2 s).
        let times = transport.sent.map(\.at)
        for index in 1..<times.count {
            #expect(times[index] - times[index - 1] <= 0.5 * Double(1 << (index - 1)) + 0.01)
        }
    }

    @Test(arguments: [TransportFailure.timedOut, .connectionReset, .cannotConnect])
    func missingAnswersAreRetriedAndCounted(_ failure: TransportFailure) async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [.failure(TransportError(failure)), .failure(TransportError(failure)), .success(.json(200, Self.thread))])
        let response = try await client(transport).retrieveThread("thread_a")
        #expect(response.attempts == 3)
        #expect(response.value.metadata == ["k": "v"])
    }

    @Test func retryAfterHoldsTheRetryAndEveryOtherRequest() async throws {
        let clock = VirtualClock()
        let transport = ScriptedTransport(
            clock: clock,
            script: [
                .success(.openAIError(429, message: "Rate limit reached", type: "requests", headers: ["retry-after": "3"])),
                .success(.json(200, Self.thread)), .success(.json(200, Self.thread)),
            ])
        let client = try client(transport)
        let response = try await client.retrieveThread("thread_a")
        #expect(response.attempts == 2)
        #expect(transport.sent[1].at >= 3)
        _ = try await client.retrieveThread("thread_a")
        #expect(transport.sent[2].at >= 3)
    }

    @Test func aDeleteAnswered404IsGone() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [.success(.openAIError(404, message: "No thread found with id 'thread_a'.", headers: ["x-request-id": "req_1"]))])
        let response = try await client(transport).deleteThread("thread_a")
        #expect(response.value == .gone)
        #expect(response.status == 404)
        #expect(response.requestID == "req_1")
        #expect(response.attempts == 1)
    }

    @Test func aRetrieveAnswered404ThrowsNotFound() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), script: [.success(.openAIError(404, message: "No thread found with id 'thread_a'."))])
        await #expect {
            _ = try await client(transport).retrieveThread("thread_a")
        } throws: { ($0 as? APIError)?.isNotFound == true }
    }

    @Test func theKeyEchoedByTheServerIsRedacted() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [.success(.openAIError(401, message: "Incorrect API key provided: \(Self.secret).", code: "invalid_api_key"))])
        do {
            _ = try await client(transport).retrieveThread("thread_a")
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.message == "Incorrect API key provided: [redacted].")
            #expect(!String(describing: error).contains(Self.secret))
            var dumped = ""
            dump(error, to: &dumped)
            #expect(!dumped.contains(Self.secret))
        }
    }

    @Test func repeated401sOpenTheBreakerAndLaterCallsFailWithoutSending() async throws {
        let transport = ScriptedTransport(clock: VirtualClock(), fallback: .openAIError(401, message: "bad key"))
        let client = try client(transport, breaker: .init(authenticationFailures: 3))
        for _ in 0..<3 {
            await #expect(throws: APIError.self) { _ = try await client.retrieveThread("thread_a") }
        }
        do {
            _ = try await client.deleteThread("thread_a")
            Issue.record("expected the breaker to refuse")
        } catch let error as APIError {
            #expect(error.kind == .breakerOpen(.authentication(status: 401, count: 3)))
            #expect(error.attempts == 0)
            #expect(error.isUnavailable)
            #expect(error.message.contains("api key"))
        }
        #expect(transport.sent.count == 3)
    }

    @Test func notFoundsOnThreadsTheCallerKnowsAsLiveOpenTheBreaker() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), fallback: .openAIError(404, message: "No thread found with id 'thread_a'."))
        let client = try client(transport, breaker: .init(notFoundWindow: 10, notFoundMinimum: 5, notFoundShare: 0.5))
        for _ in 0..<20 { _ = try await client.deleteThread("thread_a") }
        #expect(client.breakerState == .closed)
        for _ in 0..<6 { _ = try await client.deleteThread("thread_a", expectingLive: true) }
        await #expect {
            _ = try await client.deleteThread("thread_a", expectingLive: true)
        } throws: { error in
            if case .breakerOpen(.notFound) = (error as? APIError)?.kind { return true }
            return false
        }
    }

    @Test func aNotFoundToARetriedDeleteIsGoneAndNotABreakerSignal() async throws {
        let script: [Result<HTTPResponse, TransportError>] = Array(
            repeating: [
                .failure(TransportError(.connectionReset)),
                .success(.openAIError(404, message: "No thread found with id 'thread_a'.")),
            ],
            count: 8
        ).flatMap { $0 }
        let transport = ScriptedTransport(clock: VirtualClock(), script: script)
        let client = try client(transport, breaker: .init(notFoundWindow: 10, notFoundMinimum: 5, notFoundShare: 0.5))
        for _ in 0..<8 {
            let answer = try await client.deleteThread("thread_a", expectingLive: true)
            #expect(answer.value == .gone)
            #expect(answer.attempts == 2)
        }
        #expect(client.breakerState == .closed)
    }

    @Test func redirectsAreNeverFollowed() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            script: [.success(HTTPResponse(status: 301, headers: ["Location": "https://elsewhere.example/threads/thread_a"]))])
        do {
            _ = try await client(transport).retrieveThread("thread_a")
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.kind == .redirect)
            #expect(error.status == 301)
            #expect(error.message.contains("'https://elsewhere.example/threads/thread_a'"))
        }
        #expect(transport.sent.count == 1)
    }

    @Test func badIDsAreRefusedBeforeAnythingIsSent() async throws {
        let transport = ScriptedTransport(clock: VirtualClock())
        let client = try client(transport)
        for id in ["../admin", "thread_a?x=1", "thread_a/messages", "thread a", "thread%2e"] {
            await #expect {
                _ = try await client.deleteThread(id)
            } throws: { ($0 as? APIError)?.kind == .invalidID }
        }
        await #expect(throws: APIError.self) { _ = try await client.listMessages(threadID: "thread_a", after: "x&y=1") }
        await #expect(throws: APIError.self) { _ = try await client.retrieveMessage(threadID: "thread_a", messageID: "../x") }
        #expect(transport.sent.isEmpty)
    }

    @Test func aSuccessWithABodyThatIsNotAThreadIsMalformed() async throws {
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(200, #"{"id":"thread_a"}"#))])
        await #expect {
            _ = try await client(transport).retrieveThread("thread_a")
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.kind == .malformedResponse && error.message.contains("'created_at'")
        }
    }

    @Test func anAnswerThatIsNotJSONKeepsItsStatusAndText() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(), script: [.success(HTTPResponse(status: 400, body: Data("<html>bad\ngateway</html>".utf8)))])
        do {
            _ = try await client(transport).retrieveThread("thread_a")
        } catch let error as APIError {
            #expect(error.message == "http status 400: <html>bad gateway</html>")
        }
    }
}

/// Issue 14, findings 4, 5 and 8 at the client: what proves "gone", what counts as deleted,
/// the probe, and metadata values of every JSON type.
struct TrustAnswerTests {
    static let secret = "sk-scripted-trust-7d0c55aa"

    func client(_ transport: ScriptedTransport, provider: APIProvider = .custom) throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(
                provider: provider, baseURL: provider == .custom ? "http://127.0.0.1:1/v1" : nil, requestsPerSecond: 1000,
                maxAttempts: 1),
            key: APIKey(Self.secret), transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 1, baseDelay: 0.5, maxDelay: 8, deadline: 60), clock: transport.clock,
            random: SplitMix64(seed: 5))
    }

    @Test(arguments: [
        (APIProvider.custom, #"{"error":{"message":"No thread found with id 'thread_a'.","type":"invalid_request_error"}}"#, true),
        (.openai, #"{"error":{"message":"No thread found with id 'thread_a'.","type":"invalid_request_error","param":null}}"#, true),
        (.aimlapi, #"{"error":{"message":"No thread found with id 'thread_a'.","type":"invalid_request_error"}}"#, true),
        (.aimlapi, #"{"message":"No thread found with id 'thread_a'.","path":"/threads/thread_a","statusCode":404}"#, true),
        (.custom, #"{"message":"No thread found with id 'thread_a'.","path":"/threads/thread_a","statusCode":404}"#, false),
        (.custom, #"{"error":{"message":"No thread found with id 'thread_b'.","type":"invalid_request_error"}}"#, false),
        (.custom, #"{"error":{"message":"Invalid URL (GET /threads/thread_a)","type":"invalid_request_error"}}"#, false),
        (.custom, #"{"error":{"message":"No thread found with id 'thread_a'.","type":"server_error"}}"#, false),
        (.aimlapi, #"{"message":"Cannot GET /threads/thread_a","error":"Not Found","statusCode":404}"#, false),
        (.custom, "<html><body>404 Not Found</body></html>", false),
        (.custom, "", false),
    ])
    func onlyTheProvidersOwnWordsProveNotFound(provider: APIProvider, body: String, proves: Bool) {
        #expect(provider.provesNotFound(status: 404, body: Data(body.utf8), ids: ["thread_a"]) == proves)
        #expect(!provider.provesNotFound(status: 400, body: Data(body.utf8), ids: ["thread_a"]))
    }

    @Test(arguments: [
        #"{"id":"thread_a","object":"thread.deleted","deleted":false}"#,
        #"{"id":"thread_b","object":"thread.deleted","deleted":true}"#,
        #"{"id":"thread_a","object":"thread.deleted"}"#,
    ])
    func aDeleteCountsOnlyWithDeletedTrueForTheSameID(body: String) async throws {
        let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(.json(200, body))])
        do {
            _ = try await client(transport).deleteThread("thread_a")
            Issue.record("expected the deletion to be unconfirmed")
        } catch let error as APIError {
            #expect(error.kind == .unconfirmed)
            #expect(error.message == "the answer does not confirm the deletion: " + body)
            #expect(!error.isNotFound)
        }
    }

    @Test func theProbePassesOnlyOnTheProvidersNotFoundAnswer() async throws {
        let id = APIProvider.probeThreadID
        let notFound = HTTPResponse.openAIError(404, message: "No thread found with id '\(id)'.")
        let pass = ScriptedTransport(clock: VirtualClock(), script: [.success(notFound)])
        try await client(pass).probe()
        #expect(pass.sent.map(\.url) == ["http://127.0.0.1:1/v1/threads/\(id)"])
        #expect(pass.sent.map(\.method) == ["GET"])

        let answers: [(HTTPResponse, (APIError) -> Bool)] = [
            (.openAIError(404, message: "Invalid URL (GET /v1/threads/\(id))"), { $0.kind == .notTheAPI }),
            (.json(404, "<html>nginx</html>"), { $0.kind == .notTheAPI && $0.message.contains("BaseURL=") }),
            (.openAIError(401, message: "Incorrect API key provided"), { $0.status == 401 && $0.isAuthentication }),
            (.openAIError(400, message: "You must provide the 'OpenAI-Beta' header", code: "invalid_beta"), { $0.code == "invalid_beta" }),
            (.json(200, #"{"id":"\#(id)","object":"thread","created_at":1}"#), { $0.kind == .unconfirmed }),
        ]
        for (answer, check) in answers {
            let transport = ScriptedTransport(clock: VirtualClock(), script: [.success(answer)])
            do {
                try await client(transport).probe()
                Issue.record("expected the probe to fail on \(answer.status)")
            } catch let error as APIError {
                #expect(check(error), "\(error)")
            }
        }
    }

    @Test func aHoldKeyKeepsItsKeyWhateverTheValuesType() throws {
        for value in ["null", "[]", #"["a"]"#, #"{"case":7}"#, "7", "false", #""""#] {
            let text = #"{"id":"thread_a","created_at":1,"metadata":{"legal_hold":\#(value),"k":"v"}}"#
            let thread = try JSONDecoder().decode(ThreadObject.self, from: Data(text.utf8))
            #expect(thread.metadata["legal_hold"] != nil, "value \(value)")
            #expect(thread.metadata["k"] == "v")
        }
    }
}
