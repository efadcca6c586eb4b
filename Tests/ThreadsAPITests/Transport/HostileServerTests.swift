import Foundation
import Synchronization
import TestSupport
import Testing

@testable import ThreadsAPI

/// Hostile answers over a real socket and the real URLSession transport.
struct HostileServerTests {
    static let key = "sk-hostile-0123456789"

    func client(_ port: Int, maxResponseBytes: Int = 16 << 20) throws -> ThreadsClient {
        let configuration = APIConfiguration(
            provider: .custom, baseURL: "http://127.0.0.1:\(port)", timeout: 20, requestsPerSecond: 100, maxAttempts: 1,
            maxResponseBytes: maxResponseBytes)
        return try ThreadsClient(configuration: configuration, key: try APIKey(Self.key))
    }

    func failure(_ body: () async throws -> Void) async -> APIError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? APIError
        }
    }

    @Test func aGigabyteAnswerIsCutAtTheLimit() async throws {
        let server = try CannedServer(
            head: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n",
            trailer: [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16), trailerLimit: 1 << 30)
        defer { server.stop() }
        let error = await failure { _ = try await client(server.port, maxResponseBytes: 1 << 20).retrieveThread("thread_a") }
        // The answer is refused from its Content-Length and the transfer cancelled; the body kept in
        // memory never passes the limit. (How much the server manages to push into the socket before
        // the cancel lands depends on the machine's speed, so it is not asserted.)
        #expect(error?.kind == .transport(.responseTooLarge))
        #expect(error?.message.contains("larger than 1048576 bytes") == true)
    }

    @Test func aRedirectToAnotherHostIsNotFollowedAndTheKeyNotSent() async throws {
        let elsewhere = try CannedServer(head: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        defer { elsewhere.stop() }
        let server = try CannedServer(
            head:
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.2:\(elsewhere.port)/threads/thread_a\r\nContent-Length: 0\r\n\r\n"
        )
        defer { server.stop() }
        let error = await failure { _ = try await client(server.port).deleteThread("thread_a") }
        #expect(error?.kind == .redirect)
        #expect(error?.status == 307)
        #expect(error?.message.contains("redirects are not followed") == true)
        #expect(elsewhere.connections == 0)
    }

    @Test func anHTMLErrorPageKeepsItsStatusAndAShortCleanText() async throws {
        let page = "<html>\n<body><h1>502 Bad Gateway</h1>\(String(repeating: "x", count: 5000))</body></html>"
        let server = try CannedServer(
            head: "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: \(page.utf8.count)\r\n\r\n\(page)")
        defer { server.stop() }
        let error = await failure { _ = try await client(server.port).retrieveThread("thread_a") }
        #expect(error?.kind == .http)
        #expect(error?.status == 502)
        #expect(error?.message.hasPrefix("http status 502: <html> <body><h1>502 Bad Gateway</h1>") == true)
        #expect((error?.message.count ?? .max) < 300)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
    ])
    func aSuccessThatIsNotAThreadIsMalformed(answer: String) async throws {
        let server = try CannedServer(head: answer)
        defer { server.stop() }
        let error = await failure { _ = try await client(server.port).retrieveThread("thread_a") }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.description.contains(Self.key) == false)
    }
}
