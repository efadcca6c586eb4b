import Foundation
import Synchronization

@testable import ThreadsAPI

/// A clock whose sleeps return at once after moving time forward, so tests of retries and
/// pauses take no real time and can check when each attempt happened.
final class VirtualClock: APIClock {
    private let current = Mutex<Double>(0)

    func now() -> Double { current.withLock { $0 } }

    func sleep(until deadline: Double) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    func advance(by seconds: Double) {
        current.withLock { $0 += seconds }
    }
}

/// Records every request a client sends and answers from a script.
final class ScriptedTransport: HTTPTransport {
    struct Sent: Sendable {
        var method: String
        var url: String
        var headers: [String: String]
        var body: String?
        var at: Double
    }

    private let state = Mutex<(sent: [Sent], script: [Result<HTTPResponse, TransportError>])>(([], []))
    let clock: VirtualClock
    let fallback: HTTPResponse

    init(clock: VirtualClock, script: [Result<HTTPResponse, TransportError>] = [], fallback: HTTPResponse = .json(200, "{}")) {
        self.clock = clock
        self.fallback = fallback
        state.withLock { $0.script = script }
    }

    var sent: [Sent] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.lowercased()] = value }
        let record = Sent(
            method: request.method, url: request.url.absoluteString, headers: headers,
            body: request.body.map { String(decoding: $0, as: UTF8.self) }, at: clock.now())
        let next: Result<HTTPResponse, TransportError>? = state.withLock { state in
            state.sent.append(record)
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        switch next {
        case .success(let response): return response
        case .failure(let error): throw error
        case nil: return fallback
        }
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: headers.merging(["content-type": "application/json"]) { a, _ in a },
            body: Data(body.utf8))
    }

    static func openAIError(
        _ status: Int, message: String, type: String = "invalid_request_error", code: String? = nil,
        headers: [String: String] = [:]
    ) -> HTTPResponse {
        let codeJSON = code.map { "\"\($0)\"" } ?? "null"
        return json(
            status, #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":\#(codeJSON)}}"#,
            headers: headers)
    }
}
