import Emulator
import Foundation
import Testing

@testable import ThreadsAPI

/// The client with each provider's profile against the emulator playing that provider.
@Suite struct FlavorClientTests {
    static let secret = "sk-flavor-client-5e1d2c3b4a"

    struct Case: Sendable, CustomTestStringConvertible {
        var flavor: EmulatorFlavor
        var provider: APIProvider
        /// What the profile appends to the server's address (OpenAI's `/v1`).
        var prefix: String
        var testDescription: String { flavor.rawValue }
    }

    static let cases = [
        Case(flavor: .openai, provider: .openai, prefix: "/v1"), Case(flavor: .aimlapi, provider: .aimlapi, prefix: ""),
    ]

    static func client(
        _ server: EmulatorServer, provider: APIProvider, path: String, key: String = secret, headers: [String: String] = [:]
    ) throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(
                provider: provider, baseURL: server.baseURL + path, headers: headers, timeout: 10, requestsPerSecond: 500,
                maxAttempts: 2),
            key: APIKey(key), retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.1, deadline: 10))
    }

    @Test(arguments: cases)
    func everyThreadCallWorks(_ setup: Case) async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: setup.flavor))
        defer { Task { await server.stop() } }
        let client = try Self.client(server, provider: setup.provider, path: setup.prefix)

        try await client.probe()
        let created = try await client.createThread(metadata: ["tag": "support"])
        let id = created.value.id
        #expect(try await client.retrieveThread(id).value.metadata == ["tag": "support"])
        #expect(try await client.modifyThread(id, metadata: ["tag": "sales"]).value.metadata == ["tag": "sales"])
        _ = try await client.createMessage(threadID: id, NewMessage(content: "hello"))
        #expect(try await client.listMessages(threadID: id).value.data.map(\.text) == ["hello"])
        #expect(try await client.deleteThread(id).value == .deleted)
        #expect(await !server.threadIsLive(id))
        // The provider's not-found answer, in its own shape, proves the thread gone.
        #expect(try await client.deleteThread(id).value == .gone)
        do {
            _ = try await client.retrieveThread(id)
            Issue.record("expected not found")
        } catch let error as APIError {
            #expect(error.isNotFound)
            #expect(error.message == "No thread found with id '\(id)'.")
            #expect(error.requestID?.hasPrefix("req_") == true)
        }
    }

    @Test(arguments: cases)
    func aWrongKeyIs401InEitherShape(_ setup: Case) async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: setup.flavor))
        defer { Task { await server.stop() } }
        let client = try Self.client(server, provider: setup.provider, path: setup.prefix, key: "sk-wrong-000000")
        let report = try await client.probeReport()
        let error = try #require(report.error)
        #expect(error.status == 401)
        #expect(error.isAuthentication)
        #expect(error.message.hasPrefix("Incorrect API key provided."))
        #expect(error.requestID == report.headers["x-request-id"])
    }

    /// The other provider's layout is not the Threads API: nothing it answers proves a thread gone.
    @Test(arguments: cases)
    func theOtherProvidersPrefixIsNotTheAPI(_ setup: Case) async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: setup.flavor))
        defer { Task { await server.stop() } }
        let wrong = setup.prefix.isEmpty ? "/v1" : ""
        let client = try Self.client(
            server, provider: .custom, path: wrong, headers: setup.flavor == .openai ? ["OpenAI-Beta": "assistants=v2"] : [:])
        let error = try #require(try await client.probeReport().error)
        #expect(error.kind == .notTheAPI)
        #expect(error.status == 404)
        #expect(error.message.contains("Invalid URL"))
    }

    @Test func openAIWithoutTheBetaHeaderIsInvalidBeta() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: .openai))
        defer { Task { await server.stop() } }
        let client = try Self.client(server, provider: .custom, path: "/v1")
        let report = try await client.probeReport()
        let error = try #require(report.error)
        #expect(error.kind == .http)
        #expect(error.status == 400)
        #expect(error.code == "invalid_beta")
        #expect(report.status == 400)
        #expect(report.headers["date"]?.hasSuffix(" GMT") == true)
    }
}
