/// One HTTP/1.x request the emulator parsed and serves, with its whole body.
public struct EmulatorRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent (`/v1/threads/x?limit=2`).
    public var target: String
    /// `HTTP/1.1` is (1, 1).
    public var version: (major: Int, minor: Int)
    /// Header fields in order, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, target: String, version: (major: Int, minor: Int) = (1, 1),
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    public static func == (lhs: EmulatorRequest, rhs: EmulatorRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.name == $1.name && $0.value == $1.value }) && lhs.body == rhs.body
    }

    /// For the parser, whose header names are lower-cased already.
    init(
        method: String, target: String, version: (major: Int, minor: Int), lowercasedHeaders: [(name: String, value: String)],
        body: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = lowercasedHeaders
        self.body = body
    }

    /// The first value of a header (name compared case-insensitively), or nil.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// The path part of the target, without the query.
    public var path: Substring {
        // Searched in the UTF-8 view: Character-wise search shows up in profiles at tens of thousands of requests a second.
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<mark]
    }

    /// The query parameters, percent-decoded, in order.
    public var queryItems: [(name: String, value: String)] {
        guard let mark = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true).map { item in
            if let equals = item.firstIndex(of: "=") {
                return (Self.percentDecode(item[..<equals]), Self.percentDecode(item[item.index(after: equals)...]))
            }
            return (Self.percentDecode(item), "")
        }
    }

    /// Whether the connection stays open after this request (HTTP/1.1 default yes, 1.0 default no).
    public var keepAlive: Bool {
        guard headers.contains(where: { $0.name == "connection" }) else { return version.major == 1 && version.minor >= 1 }
        let tokens = headers.filter { $0.name == "connection" }.flatMap { $0.value.lowercased().split(separator: ",") }
            .map { $0.trimmingSpaces() }
        if tokens.contains("close") { return false }
        if version.major == 1 && version.minor == 0 { return tokens.contains("keep-alive") }
        return true
    }

    static func percentDecode(_ text: Substring) -> String {
        guard text.contains("%") || text.contains("+") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
