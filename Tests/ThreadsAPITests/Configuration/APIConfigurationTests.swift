import Testing

@testable import ThreadsAPI

@Suite struct APIConfigurationTests {
    @Test func aimlapiIsTheDefault() throws {
        let resolved = try APIConfiguration().resolved()
        #expect(resolved.baseURL == "https://api.aimlapi.com")
        #expect(resolved.headers.isEmpty)
    }

    @Test func openaiAddsItsPrefixAndBetaHeader() throws {
        let resolved = try APIConfiguration(provider: .openai).resolved()
        #expect(resolved.baseURL == "https://api.openai.com/v1")
        #expect(resolved.headers.map { "\($0.0): \($0.1)" } == ["OpenAI-Beta: assistants=v2"])
    }

    @Test func customNeedsABaseURL() {
        #expect(throws: APIError.self) { try APIConfiguration(provider: .custom).resolved() }
        #expect(throws: Never.self) { try APIConfiguration(provider: .custom, baseURL: "https://x.example/v1/").resolved() }
    }

    @Test func theBaseURLLosesTrailingSlashes() throws {
        #expect(try APIConfiguration(baseURL: "http://127.0.0.1:8080/v1//").resolved().baseURL == "http://127.0.0.1:8080/v1")
    }

    @Test(arguments: ["http://127.0.0.1:9/", "http://localhost:8080", "http://[::1]:80", "http://127.1.2.3"])
    func plainHTTPIsAllowedOnLoopback(_ url: String) {
        #expect(throws: Never.self) { try APIConfiguration(baseURL: url).resolved() }
    }

    @Test func plainHTTPToARemoteHostNeedsAllowInsecure() throws {
        do {
            _ = try APIConfiguration(baseURL: "http://api.example.com").resolved()
            Issue.record("expected a refusal")
        } catch let error as APIError {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("'http://api.example.com'"))
        }
        #expect(throws: Never.self) {
            try APIConfiguration(baseURL: "http://api.example.com", allowInsecure: true).resolved()
        }
    }

    @Test(arguments: ["ftp://x", "api.aimlapi.com", "https://x/?a=1", "https://u:p@x/", "https://x/#f", ""])
    func refusesOtherBaseURLs(_ url: String) {
        #expect(throws: APIError.self) { try APIConfiguration(baseURL: url).resolved() }
    }

    @Test func configuredHeadersOverrideTheProfilesButNotAuthorization() throws {
        let resolved = try APIConfiguration(provider: .openai, headers: ["openai-beta": "assistants=v3", "X-Team": "ops"]).resolved()
        #expect(resolved.headers.map { "\($0.0): \($0.1)" } == ["X-Team: ops", "openai-beta: assistants=v3"])
        #expect(throws: APIError.self) { try APIConfiguration(headers: ["Authorization": "Bearer x"]).resolved() }
        #expect(throws: APIError.self) { try APIConfiguration(headers: ["X-A": "a\r\nX-B: b"]).resolved() }
        #expect(throws: APIError.self) { try APIConfiguration(headers: ["Bad Name": "x"]).resolved() }
    }

    @Test func theBurstDefaultsToATenthOfASecondsBudgetAtLeastOne() {
        #expect(APIConfiguration(requestsPerSecond: 200).effectiveBurst == 20)
        #expect(APIConfiguration(requestsPerSecond: 5).effectiveBurst == 1)
        #expect(APIConfiguration(requestsPerSecond: 5, burst: 3).effectiveBurst == 3)
    }

    @Test func providersParseCaseInsensitively() {
        #expect(APIProvider(name: "OpenAI") == .openai)
        #expect(APIProvider(name: "nope") == nil)
    }
}
