import Foundation
import JSON

/// One message between `HelperTransport` and the `threadkeeper-http` helper process.
///
/// On the wire a message is a frame: a 4-byte big-endian length of what follows, a 4-byte
/// big-endian length of the header, the header (one JSON object) and the body (the bytes
/// that remain). Requests, cancels, answers and failures are told apart by the header's
/// members; the body is a request's or an answer's body, byte for byte.
public enum HelperMessage: Sendable, Equatable {
    /// A request to send, numbered by the transport.
    case request(id: UInt64, HTTPRequest)
    /// Stop the request `id`; its answer (or failure) still comes.
    case cancel(id: UInt64)
    /// The answer to request `id`.
    case response(id: UInt64, HTTPResponse)
    /// No answer came to request `id`.
    case failure(id: UInt64, TransportError)

    /// The request this message is about.
    public var id: UInt64 {
        switch self {
        case .request(let id, _), .cancel(let id), .response(let id, _), .failure(let id, _): return id
        }
    }
}

/// Writes and reads `HelperMessage` frames.
public enum HelperFrame {
    /// The most bytes a frame's header may take.
    public static let maxHeaderBytes = 1 << 20

    /// The frame of `message`.
    public static func encode(_ message: HelperMessage) -> [UInt8] {
        var header: [(String, JSONValue)] = [("id", .string(String(message.id)))]
        var body = Data()
        switch message {
        case .request(_, let request):
            header += [
                ("method", .string(request.method)), ("url", .string(request.url.absoluteString)),
                ("headers", pairs(request.headers)), ("timeout", .double(request.timeout)),
                ("maxResponseBytes", .integer(request.maxResponseBytes)), ("hasBody", .bool(request.body != nil)),
            ]
            body = request.body ?? Data()
        case .cancel:
            header.append(("cancel", .bool(true)))
        case .response(_, let response):
            header += [
                ("status", .integer(response.status)),
                ("headers", pairs(response.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ]
            body = response.body
        case .failure(_, let error):
            header += [("failure", .string(error.failure.rawValue)), ("detail", .string(error.detail))]
        }
        let headerBytes = Array(JSONWriter.text(.object(header)).utf8)
        var frame: [UInt8] = []
        frame.reserveCapacity(8 + headerBytes.count + body.count)
        appendLength(4 + headerBytes.count + body.count, to: &frame)
        appendLength(headerBytes.count, to: &frame)
        frame += headerBytes
        frame += body
        return frame
    }

    private static func pairs(_ list: [(String, String)]) -> JSONValue {
        .array(list.map { .array([.string($0.0), .string($0.1)]) })
    }

    private static func appendLength(_ length: Int, to frame: inout [UInt8]) {
        let value = UInt32(length)
        frame += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// A frame that cannot be read: the peer is not a `threadkeeper-http` of this version, or broke.
public struct HelperFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Cuts a byte stream into `HelperMessage`s: bytes go in as they arrive, whole messages come out.
///
/// A pure state machine over bytes (no I/O): the tests feed it one byte at a time.
public struct HelperFrameReader: Sendable {
    /// The most bytes one frame may take; a longer length is refused before anything is buffered.
    public let maxFrameBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes buffered and not yet part of a whole frame.
    public var pendingBytes: Int { buffer.count - start }

    /// Adds bytes read from the peer.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, nil until one has arrived; throws when the stream cannot be a helper's.
    public mutating func next() throws(HelperFrameError) -> HelperMessage? {
        guard pendingBytes >= 4 else { return nil }
        let length = Self.length(buffer, at: start)
        guard length >= 4, length <= maxFrameBytes else {
            throw HelperFrameError("a frame of \(length) bytes (the most is \(maxFrameBytes))")
        }
        guard pendingBytes >= 4 + length else { return nil }
        let headerLength = Self.length(buffer, at: start + 4)
        guard headerLength <= length - 4, headerLength <= HelperFrame.maxHeaderBytes else {
            throw HelperFrameError("a frame header of \(headerLength) bytes in a frame of \(length)")
        }
        let headerStart = start + 8
        let bodyStart = headerStart + headerLength
        let end = start + 4 + length
        let header: JSONValue
        do {
            header = try JSONParser.parse(buffer[headerStart..<bodyStart])
        } catch {
            throw HelperFrameError("a frame header that is not JSON: \(error)")
        }
        let body = Data(buffer[bodyStart..<end])
        start = end
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return try Self.message(header, body: body)
    }

    private static func length(_ bytes: [UInt8], at index: Int) -> Int {
        Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
    }

    private static func message(_ header: JSONValue, body: Data) throws(HelperFrameError) -> HelperMessage {
        guard case .object = header else { throw HelperFrameError("a frame header that is not an object") }
        guard let idText = header["id"]?.stringValue, let id = UInt64(idText) else {
            throw HelperFrameError("a frame without a request id")
        }
        if header["cancel"]?.boolValue == true { return .cancel(id: id) }
        if let failure = header["failure"]?.stringValue {
            guard let kind = TransportFailure(rawValue: failure) else {
                throw HelperFrameError("an unknown transport failure '\(failure)'")
            }
            return .failure(id: id, TransportError(kind, header["detail"]?.stringValue ?? ""))
        }
        if let status = header["status"]?.int64Value {
            guard (100...999).contains(status) else { throw HelperFrameError("an http status \(status)") }
            let headers = try pairs(header["headers"])
            return .response(
                id: id,
                HTTPResponse(
                    status: Int(status), headers: Dictionary(headers, uniquingKeysWith: { _, last in last }), body: body))
        }
        guard let method = header["method"]?.stringValue, let urlText = header["url"]?.stringValue,
            let url = URL(string: urlText), let timeout = header["timeout"]?.doubleValue, timeout.isFinite, timeout > 0,
            let limit = header["maxResponseBytes"]?.int64Value, limit >= 0
        else {
            throw HelperFrameError("a frame that is neither a request, a cancel, an answer nor a failure")
        }
        let hasBody = header["hasBody"]?.boolValue ?? !body.isEmpty
        return .request(
            id: id,
            HTTPRequest(
                method: method, url: url, headers: try pairs(header["headers"]), body: hasBody ? body : nil,
                timeout: timeout, maxResponseBytes: Int(limit)))
    }

    private static func pairs(_ value: JSONValue?) throws(HelperFrameError) -> [(String, String)] {
        guard case .array(let items)? = value else { throw HelperFrameError("a frame whose headers are not a list") }
        var pairs: [(String, String)] = []
        for item in items {
            guard case .array(let pair) = item, pair.count == 2, let name = pair[0].stringValue,
                let value = pair[1].stringValue
            else { throw HelperFrameError("a header that is not a [name, value] pair") }
            pairs.append((name, value))
        }
        return pairs
    }
}

extension HTTPRequest: Equatable {
    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
            && lhs.body == rhs.body && lhs.timeout == rhs.timeout && lhs.maxResponseBytes == rhs.maxResponseBytes
    }
}

extension HTTPResponse: Equatable {
    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.headers == rhs.headers && lhs.body == rhs.body
    }
}

/// How reading a stream of frames ended.
public enum HelperStreamEnd: Sendable, Equatable {
    /// The other side closed its end (or the descriptor failed).
    case endOfInput
    /// The bytes are not frames.
    case unreadable(HelperFrameError)
}

extension HelperFrame {
    /// Reads frames from `descriptor` until it ends or holds something else, handing each
    /// message to `handle` in order; both ends of the helper's socket read this way.
    public static func readMessages(
        from descriptor: Int32, maxFrameBytes: Int, _ handle: (HelperMessage) -> Void
    ) -> HelperStreamEnd {
        var reader = HelperFrameReader(maxFrameBytes: maxFrameBytes)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .endOfInput }
            reader.append(buffer[0..<count])
            do {
                while let message = try reader.next() { handle(message) }
            } catch {
                return .unreadable(error)
            }
        }
    }

    /// Writes all of `frame` to `descriptor`; the errno of the failure, nil when it was written.
    ///
    /// A socket is written with `MSG_NOSIGNAL`, so a peer that is gone is an `EPIPE` here, not a
    /// SIGPIPE that ends the writer; anything else (the helper's output when run by hand) with
    /// write(2). The caller keeps frames from interleaving.
    public static func write(_ frame: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        var isSocket = true
        while offset < frame.count {
            let written = frame.withUnsafeBytes { bytes in
                isSocket
                    ? send(descriptor, bytes.baseAddress! + offset, frame.count - offset, Int32(MSG_NOSIGNAL))
                    : Glibc.write(descriptor, bytes.baseAddress! + offset, frame.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == ENOTSOCK && isSocket {
                    isSocket = false
                    continue
                }
                return errno
            }
            offset += written
        }
        return nil
    }
}
