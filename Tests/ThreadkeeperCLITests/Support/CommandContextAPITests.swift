import Configuration
import Rules
import Testing
import ThreadsAPI

@testable import ThreadkeeperCLI

@Suite struct CommandContextAPITests {
    func configuration(_ text: String) -> Configuration {
        let (configuration, diagnostics) = Configuration.parse(text: text, file: "test.conf")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return configuration
    }

    @Test func theAPISectionBecomesTheClientsSettings() {
        let context = CommandContext(environment: [:])
        let settings = context.apiConfiguration(
            configuration(
                """
                [API]
                Provider=openai
                RequestsPerSecond=200
                Concurrency=4
                Header=X-Team: ops
                """))
        #expect(settings.provider == .openai)
        #expect(settings.effectiveBaseURL == "https://api.openai.com/v1")
        #expect(settings.requestsPerSecond == 200)
        // Burst= unset: a tenth of a second's budget, not the reader's default of 1.
        #expect(settings.effectiveBurst == 20)
        #expect(settings.concurrency == 4)
        #expect(settings.headers["X-Team"] == "ops")
        #expect(settings.headers["OpenAI-Beta"] == "assistants=v2")
    }

    @Test func baseURLFlagWinsOverTheConfig() throws {
        let context = CommandContext(environment: [:])
        let settings = context.apiConfiguration(
            configuration("[API]\nProvider=custom\nBaseURL=https://a.example\nBurst=3\n"), baseURL: "http://127.0.0.1:9/v1")
        #expect(settings.effectiveBaseURL == "http://127.0.0.1:9/v1")
        #expect(settings.effectiveBurst == 3)
        #expect(try settings.resolved().baseURL == "http://127.0.0.1:9/v1")
    }

    @Test func aMissingKeyIsUnavailableAndNamesWhereToPutIt() {
        let context = CommandContext(environment: [:])
        #expect {
            _ = try context.makeThreadsClient(configuration("[API]\nProvider=aimlapi\n"))
        } throws: { error in
            guard let error = error as? APIKeyError else { return false }
            return error.exitCode == .unavailable && error.cliMessage.contains("THREADKEEPER_API_KEY")
        }
    }
}
