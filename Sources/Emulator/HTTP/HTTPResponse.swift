import JSON

/// One HTTP response: status, header fields and a complete body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.name == $1.name && $0.value == $1.value })
    }

    /// A JSON body with its content type.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var all: [(name: String, value: String)] = []
        // Room for the rate-limit and request-id headers the core adds.
        all.reserveCapacity(headers.count + 5)
        all.append(("content-type", "application/json"))
        all.append(contentsOf: headers)
        return HTTPResponse(status: status, headers: all, body: body)
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Appends the response as HTTP/1.1 bytes; `content-length` and `connection` are added here.
    public func serialize(into out: inout [UInt8], keepAlive: Bool, headOnly: Bool = false) {
        // reserveCapacity grows to exactly what is asked; grow geometrically so pipelined answers stay linear.
        let needed = out.count + 256 + body.count
        if out.capacity < needed { out.reserveCapacity(max(needed, out.capacity * 2)) }
        Self.append("HTTP/1.1 ", to: &out)
        Self.appendInteger(status, to: &out)
        out.append(0x20)
        Self.append(Self.reason(for: status), to: &out)
        Self.append("\r\n", to: &out)
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            Self.append(": ", to: &out)
            out.append(contentsOf: header.value.utf8)
            Self.append("\r\n", to: &out)
        }
        Self.append("content-length: ", to: &out)
        Self.appendInteger(body.count, to: &out)
        Self.append(keepAlive ? "\r\nconnection: keep-alive\r\n\r\n" : "\r\nconnection: close\r\n\r\n", to: &out)
        if !headOnly { out.append(contentsOf: body) }
    }

    @inline(__always)
    static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        var writer = JSONWriter(capacity: 0)
        writer.integer(value)
        out.append(contentsOf: writer.bytes)
    }

    /// The reason phrase for a status code.
    public static func reason(for status: Int) -> StaticString {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Unknown"
        }
    }
}
