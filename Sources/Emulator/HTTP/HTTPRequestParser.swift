/// Size limits the request parser enforces.
public struct HTTPLimits: Sendable, Equatable {
    /// Request line plus header fields, in bytes (beyond: 431).
    public var maxHeaderBytes: Int
    /// Number of header fields (beyond: 431).
    public var maxHeaderCount: Int
    /// Decoded body, in bytes (beyond: 413).
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why the bytes on a connection are not a valid HTTP/1.x request; the connection is answered and closed.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequestLine
    case badHeader
    case unsupportedVersion
    case headersTooLarge
    case bodyTooLarge
    case badContentLength
    case badChunk
    case unsupportedTransferEncoding

    /// The status the server answers with before closing.
    public var status: Int {
        switch self {
        case .badRequestLine, .badHeader, .badContentLength, .badChunk: return 400
        case .unsupportedVersion: return 505
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferEncoding: return 501
        }
    }

    public var message: String {
        switch self {
        case .badRequestLine: return "malformed request line"
        case .badHeader: return "malformed header field"
        case .unsupportedVersion: return "only HTTP/1.0 and HTTP/1.1 are supported"
        case .headersTooLarge: return "request header fields too large"
        case .bodyTooLarge: return "request body too large"
        case .badContentLength: return "invalid content-length"
        case .badChunk: return "malformed chunked body"
        case .unsupportedTransferEncoding: return "only the chunked transfer-coding is supported"
        }
    }
}

/// What the parser has to say after the bytes it holds.
public enum HTTPParserEvent: Equatable, Sendable {
    case request(EmulatorRequest)
    case needMoreData
    case failure(HTTPParseError)
}

