import Foundation
import JSON
import Testing

@testable import Emulator

/// Where a test's requests go: straight into the router, or over a live socket.
///
/// The same test body runs against both, so the router's behaviour is proven in-process and the
/// server is proven to carry it over the wire unchanged.
enum TransportKind: String, CaseIterable, CustomTestStringConvertible {
    case inProcess, socket
    var testDescription: String { rawValue }
}

/// Sends requests and returns the answers.
final class APITransport: @unchecked Sendable {
    // `client` is used by one test at a time; `core` is behind its own lock.
    private let core: Locked<EmulatorCore>?
    private let clock: @Sendable () -> Int64
    let server: EmulatorServer?
    private let client: RawHTTPClient?

    private init(core: EmulatorCore?, clock: @escaping @Sendable () -> Int64, server: EmulatorServer?) throws {
        self.core = core.map { Locked($0) }
        self.clock = clock
        self.server = server
        self.client = try server.map { try RawHTTPClient(port: $0.port) }
    }

    static func make(_ kind: TransportKind, _ options: EmulatorOptions = EmulatorOptions()) async throws -> APITransport {
        var options = options
        options.eventLoops = 1
        switch kind {
        case .inProcess:
            var store = ThreadStore(seed: options.seedRandom ?? 1)
            Seeder.seed(
                into: &store, count: options.seedCount, age: options.seedAge, randomSeed: options.seedRandom ?? 1, now: options.clock())
            var router = ThreadsRouter(apiKey: options.apiKey, limits: options.limits)
            router.flavor = options.flavor
            let core = EmulatorCore(
                store: store, router: router, faults: options.faults, seed: options.seedRandom ?? 1, now: 0)
            return try APITransport(core: core, clock: options.clock, server: nil)
        case .socket:
            return try APITransport(core: nil, clock: options.clock, server: try await EmulatorServer.start(options))
        }
    }

    func close() async {
        await server?.stop()
    }

    /// Sends one request; `body` is sent as JSON text with a Content-Length.
    func send(_ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = []) throws -> HTTPResponse {
        if let client { return try client.request(method, target, body: body, headers: headers) }
        let request = HTTPRequest(
            method: method, target: target, headers: [("host", "127.0.0.1")] + headers.map { (name: $0.0, value: $0.1) },
            body: Array((body ?? "").utf8))
        let wall = clock()
        let decision = core!.withLock { $0.handle(request, wallSeconds: wall, monotonic: 0) }
        guard case .respond(let response, _) = decision else { throw RawHTTPClient.Failure(description: "connection reset") }
        return response
    }

    /// Sends a request and decodes the JSON answer.
    func json(_ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = []) throws -> (Int, JSONValue) {
        let response = try send(method, target, body: body, headers: headers)
        return (response.status, try JSONParser.parse(response.body))
    }
}

extension JSONValue {
    /// Test shorthand for a string member.
    func string(_ key: String) -> String? { self[key]?.stringValue }
}
