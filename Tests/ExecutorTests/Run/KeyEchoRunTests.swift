import Emulator
import Foundation
import Journal
import Ledger
import TestSupport
import Testing
import ThreadsAPI

@testable import Executor

/// A real run (ledger, executor, HTTP, emulator) behind a server that echoes the key in
/// `x-request-id`: the hash-chained `actions.request_id`, the logs and the ledger file keep
/// none of it (issue 15).
struct KeyEchoRunTests {
    static let key = "sk-echo-run-4d2b9e7f1a3c5e8b0d6f"

    /// The emulator's answers with `x-request-id` rewritten by `requestID`, and every DELETE
    /// answered by `deleteAnswer` instead when one is given.
    struct RewritingTransport: HTTPTransport {
        let inner = HelperTransport()
        let requestID: @Sendable (String?) -> String
        var deleteAnswer: ThreadsAPI.HTTPResponse?

        func send(_ request: ThreadsAPI.HTTPRequest) async throws -> ThreadsAPI.HTTPResponse {
            if request.method == "DELETE", let deleteAnswer { return deleteAnswer }
            var response = try await inner.send(request)
            response.headers["x-request-id"] = requestID(response.headers["x-request-id"])
            return response
        }
    }

    func run(_ requestID: @escaping @Sendable (String?) -> String) async throws -> (ExecutorHarness, [String?]) {
        let harness = try await ExecutorHarness(apiKey: Self.key)
        for _ in 0..<6 { try await harness.thread(ageDays: 40, metadata: ["tag": "support"]) }
        let configuration = APIConfiguration(
            provider: .custom, baseURL: harness.server.baseURL, timeout: 10, requestsPerSecond: 2_000, burst: 50,
            maxAttempts: 3, retryDeadline: 10)
        let client = try ThreadsClient(
            configuration: configuration, key: try APIKey(Self.key), transport: RewritingTransport(requestID: requestID))
        let rule = try harness.rule("support", ActionTests.deleteRule)
        let report = try await harness.executor(client: client).run(RunRequest(rule: rule))
        #expect(report.end == .completed)
        #expect(report.counts.done == 6)
        let stored = try harness.ledger.rows("SELECT request_id FROM actions WHERE outcome IS NOT NULL").map { $0[0].textValue }
        #expect(stored.count == 6)
        return (harness, stored)
    }

    @Test func aRequestIDHoldingTheKeyIsNotStored() async throws {
        let (harness, stored) = try await run { _ in "req_" + Self.key }
        defer { Task { await harness.stop() } }
        #expect(stored.allSatisfy { $0 == nil }, "\(stored)")
        for entry in harness.logs.entries {
            let text = "\(entry.message) \(entry.metadata)"
            #expect(!text.contains("echo-run"), "\(text)")
        }
        #expect(try harness.ledger.verifyChain().isIntact)
        let file = try Data(contentsOf: URL(fileURLWithPath: harness.ledger.path))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: harness.ledger.path + "-wal"))) ?? Data()
        for data in [file, wal] { #expect(data.range(of: Data("echo-run".utf8)) == nil) }
    }

    @Test func anOrdinaryRequestIDIsStoredAsSent() async throws {
        let (harness, stored) = try await run { original in original ?? "missing" }
        defer { Task { await harness.stop() } }
        #expect(stored.allSatisfy { $0?.hasPrefix("req_") == true }, "\(stored)")
    }

    /// OpenAI's 401 shows the key masked, its prefix and last four: neither reaches the
    /// ledger's `actions.error` nor the log.
    @Test func aMaskedKeyInA401ReachesNeitherLedgerNorLog() async throws {
        let harness = try await ExecutorHarness(apiKey: Self.key)
        defer { Task { await harness.stop() } }
        for _ in 0..<3 { try await harness.thread(ageDays: 40, metadata: ["tag": "support"]) }
        let masked = "sk-echo-" + String(repeating: "*", count: 20) + "0d6f"
        let body = """
            {"error":{"message":"Incorrect API key provided: \(masked). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
            """
        let transport = RewritingTransport(
            requestID: { $0 ?? "" },
            deleteAnswer: ThreadsAPI.HTTPResponse(status: 401, headers: ["content-type": "application/json"], body: Data(body.utf8)))
        let configuration = APIConfiguration(
            provider: .custom, baseURL: harness.server.baseURL, timeout: 10, requestsPerSecond: 2_000, burst: 50,
            maxAttempts: 1, retryDeadline: 10)
        let client = try ThreadsClient(configuration: configuration, key: try APIKey(Self.key), transport: transport)
        let rule = try harness.rule("support", ActionTests.deleteRule)
        _ = try? await harness.executor(client: client).run(RunRequest(rule: rule))
        let errors = try harness.ledger.rows("SELECT error FROM actions WHERE error IS NOT NULL").compactMap { $0[0].textValue }
        #expect(!errors.isEmpty, "no action recorded the 401")
        #expect(errors.contains { $0.contains("Incorrect API key provided: [redacted].") }, "\(errors)")
        let logged = harness.logs.entries.map { "\($0.message) \($0.metadata)" }
        for text in errors + logged {
            #expect(!text.contains("sk-echo"), "\(text)")
            #expect(!text.contains("0d6f"), "\(text)")
        }
    }
}
