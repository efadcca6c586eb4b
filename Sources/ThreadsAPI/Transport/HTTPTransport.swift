import Foundation

/// One HTTP request as the client builds it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header names as sent; `Authorization` is among them, so never log a request whole.
    public var headers: [(String, String)]
    public var body: Data?
    /// Seconds this attempt may take.
    public var timeout: Double
    /// The most bytes of the answer's body to read.
    public var maxResponseBytes: Int

    public init(
        method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil, timeout: Double = 30,
        maxResponseBytes: Int = 16 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// One HTTP answer; header names lower-cased.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }
}

/// Sends one request and returns the answer, or throws `TransportError` when none came.
///
/// The client's only way out of the process; tests inject a closure or point the default
/// transport (`HelperTransport`, URLSession in the `threadkeeper-http` helper) at the emulator
/// on loopback. A transport never follows redirects.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// No answer came.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var failure: TransportFailure
    /// What the system said, without the URL's query or any header.
    public var detail: String

    public init(_ failure: TransportFailure, _ detail: String = "") {
        self.failure = failure
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? failure.rawValue : "\(failure.rawValue): \(detail)" }
}

/// A transport made of a closure, for tests that script answers.
public struct ClosureTransport: HTTPTransport {
    private let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse

    public init(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await handler(request)
    }
}
