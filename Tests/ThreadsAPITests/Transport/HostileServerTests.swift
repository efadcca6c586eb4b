import Foundation
import Synchronization
import Testing

@testable import ThreadsAPI

/// A loopback server that answers every connection with the same canned bytes, then keeps
/// writing `trailer` until the client hangs up (or `trailerLimit` bytes went out).
///
/// `@unchecked Sendable`: the socket is set once in `init`; counters are behind their lock.
final class CannedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let state = Mutex((connections: 0, written: 0))
    private let head: [UInt8]
    private let trailer: [UInt8]
    private let trailerLimit: Int

    var connections: Int { state.withLock { $0.connections } }
    var bytesWritten: Int { state.withLock { $0.written } }

    init(head: String, trailer: [UInt8] = [], trailerLimit: Int = 0) throws {
        self.head = Array(head.utf8)
        self.trailer = trailer
        self.trailerLimit = trailerLimit
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        listener = descriptor
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        signal(SIGPIPE, SIG_IGN)
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            state.withLock { $0.connections += 1 }
            // Read the request head (the client sends no body here).
            var request: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { break }
                request += chunk[0..<count]
            }
            var sent = write(connection, head, head.count)
            while sent > 0, !trailer.isEmpty, state.withLock({ $0.written }) < trailerLimit {
                sent = write(connection, trailer, trailer.count)
                if sent > 0 { state.withLock { $0.written += sent } }
            }
            close(connection)
        }
    }
}

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