/// An incremental HTTP/1.x request parser: a pure state machine over the bytes of one connection.
///
/// Feed bytes with `append(_:)` in any split (one byte at a time works), then call `next()` until it
/// answers `.needMoreData`. Pipelined requests come out one after another. After a `.failure` the
/// parser stays failed: the connection must be answered and closed.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPLimits

    private struct Head: Sendable {
        var method: String
        var target: String
        var version: (major: Int, minor: Int)
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        var expectsContinue = false
    }

    private enum State: Sendable {
        case requestLine
        case headers(Head)
        case body(Head, remaining: Int)
        case chunkSize(Head)
        case chunkData(Head, remaining: Int)
        case chunkDataEnd(Head)
        case trailers(Head)
        case failed(HTTPParseError)
    }

    private var state: State = .requestLine
    private var buffer: [UInt8] = []
    /// Bytes before this index are consumed.
    private var position = 0
    /// Where the search for the next line feed resumes, so a line arriving a byte at a time is scanned once.
    private var scanFrom = 0
    /// Where the current request's head began, for the header size limit.
    private var requestStart = 0
    private var continueRequested = false

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if position > 0, position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            scanFrom -= position
            requestStart -= position
            position = 0
        } else if position > 64 * 1024 {
            buffer.removeFirst(position)
            scanFrom -= position
            requestStart -= position
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Whether bytes of a request that is not complete yet are held (for the request timeout).
    public var hasPartialRequest: Bool {
        switch state {
        case .requestLine: return position < buffer.count
        case .failed: return false
        default: return true
        }
    }

    /// True once per request whose head asked for `Expect: 100-continue` and whose body has not arrived.
    public mutating func takeContinueRequest() -> Bool {
        defer { continueRequested = false }
        return continueRequested
    }

    /// The next complete request, a failure, or `.needMoreData`.
    public mutating func next() -> HTTPParserEvent {
        while true {
            switch state {
            case .failed(let error):
                return .failure(error)
            case .requestLine:
                let line: ArraySlice<UInt8>
                switch readHeadLine() {
                case .line(let text): line = text
                case .incomplete: return .needMoreData
                case .tooLong: return fail(.headersTooLarge)
                }
                if line.isEmpty {
                    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
                    requestStart = position
                    continue
                }
                guard let head = Self.parseRequestLine(line) else { return fail(.badRequestLine) }
                guard head.version.major == 1, head.version.minor <= 1 else { return fail(.unsupportedVersion) }
                state = .headers(head)
            case .headers(var head):
                let line: ArraySlice<UInt8>
                switch readHeadLine() {
                case .line(let text): line = text
                case .incomplete: return .needMoreData
                case .tooLong: return fail(.headersTooLarge)
                }
                if line.isEmpty {
                    switch Self.framing(of: head, limits: limits) {
                    case .failure(let error): return fail(error)
                    case .success(.none): return complete(head)
                    case .success(.length(let length)):
                        if head.expectsContinue && buffer.count - position < length { continueRequested = true }
                        head.body.reserveCapacity(length)
                        state = .body(head, remaining: length)
                    case .success(.chunked):
                        if head.expectsContinue && position == buffer.count { continueRequested = true }
                        state = .chunkSize(head)
                    }
                    continue
                }
                guard head.headers.count < limits.maxHeaderCount else { return fail(.headersTooLarge) }
                guard let field = Self.parseHeader(line) else { return fail(.badHeader) }
                if field.name == "expect" && field.value.lowercased() == "100-continue" { head.expectsContinue = true }
                head.headers.append(field)
                state = .headers(head)
            case .body(var head, let remaining):
                let available = min(remaining, buffer.count - position)
                if available > 0 {
                    head.body.append(contentsOf: buffer[position..<(position + available)])
                    position += available
                }
                if remaining - available == 0 { return complete(head) }
                state = .body(head, remaining: remaining - available)
                return .needMoreData
            case .chunkSize(let head):
                let line: ArraySlice<UInt8>
                switch readLine(maximum: 1024) {
                case .line(let text): line = text
                case .incomplete: return .needMoreData
                case .tooLong: return fail(.badChunk)
                }
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
                guard !sizeText.isEmpty, sizeText.count <= 16,
                    let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16), size >= 0
                else { return fail(.badChunk) }
                if size == 0 {
                    state = .trailers(head)
                } else {
                    guard head.body.count + size <= limits.maxBodyBytes else { return fail(.bodyTooLarge) }
                    state = .chunkData(head, remaining: size)
                }
            case .chunkData(var head, let remaining):
                let available = min(remaining, buffer.count - position)
                if available > 0 {
                    head.body.append(contentsOf: buffer[position..<(position + available)])
                    position += available
                }
                if remaining - available == 0 {
                    state = .chunkDataEnd(head)
                    continue
                }
                state = .chunkData(head, remaining: remaining - available)
                return .needMoreData
            case .chunkDataEnd(let head):
                switch readLine(maximum: 1) {
                case .line(let text) where text.isEmpty: break
                case .incomplete: return .needMoreData
                case .line, .tooLong: return fail(.badChunk)
                }
                state = .chunkSize(head)
            case .trailers(let head):
                let line: ArraySlice<UInt8>
                switch readLine(maximum: limits.maxHeaderBytes) {
                case .line(let text): line = text
                case .incomplete: return .needMoreData
                case .tooLong: return fail(.headersTooLarge)
                }
                if line.isEmpty { return complete(head) }
                guard Self.parseHeader(line) != nil else { return fail(.badHeader) }
            }
        }
    }

    private mutating func fail(_ error: HTTPParseError) -> HTTPParserEvent {
        state = .failed(error)
        return .failure(error)
    }

    private mutating func complete(_ head: Head) -> HTTPParserEvent {
        state = .requestLine
        requestStart = position
        continueRequested = false
        return .request(
            EmulatorRequest(
                method: head.method, target: head.target, version: head.version, lowercasedHeaders: head.headers, body: head.body))
    }

    private enum LineResult {
        case line(ArraySlice<UInt8>)
        case incomplete
        case tooLong
    }

    /// The next line without its CRLF (or bare LF); `.incomplete` until its line feed has arrived.
    private mutating func readLine(maximum: Int) -> LineResult {
        var index = max(scanFrom, position)
        while index < buffer.count {
            if buffer[index] == 0x0A {
                var end = index
                if end > position && buffer[end - 1] == 0x0D { end -= 1 }
                guard end - position <= maximum else { return .tooLong }
                let line = buffer[position..<end]
                position = index + 1
                scanFrom = position
                return .line(line)
            }
            index += 1
        }
        scanFrom = index
        return index - position > maximum ? .tooLong : .incomplete
    }

    /// A line of the request head, which counts against the header size limit.
    private mutating func readHeadLine() -> LineResult {
        readLine(maximum: max(0, limits.maxHeaderBytes - (position - requestStart)))
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) -> Head? {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let method = parts[0]
        let target = parts[1]
        let version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { return nil }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        guard version.count == 8, version.starts(with: "HTTP/".utf8) else { return nil }
        let major = version[version.startIndex + 5]
        let dot = version[version.startIndex + 6]
        let minor = version[version.startIndex + 7]
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard digits.contains(major), dot == UInt8(ascii: "."), digits.contains(minor) else { return nil }
        var targetBytes = target
        if target.starts(with: "http://".utf8) || target.starts(with: "https://".utf8) {
            // Absolute form (RFC 9112 §3.2.2): keep the path and query.
            let afterScheme = target[(target.firstIndex(of: UInt8(ascii: ":"))! + 3)...]
            targetBytes = afterScheme.firstIndex(of: UInt8(ascii: "/")).map { afterScheme[$0...] } ?? ArraySlice("/".utf8)
        }
        guard targetBytes.first == UInt8(ascii: "/") || targetBytes.elementsEqual("*".utf8) else { return nil }
        let targetText = String(decoding: targetBytes, as: UTF8.self)
        return Head(
            method: String(decoding: method, as: UTF8.self), target: targetText,
            version: (Int(major - UInt8(ascii: "0")), Int(minor - UInt8(ascii: "0"))))
    }

    private static func parseHeader(_ line: ArraySlice<UInt8>) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { return nil }
        // Lower-case the bytes before making the String: names up to 15 bytes then stay inline, without an allocation.
        let lowered = String(unsafeUninitializedCapacity: name.count) { buffer in
            for (offset, byte) in name.enumerated() {
                buffer[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return name.count
        }
        return (lowered, String(decoding: value, as: UTF8.self))
    }

    private enum Framing {
        case none
        case length(Int)
        case chunked
    }

    private static func framing(of head: Head, limits: HTTPLimits) -> Result<Framing, HTTPParseError> {
        let encodings = head.headers.filter { $0.name == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() }
        let lengths = head.headers.filter { $0.name == "content-length" }
            .flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingSpaces() }
        if !encodings.isEmpty {
            // A request with both is a smuggling attempt (RFC 9112 §6.1): refuse it.
            guard lengths.isEmpty else { return .failure(.badContentLength) }
            guard encodings == ["chunked"] else { return .failure(.unsupportedTransferEncoding) }
            return .success(.chunked)
        }
        guard let first = lengths.first else { return .success(.none) }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
            first.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(first)
        else { return .failure(.badContentLength) }
        guard length <= limits.maxBodyBytes else { return .failure(.bodyTooLarge) }
        return .success(length == 0 ? .none : .length(length))
    }
}
