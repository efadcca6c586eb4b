import Foundation

@testable import Emulator

/// A blocking HTTP/1.1 client over one TCP connection, for tests that need exact bytes on the wire
/// (pipelining, malformed input, slow clients) rather than a polished client library.
final class RawHTTPClient: @unchecked Sendable {
    // Used by one test at a time; not shared across tasks.
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(port: Int, receiveTimeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - receiveTimeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect to port \(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Half-closes the sending side, as `nc -N` does after its input.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// What the server did next: answered, closed cleanly, or reset the connection.
    enum Outcome: Equatable {
        case response(EmulatorResponse)
        case closed
        case reset
    }

    /// Reads one response (or the end of the connection).
    func receive() throws -> Outcome {
        while true {
            if let (response, consumed) = try Self.parseResponse(buffer) {
                buffer.removeFirst(consumed)
                return .response(response)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 {
                guard buffer.isEmpty else { throw Failure(description: "connection closed inside a response") }
                return .closed
            }
            if count < 0 {
                if errno == ECONNRESET { return .reset }
                throw Failure(description: "receive failed: errno \(errno)")
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads one response and fails unless there is one.
    func response() throws -> EmulatorResponse {
        let outcome = try receive()
        guard case .response(let response) = outcome else { throw Failure(description: "expected a response, got \(outcome)") }
        return response
    }

    /// Sends a request with a Content-Length body and reads the answer.
    func request(
        _ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = []
    ) throws -> EmulatorResponse {
        try send(Self.encode(method, target, body: body, headers: headers))
        return try response()
    }

    static func encode(_ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = []) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + (body ?? "")
    }

    /// Parses one response with a Content-Length body from the front of `bytes`.
    static func parseResponse(_ bytes: [UInt8]) throws -> (EmulatorResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let headEnd = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator })
        else { return nil }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(head[0])") }
        var headers: [(name: String, value: String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header line \(line)") }
            headers.append(
                (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = headEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (
            EmulatorResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)])), bodyStart + length
        )
    }
}
