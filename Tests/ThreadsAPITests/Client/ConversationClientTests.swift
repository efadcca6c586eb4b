import Emulator
import Foundation
import JSON
import Testing

@testable import ThreadsAPI

/// The client's conversation calls against the emulator playing OpenAI, over loopback.
@Suite struct ConversationClientTests {
    static let secret = "sk-test-7a6b5c9d8e1f"

    static func client(_ server: EmulatorServer, provider: APIProvider = .openai, path: String = "/v1") throws -> ThreadsClient {
        try ThreadsClient(
            configuration: APIConfiguration(
                provider: provider, baseURL: server.baseURL + path, timeout: 10, requestsPerSecond: 500, maxAttempts: 2),
            key: APIKey(secret), retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.1, deadline: 10))
    }

    static func message(_ text: String, role: String = "user") -> JSONValue {
        ["type": "message", "role": .string(role), "content": .string(text)]
    }

    @Test func everyConversationCallWorks() async throws {
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: .openai))
        defer { Task { await server.stop() } }
        let client = try Self.client(server)

        // The probe asks /conversations, without the Assistants beta header (the openai flavor
        // would refuse a thread call without it, and answers this one).
        try await client.probe(.conversation)
        let created = try await client.createConversation(items: [Self.message("hello")], metadata: ["tag": "support"])
        let id = created.value.id
        #expect(id.hasPrefix("conv_"))
        #expect(created.value.object == "conversation")
        #expect(try await client.retrieveConversation(id).value.metadata == ["tag": "support"])
        #expect(try await client.updateConversation(id, metadata: ["tag": "sales"]).value.metadata == ["tag": "sales"])

        var added: [JSONValue] = []
        for index in 0..<4 { added.append(Self.message("m\(index)", role: index % 2 == 0 ? "user" : "assistant")) }
        let answer = try await client.createConversationItems(id, items: added)
        #expect(answer.value.data.count == 4)
        #expect(answer.value.itemIDs.allSatisfy { $0?.hasPrefix("msg_") == true })

        // Paged oldest first with the after cursor, two a page.
        var texts: [String] = []
        var cursor: String?
        var pages = 0
        while true {
            let page = try await client.listConversationItems(id, limit: 2, order: .ascending, after: cursor)
            pages += 1
            for item in page.value.data {
                guard case .array(let content)? = item["content"], let text = content.first?["text"]?.stringValue
                else { continue }
                texts.append(text)
            }
            guard page.value.hasMore, let last = page.value.lastID else { break }
            cursor = last
        }
        #expect(texts == ["hello", "m0", "m1", "m2", "m3"])
        #expect(pages == 3)
        let newest = try await client.listConversationItems(id, limit: 1)
        #expect(newest.value.hasMore)
        #expect(newest.value.data.count == 1)

        #expect(try await client.deleteConversation(id).value == .deleted)
        #expect(await !server.liveConversationIDs().contains(id))
        // OpenAI's not-found answer for a conversation proves it gone.
        #expect(try await client.deleteConversation(id).value == .gone)
        do {
            _ = try await client.retrieveConversation(id)
            Issue.record("expected not found")
        } catch let error as APIError {
            #expect(error.isNotFound)
            #expect(error.message == "Conversation with id '\(id)' not found.")
        }
    }

    @Test func onlyTheConversationSentenceForTheSameIDProvesAConversationGone() {
        let answer = Data(
            #"{"error":{"message":"Conversation with id 'conv_a' not found.","type":"invalid_request_error","param":null,"code":null}}"#
                .utf8)
        #expect(APIProvider.openai.provesNotFound(status: 404, body: answer, ids: ["conv_a"]))
        #expect(!APIProvider.openai.provesNotFound(status: 404, body: answer, ids: ["conv_b"]))
        #expect(!APIProvider.openai.provesNotFound(status: 400, body: answer, ids: ["conv_a"]))
        let invalidURL = Data(#"{"error":{"message":"Invalid URL (GET /v1/conversations/conv_a)","type":"invalid_request_error"}}"#.utf8)
        #expect(!APIProvider.openai.provesNotFound(status: 404, body: invalidURL, ids: ["conv_a"]))
    }

    @Test func aProviderWithoutConversationsFailsTheProbe() async throws {
        // AI/ML API documents no Conversations API: its flavor answers Invalid URL, which proves nothing.
        let server = try await EmulatorServer.start(EmulatorOptions(apiKey: Self.secret, flavor: .aimlapi))
        defer { Task { await server.stop() } }
        let client = try Self.client(server, provider: .aimlapi, path: "")
        let report = try await client.probeReport(.conversation)
        let error = try #require(report.error)
        #expect(error.kind == .notTheAPI)
        #expect(error.status == 404)
    }

    @Test func openAIRefusesThreadsWithTheReasonAndTheWayOut() throws {
        let refusal = try #require(APIProvider.openai.threadsRefusal)
        #expect(refusal.contains("2026-08-26"))
        #expect(refusal.contains("`Object=conversation`"))
        #expect(APIProvider.aimlapi.threadsRefusal == nil)
        #expect(APIProvider.custom.threadsRefusal == nil)
    }

    @Test func conversationCallsGoWithoutTheAssistantsBetaHeader() throws {
        let client = try ThreadsClient(configuration: APIConfiguration(provider: .openai), key: APIKey(Self.secret))
        #expect(client.headers(for: "/conversations/conv_a", hasBody: false).allSatisfy { $0.0.lowercased() != "openai-beta" })
        #expect(client.headers(for: "/threads/thread_a", hasBody: false).contains { $0.0 == "OpenAI-Beta" && $0.1 == "assistants=v2" })
        #expect(client.headers(for: "/conversations", hasBody: true).contains { $0.0 == "Content-Type" })
    }
}
