import Foundation
import JSON
import Testing

@testable import Emulator

/// `--flavor openai|aimlapi`: each provider's paths, demands and error shapes, in-process and
/// over a socket.
@Suite struct FlavorTests {
    static let beta = [("OpenAI-Beta", "assistants=v2")]

    @Test(arguments: TransportKind.allCases)
    func openAIServesOnlyV1AndDemandsTheBetaHeader(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, EmulatorOptions(flavor: .openai))
        defer { Task { await api.close() } }

        let (status, created) = try api.json("POST", "/v1/threads", body: #"{"metadata":{"a":"b"}}"#, headers: Self.beta)
        #expect(status == 200)
        let id = try #require(created.string("id"))

        let (noBeta, refused) = try api.json("GET", "/v1/threads/\(id)")
        #expect(noBeta == 400)
        #expect(refused["error"]?.string("code") == "invalid_beta")
        #expect(refused["error"]?.string("type") == "invalid_request_error")
        #expect(refused["error"]?.string("message")?.contains("'OpenAI-Beta: assistants=v2'") == true)

        let (fetched, _) = try api.json("GET", "/v1/threads/\(id)", headers: [("OpenAI-Beta", "assistants=v2")])
        #expect(fetched == 200)
        // A list of betas, as the SDK may send, still names assistants=v2.
        let (listed, _) = try api.json("GET", "/v1/threads/\(id)", headers: [("OpenAI-Beta", "realtime=v1, assistants=v2")])
        #expect(listed == 200)

        let (root, rootError) = try api.json("GET", "/threads/\(id)", headers: Self.beta)
        #expect(root == 404)
        #expect(rootError["error"]?.string("message") == "Invalid URL (GET /threads/\(id))")

        let (missing, notFound) = try api.json("GET", "/v1/threads/thread_nope", headers: Self.beta)
        #expect(missing == 404)
        #expect(notFound["error"]?.string("message") == "No thread found with id 'thread_nope'.")
    }

    @Test(arguments: TransportKind.allCases)
    func aimlAPIServesTheRootAndAnswersErrorsInItsOwnShape(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, EmulatorOptions(apiKey: "sk-flavor", flavor: .aimlapi))
        defer { Task { await api.close() } }
        let auth = [("Authorization", "Bearer sk-flavor")]

        let (status, created) = try api.json("POST", "/threads", body: #"{"messages":[]}"#, headers: auth)
        #expect(status == 200)
        #expect(created.string("id")?.hasPrefix("thread_") == true)

        let response = try api.send("GET", "/threads/thread_nope", headers: auth)
        #expect(response.status == 404)
        let body = try JSONParser.parse(response.body)
        #expect(body.string("message") == "No thread found with id 'thread_nope'.")
        #expect(body.string("path") == "/threads/thread_nope")
        #expect(body["statusCode"] == .integer(404))
        #expect(body.string("requestId") == response.header("x-request-id"))
        #expect(body.string("timestamp")?.hasSuffix("Z") == true)
        #expect(body["error"] == nil)

        let (wrongKey, refused) = try api.json("GET", "/threads/thread_nope", headers: [("Authorization", "Bearer sk-other")])
        #expect(wrongKey == 401)
        #expect(refused["statusCode"] == .integer(401))
        #expect(refused.string("message")?.hasPrefix("Incorrect API key provided.") == true)

        let (v1, v1Error) = try api.json("GET", "/v1/threads/thread_nope", headers: auth)
        #expect(v1 == 404)
        #expect(v1Error.string("message") == "Invalid URL (GET /v1/threads/thread_nope)")
        #expect(v1Error.string("path") == "/v1/threads/thread_nope")
    }

    /// `doctor` compares the server's clock with its own: every answer carries `Date`.
    @Test(arguments: TransportKind.allCases)
    func everyAnswerCarriesADateHeader(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, EmulatorOptions(clock: { 1_796_515_200 }))
        defer { Task { await api.close() } }
        let response = try api.send("GET", "/threads/thread_nope")
        #expect(response.header("date") == "Sun, 06 Dec 2026 00:00:00 GMT")
    }

    @Test func timestampsAreRFC3339AndHTTPDates() {
        #expect(EmulatorFlavor.isoTimestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(EmulatorFlavor.isoTimestamp(1_796_515_205) == "2026-12-06T00:00:05.000Z")
        #expect(EmulatorFlavor.httpDate(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
