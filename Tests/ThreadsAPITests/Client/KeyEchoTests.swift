import Foundation
import Testing

@testable import ThreadsAPI

/// A server that echoes the key in every place an answer has: nothing the client keeps or
/// prints holds it (the leak paths found by the review, issue 15).
@Suite struct KeyEchoTests {
    static let secret = "sk-echo-7Fq2Lm9Xc4Vb8Nz1Kd6Rt3Yw5PaWXYZ"

    func call(_ response: HTTPResponse) async throws -> (error: APIError?, requestID: String?) {
        let transport = ScriptedTransport(clock: VirtualClock(), fallback: response)
        let client = try ThreadsClient(
            configuration: APIConfiguration(provider: .custom, baseURL: "http://127.0.0.1:1", requestsPerSecond: 1000),
            key: APIKey(Self.secret), transport: transport,
            retryPolicy: RetryPolicy(maxAttempts: 1, baseDelay: 0.5, maxDelay: 8, deadline: 60), clock: transport.clock)
        do {
            let answer = try await client.deleteThread("thread_a")
            return (nil, answer.requestID)
        } catch let error as APIError {
            return (error, error.requestID)
        }
    }

    /// Every text the error carries, as a caller could print or store it.
    func texts(_ error: APIError?) -> [String] {
        guard let error else { return [] }
        var dumped = ""
        dump(error, to: &dumped)
        return [error.description, error.message, error.errorType ?? "", error.code ?? "", error.param ?? "", dumped]
    }

    func expectNoKey(_ texts: [String], _ place: String) {
        for text in texts {
            #expect(!text.contains(String(Self.secret.prefix(10))), "\(place): \(text)")
            #expect(!text.contains(String(Self.secret.suffix(10))), "\(place): \(text)")
            #expect(!text.contains("WXYZ"), "\(place): the last four in \(text)")
        }
    }

    @Test func everyErrorFieldIsRedacted() async throws {
        let body = """
            {"error":{"message":"bad key \(Self.secret)","type":"t_\(Self.secret)","param":"\(Self.secret)","code":"c-\(Self.secret)"}}
            """
        let (error, requestID) = try await call(.json(400, body, headers: ["x-request-id": Self.secret]))
        expectNoKey(texts(error), "error fields")
        #expect(error?.message == "bad key [redacted]")
        #expect(error?.errorType == "t_[redacted]")
        #expect(error?.param == "[redacted]")
        #expect(error?.code == "c-[redacted]")
        #expect(requestID == nil)
    }

    @Test func openAIsMasked401ShowsNeitherPrefixNorLastFour() async throws {
        let message =
            "Incorrect API key provided: sk-echo-************************WXYZ. You can find your API key at https://platform.openai.com/account/api-keys."
        let (error, _) = try await call(.openAIError(401, message: message, code: "invalid_api_key"))
        expectNoKey(texts(error), "masked 401")
        #expect(error?.message.hasPrefix("Incorrect API key provided: [redacted].") == true)
        #expect(!(error?.message.contains("sk-echo") ?? true))
    }

    @Test func aRequestIDHeaderHoldingTheKeyIsDroppedOnSuccessAndFailure() async throws {
        let deleted = #"{"id":"thread_a","object":"thread.deleted","deleted":true}"#
        let success = try await call(.json(200, deleted, headers: ["x-request-id": "req_" + Self.secret]))
        #expect(success.error == nil)
        #expect(success.requestID == nil)
        let gone = try await call(.openAIError(404, message: "No thread found with id 'thread_a'.", headers: ["x-request-id": Self.secret]))
        #expect(gone.requestID == nil)
        let kept = try await call(.json(200, deleted, headers: ["x-request-id": "req_0123abcd"]))
        #expect(kept.requestID == "req_0123abcd")
    }

    @Test func aRedirectLocationIsRedacted() async throws {
        let (error, _) = try await call(
            HTTPResponse(status: 302, headers: ["location": "https://evil.example/?k=\(Self.secret)"]))
        expectNoKey(texts(error), "location")
        #expect(error?.kind == .redirect)
        #expect(error?.message.contains("'https://evil.example/?k=[redacted]'") == true)
    }

    @Test func anHTMLPageCutAcrossTheKeyLeaksNoPrefix() async throws {
        // The key starts a few characters before the 200-character cut.
        for offset in [150, 185, 190, 195, 199] {
            let page = "<html>" + String(repeating: "-", count: offset - 6) + Self.secret + "</html>"
            let (error, _) = try await call(HTTPResponse(status: 502, headers: ["content-type": "text/html"], body: Data(page.utf8)))
            let message = error?.message ?? ""
            for length in 8...Self.secret.count {
                #expect(!message.contains(String(Self.secret.prefix(length))), "offset \(offset): \(message)")
            }
        }
    }

    @Test func aRetryAfterHeaderIsRedacted() async throws {
        let (error, _) = try await call(.openAIError(429, message: "slow down", headers: ["retry-after": Self.secret]))
        expectNoKey(texts(error), "retry-after")
    }

    @Test func aMetadataKeyInAMalformedAnswerIsRedacted() async throws {
        let transport = ScriptedTransport(
            clock: VirtualClock(),
            fallback: .json(200, #"{"id":"thread_a","object":"thread","created_at":1,"metadata":{"\#(Self.secret)":5}}"#))
        let client = try ThreadsClient(
            configuration: APIConfiguration(provider: .custom, baseURL: "http://127.0.0.1:1", requestsPerSecond: 1000),
            key: APIKey(Self.secret), transport: transport, clock: transport.clock)
        // Today metadata values must be strings, so this answer is malformed and the error
        // names the field's path, the server's key in it.
        do {
            _ = try await client.retrieveThread("thread_a")
        } catch let error as APIError {
            #expect(error.kind == .malformedResponse)
            expectNoKey(texts(error), "decoding path")
        }
    }
}
